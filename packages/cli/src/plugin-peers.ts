import { execFileSync } from 'node:child_process'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import semver from 'semver'
import { CooperbenchError } from '@cooperbench/core'
import { HOST_PACKAGES, hostPackageDirs } from './host-packages.js'

/** What a plugin package declares that the peer check reads. */
export interface PluginManifest {
  name?: string
  version?: string
  peerDependencies?: Record<string, string>
}

/** One of the CLI's own packages whose version a plugin's peer range excludes. */
export interface PeerMismatch {
  peer: string
  range: string
  /** The version of the CLI's own copy. */
  hostVersion: string
}

/** The versions of the CLI's own `@cooperbench/*` packages, which an installed plugin's peers resolve to. */
export function hostPackageVersions(dirs = hostPackageDirs()): Record<string, string> {
  return Object.fromEntries(
    Object.entries(dirs).map(([name, dir]) => [name, (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version]),
  )
}

/** The peers on the CLI's packages whose ranges the CLI's copies do not satisfy (prereleases count as their version). */
export function peerMismatches(manifest: PluginManifest, hostVersions: Record<string, string>): PeerMismatch[] {
  const mismatches: PeerMismatch[] = []
  for (const peer of HOST_PACKAGES) {
    const range = manifest.peerDependencies?.[peer]
    const hostVersion = hostVersions[peer]
    if (range === undefined || hostVersion === undefined) continue
    // A range npm itself would not read (`file:`, a URL) is left to npm.
    if (semver.validRange(range) === null) continue
    if (!semver.satisfies(hostVersion, range, { includePrerelease: true })) mismatches.push({ peer, range, hostVersion })
  }
  return mismatches
}

/** Refuses a plugin whose peers exclude the CLI's packages, naming peer, range, CLI version, side to upgrade (else npm's ERESOLVE: `provideHostPackages`). */
export function peerMismatchError(manifest: PluginManifest, mismatches: PeerMismatch[]): CooperbenchError {
  const plugin = `${manifest.name ?? 'the plugin'}${manifest.version ? `@${manifest.version}` : ''}`
  const needs = mismatches.map((m) => `${m.peer} ${m.range}, and this cooperbench has ${m.peer} ${m.hostVersion}`).join('; ')
  const newer = mismatches.some((m) => semver.ltr(m.hostVersion, m.range, { includePrerelease: true }))
  return new CooperbenchError('PLUGIN_INCOMPATIBLE', `cannot install ${plugin}: it needs ${needs}`, {
    hint: newer
      ? `${manifest.name ?? 'The plugin'} is built for a newer cooperbench: upgrade cooperbench, or install a release of the plugin whose peer range includes ${mismatches[0]!.hostVersion}.`
      : `${manifest.name ?? 'The plugin'} is built for an older cooperbench: install a newer release of it, or ask its authors to widen its peerDependencies to ${mismatches[0]!.hostVersion}.`,
  })
}

/** The package.json of a local plugin: a folder's, or the one inside an npm tarball (`package/package.json`). */
export function readLocalManifest(path: string): PluginManifest | null {
  try {
    const text = statSync(path).isDirectory()
      ? readFileSync(join(path, 'package.json'), 'utf8')
      : execFileSync('tar', ['-xzOf', path, 'package/package.json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    return JSON.parse(text) as PluginManifest
  } catch {
    // Unreadable here: npm reports what is wrong with it.
    return null
  }
}
