import { CooperbenchError, type ImageLayer } from '@cooperbench/spec'
import { hostBinary, hostPlatformKey, layerBinaryPath, notInstalledError } from './binary.js'
import type { CliProfile } from './profile.js'

/**
 * The CLI layered on a task image: this machine's native binary, sent in the build context (no network there), copied to
 * {@link layerBinaryPath}, linked onto PATH and run with `--version`, so a base it cannot run on fails the build saying so.
 */
export function cliImageLayer(profile: CliProfile, binary: string | null = hostBinary(profile)): ImageLayer {
  const { package: pkg, version } = profile.npm
  if (profile.npm.runtime === 'node') {
    throw new CooperbenchError('PLUGIN_FAILED', `${profile.name} has no image layer: ${pkg} is JavaScript that needs Node.js 22 in the sandbox`, {
      hint: `Run ${profile.name} on the local backend, or use task images that have Node.js 22 and ${pkg}@${version} and set the agent option binary`,
    })
  }
  // Also what a run on any backend meets first (its plan asks for the layer): the install command, not "build".
  if (binary === null) throw notInstalledError(profile)
  const target = layerBinaryPath(profile)
  const context = `cli/${profile.npm.command}`
  const cause = `${pkg}@${version} for ${hostPlatformKey()} cannot run on this base image (another libc or architecture?)`
  return {
    owner: `agent ${profile.name}`,
    // A new pin, a new image.
    tagSuffix: `-cli-${profile.name.replaceAll('_', '-')}-${profile.npm.version}`,
    files: [{ path: context, hostPath: binary }],
    dockerfile: [
      'ARG BASE_IMAGE',
      'FROM ${BASE_IMAGE}',
      `COPY ${context} ${target}`,
      `RUN chmod 755 ${target} && ln -sf ${target} /usr/local/bin/${profile.npm.command} \\`,
      `  && (HOME=/tmp ${target} --version || { echo ${JSON.stringify(cause)} >&2; exit 1; })`,
      '',
    ].join('\n'),
  }
}
