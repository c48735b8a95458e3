import { type Hook, ux } from '@oclif/core'
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { provideHostPackages } from '../host-packages.js'
import { missingPackedFiles, silenceOclifPrepareWarning } from '../packed-files.js'
import { hostPackageVersions, peerMismatchError, peerMismatches, readLocalManifest } from '../plugin-peers.js'

const GITHUB_PREFIX = 'https://github.com/'
const TARBALL = /\.(tgz|tar\.gz)$/

/** The fields of @oclif/plugin-plugins' parsed plugin that this hook reads and rewrites. */
type ParsedPlugin = { type: string; url?: string; name?: string; tag?: string }

/**
 * Lets `plugins install` take a local tarball or folder, which @oclif/plugin-plugins would look up online (`a/b` as GitHub `owner/repo`,
 * `x-1.0.0.tgz` as an npm name): it becomes a `file:` URL in the parsed plugin object install uses next. The data dir first takes the
 * plugin's `@cooperbench/*` peers from the CLI (`provideHostPackages`); peer ranges excluding them are refused (`peerMismatchError`).
 */
const hook: Hook<'plugins:preinstall'> = async function ({ plugin }) {
  await provideHostPackages(this.config.dataDir)
  const target = plugin as ParsedPlugin
  const local = localPath(target)
  if (!local) return
  const manifest = readLocalManifest(local)
  const mismatches = manifest ? peerMismatches(manifest, hostPackageVersions()) : []
  if (manifest && mismatches.length > 0) {
    const error = peerMismatchError(manifest, mismatches)
    process.stderr.write(`error: ${error.message}\nhint: ${error.hint}\n`)
    this.exit(error.exitCode)
  }
  silenceOclifPrepareWarning()
  if (manifest?.version) reportInstalledVersion(manifest.version)
  const missing = manifest ? missingPackedFiles(local, (manifest as { files?: unknown[] }).files) : []
  if (missing.length > 0) {
    const kind = statSync(local).isDirectory() ? 'folder' : 'tarball'
    process.stderr.write(
      `warning: ${manifest?.name ?? 'the plugin'}'s package.json lists ${missing.join(', ')} in "files", which its ${kind} lacks: ` +
        `build the plugin before ${kind === 'tarball' ? 'packing it (npm runs no build step when installing a tarball)' : 'installing it'}\n`,
    )
  }
  target.type = 'repo'
  target.url = `file:${local}`
  delete target.name
  delete target.tag
}

/**
 * oclif reads an installed plugin's package.json through a cache it filled as the CLI started, so installing another version of a
 * plugin over one prints the old version (`installed v0.1.0` for 0.2.0): the version of the package installed is said instead.
 */
function reportInstalledVersion(version: string) {
  const stop = ux.action.stop.bind(ux.action)
  ux.action.stop = (message?: string) => stop(message?.startsWith('installed v') ? `installed v${version}` : message)
}

function localPath(plugin: ParsedPlugin) {
  const fromGithub = plugin.type === 'repo' && plugin.url?.startsWith(GITHUB_PREFIX) ? plugin.url.slice(GITHUB_PREFIX.length) : null
  const input = fromGithub ?? (plugin.type === 'npm' && plugin.name && TARBALL.test(plugin.name) && plugin.tag === 'latest' ? plugin.name : null)
  return input !== null && isInstallable(input) ? resolve(input) : null
}

/** A tarball, or a folder holding a package.json. */
function isInstallable(path: string) {
  const absolute = resolve(path)
  if (!existsSync(absolute)) return false
  if (statSync(absolute).isDirectory()) return existsSync(resolve(absolute, 'package.json'))
  return TARBALL.test(absolute)
}

export default hook
