import { CooperbenchError } from '@cooperbench/spec'
import { existsSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { shellWord } from '@cooperbench/spec-utils/host'
import type { CliProfile } from './profile.js'

/** Where an image layer installs a profile's CLI: `/opt/cooperbench/cli/<name>/<command>`. */
export function layerBinaryPath(profile: CliProfile): string {
  return `/opt/cooperbench/cli/${profile.name}/${profile.npm.command}`
}

/** Whether this Linux uses musl (its dynamic loader is `/lib/ld-musl-*`). */
function isMusl(): boolean {
  try {
    return readdirSync('/lib').some((name) => name.startsWith('ld-musl-'))
  } catch {
    return false
  }
}

/** This machine's platform key of `CliNpmSource.platforms`: `linux-x64`, `linux-arm64-musl`, … */
export function hostPlatformKey(): string {
  return `${process.platform}-${process.arch}${process.platform === 'linux' && isMusl() ? '-musl' : ''}`
}

/**
 * The CLI's native binary on this machine: its platform package (an optional dependency of the CLI's package, resolved
 * from this package or the working directory's project); null when not installed, or not at the pinned version.
 */
export function hostBinary(profile: CliProfile, from: string = import.meta.url): string | null {
  const platform = profile.npm.platforms[hostPlatformKey()]
  if (platform === undefined) return null
  for (const base of [from, join(process.cwd(), 'package.json')]) {
    try {
      const main = createRequire(base).resolve(`${profile.npm.package}/package.json`)
      const manifest = platform.package === profile.npm.package ? main : createRequire(main).resolve(`${platform.package}/package.json`)
      const { version } = createRequire(main)(manifest) as { version: string }
      const binary = join(dirname(manifest), platform.binary)
      // Aliased platform packages carry the platform in their version (`0.169.0-linux-x64`).
      if ((version === profile.npm.version || version.startsWith(`${profile.npm.version}-`)) && existsSync(binary)) return binary
    } catch {
      // not installed where this base resolves; try the next
    }
  }
  return null
}

/** The npm package folder holding `binary`: what a local sandbox is given to see, so that the CLI finds the files beside its entry point. */
export function hostPackageDir(profile: CliProfile, binary: string): string {
  const inside = profile.npm.platforms[hostPlatformKey()]?.binary
  return inside !== undefined && binary.endsWith(`/${inside}`) ? binary.slice(0, -inside.length - 1) : dirname(binary)
}

/** The command that installs a profile's pinned CLI where {@link hostBinary} looks: the folder cooperbench runs from. */
export function installCommand(profile: CliProfile, cwd: string = process.cwd()): string {
  return `npm install --prefix ${shellWord(cwd)} ${profile.npm.package}@${profile.npm.version}`
}

/** The CLI is not installed on this machine (or at another version): the error, with the command that fixes it. */
export function notInstalledError(profile: CliProfile, cwd: string = process.cwd()): CooperbenchError {
  const pinned = `${profile.npm.package}@${profile.npm.version}`
  return new CooperbenchError('PLUGIN_FAILED', `${profile.name}: ${pinned} (${hostPlatformKey()}) is not installed on this machine, or at another version`, {
    hint:
      `Run \`${installCommand(profile, cwd)}\` (installed in the folder you run cooperbench from, or beside cooperbench), then try again; ` +
      'in a checkout of cooperbench, `pnpm install` installs it',
  })
}
