import { existsSync, realpathSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { CooperbenchError } from '@cooperbench/core'
import { writeJsonAtomic } from '@cooperbench/results'

/**
 * Packages plugins peer-depend on that the CLI brings: plugins use its copy (one copy of the contracts, none fetched). Core stays while
 * some need it; the team setting is there for settings composed on it (its task list, the setting to wrap).
 */
export const HOST_PACKAGES = [
  '@cooperbench/spec',
  '@cooperbench/spec-utils',
  '@cooperbench/backend-kit',
  '@cooperbench/core',
  '@cooperbench/setting-team',
] as const

const requireFromCli = createRequire(import.meta.url)

/** The real folder of the CLI's copy of each host package. */
export function hostPackageDirs(): Record<string, string> {
  return Object.fromEntries(HOST_PACKAGES.map((name) => [name, realpathSync(dirname(resolveFromCli(`${name}/package.json`)))]))
}

/** A module of the CLI's own dependencies, or of a plugin it loads (`@cooperbench/setting-team`, a nested plugin of `@cooperbench/builtins`). */
function resolveFromCli(specifier: string) {
  try {
    return requireFromCli.resolve(specifier)
  } catch (error) {
    const manifest = requireFromCli('../package.json') as { oclif?: { plugins?: string[] } }
    for (const plugin of manifest.oclif?.plugins ?? []) {
      try {
        return createRequire(requireFromCli.resolve(`${plugin}/package.json`)).resolve(specifier)
      } catch {
        // Not this plugin's.
      }
    }
    throw error
  }
}

/** What @oclif/plugin-plugins writes into a fresh data dir (`initPJSON`), so either may write first. */
const EMPTY_DATA_DIR_MANIFEST = { private: true, oclif: { schema: 1, plugins: [] as unknown[] }, dependencies: {} }

/**
 * Names the host packages as `file:` peers in the plugin data dir's package.json: npm links a root project's peers to the CLI's folders,
 * so a plugin's peer is met, nothing fetched. Not `dependencies`: @oclif/plugin-plugins finds a plugin installed from a folder by the
 * first folder entry there. npm keeps them through installs and uninstalls; a CLI that moved rewrites them at the next install.
 */
export async function provideHostPackages(dataDir: string, dirs = hostPackageDirs()): Promise<void> {
  const manifestPath = join(dataDir, 'package.json')
  const manifest: Record<string, unknown> = existsSync(manifestPath)
    ? parseManifest(await readFile(manifestPath, 'utf8'), manifestPath)
    : structuredClone(EMPTY_DATA_DIR_MANIFEST)
  const peers = (manifest.peerDependencies ?? {}) as Record<string, string>
  const wanted = Object.fromEntries(Object.entries(dirs).map(([name, dir]) => [name, `file:${dir}`]))
  if (Object.entries(wanted).every(([name, spec]) => peers[name] === spec)) return
  manifest.peerDependencies = { ...peers, ...wanted }
  await mkdir(dataDir, { recursive: true })
  await writeJsonAtomic(manifestPath, manifest)
}

function parseManifest(text: string, path: string) {
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch (error) {
    throw new CooperbenchError('PLUGIN_FAILED', `the plugin data dir's ${path} is not valid JSON`, {
      hint: 'Fix or remove the file (it lists the installed plugins), then install again.',
      cause: error,
    })
  }
}

/**
 * The data dir's host packages that are not this CLI's, each with what it has instead: another cooperbench's folder (the data dir
 * is shared by the user's installs; the last `plugins install` linked its own), a link whose target is gone, or nothing.
 */
export function foreignHostPackages(dataDir: string, dirs = hostPackageDirs()): Map<string, string> {
  const foreign = new Map<string, string>()
  for (const [name, dir] of Object.entries(dirs)) {
    const installed = join(dataDir, 'node_modules', name)
    let target: string | null
    try {
      target = realpathSync(installed)
    } catch {
      target = null
    }
    if (target === dir) continue
    foreign.set(name, target ?? (existsSync(dirname(installed)) ? `a link whose target is gone (${installed})` : 'missing'))
  }
  return foreign
}
