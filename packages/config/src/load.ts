import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { cosmiconfig, type Loader } from 'cosmiconfig'
import type { Jiti } from 'jiti'
import { CooperbenchError, errorMessage, isCooperbenchError } from '@cooperbench/spec'
import { type ConfigLoadBound, settledWithinBound } from './load-bound.js'
import type { CooperbenchConfig } from './types.js'
import { validateConfig } from './validate.js'

/** Where a config file is looked for in each directory, first match wins. */
export const CONFIG_SEARCH_PLACES: readonly string[] = [
  'package.json',
  '.cooperbenchrc',
  '.cooperbenchrc.json',
  '.cooperbenchrc.yaml',
  '.cooperbenchrc.yml',
  '.cooperbenchrc.js',
  '.cooperbenchrc.mjs',
  '.cooperbenchrc.cjs',
  '.cooperbenchrc.ts',
  'cooperbench.config.ts',
  'cooperbench.config.mts',
  'cooperbench.config.mjs',
  'cooperbench.config.js',
  'cooperbench.config.cjs',
  'cooperbench.config.json',
  'cooperbench.config.yaml',
  'cooperbench.config.yml',
]

export interface LoadedConfigFile {
  /** The file's content, validated against the config schema; paths still as written. */
  config: CooperbenchConfig
  filepath: string
}

let jiti: Jiti | undefined

/** JS/TS files go through jiti (no compiler; no module cache, so an edited file is read afresh), their import bounded. */
function explorerWithin(bound: ConfigLoadBound) {
  const loadModule: Loader = async (filepath) => {
    // Imported here, not at the top: most commands find no module config file and need not load jiti at all.
    jiti ??= (await import('jiti')).createJiti(import.meta.url, { moduleCache: false, fsCache: false, interopDefault: false })
    const loaded: unknown = await settledWithinBound(jiti.import(filepath), filepath, 'module', bound)
    return exportedValue(loaded)
  }
  return cosmiconfig('cooperbench', {
    searchPlaces: [...CONFIG_SEARCH_PLACES],
    loaders: { '.ts': loadModule, '.mts': loadModule, '.cts': loadModule, '.js': loadModule, '.mjs': loadModule, '.cjs': loadModule },
    // We walk the directories ourselves (see `searchDirectories`).
    searchStrategy: 'none',
    // An empty file found first is still the config file (an empty one), not a reason to look further up.
    ignoreEmptySearchPlaces: false,
    cache: false,
  })
}

/**
 * `explicitPath` (relative to `cwd`) exactly, CONFIG_NOT_FOUND when missing; else from `cwd` up to the project root (nearest folder
 * with a `package.json` or `.git`) and never past it, so a stray file above or at home is never used; with no root, only `cwd`.
 *
 * A module's `default` export is the config (else its named exports); a function is called and awaited. Unreadable or invalid content,
 * or a module or function that cannot settle or exceeds `bound.timeoutMs`, is CONFIG_INVALID naming the file; aborting is INTERRUPTED.
 */
export async function loadConfigFile(cwd: string, explicitPath?: string, bound: ConfigLoadBound = {}): Promise<LoadedConfigFile | null> {
  const explorer = explorerWithin(bound)
  if (explicitPath !== undefined) {
    const filepath = path.resolve(cwd, explicitPath)
    if (!existsSync(filepath) || !statSync(filepath).isFile()) {
      throw new CooperbenchError('CONFIG_NOT_FOUND', `config file not found: ${filepath}`, {
        hint: `Check the path given with --config (relative paths start at ${cwd}).`,
      })
    }
    const result = await readConfig(filepath, () => explorer.load(filepath))
    return finish(filepath, result?.config, bound)
  }
  for (const directory of searchDirectories(cwd)) {
    const result = await readConfig(directory, () => explorer.search(directory))
    if (result) return finish(result.filepath, result.config, bound)
  }
  return null
}

/** The directories searched for a config file, `cwd` first (see `loadConfigFile`). */
export function searchDirectories(cwd: string): string[] {
  const directories: string[] = []
  let directory = path.resolve(cwd)
  for (;;) {
    directories.push(directory)
    if (existsSync(path.join(directory, 'package.json')) || existsSync(path.join(directory, '.git'))) return directories
    const parent = path.dirname(directory)
    if (parent === directory) return [path.resolve(cwd)]
    directory = parent
  }
}

async function readConfig<T>(where: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (error) {
    if (isCooperbenchError(error)) throw error
    const filepath = (error as { filepath?: unknown }).filepath
    throw loadError(typeof filepath === 'string' ? filepath : where, error)
  }
}

async function finish(filepath: string, loaded: unknown, bound: ConfigLoadBound): Promise<LoadedConfigFile> {
  let config = loaded
  if (typeof config === 'function') {
    const exported = config as () => unknown
    config = await readConfig(filepath, () => settledWithinBound(Promise.resolve(exported()), filepath, 'exported function', bound))
  }
  // An empty file, or a package.json without a `cooperbench` key given explicitly.
  config ??= {}
  return { config: validateConfig(config, filepath), filepath }
}

function loadError(filepath: string, error: unknown) {
  // cosmiconfig prefixes parse errors with "JSON Error in <file>:"; we name the file ourselves.
  const lines = errorMessage(error)
    .replace(/^(JSON|YAML|TypeScript) Error in [^\n]*:\n/, '')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== '')
  const [first = 'unknown error', ...rest] = lines
  const unsupported = /No loader specified/.test(first)
  return new CooperbenchError('CONFIG_INVALID', `cannot load config file ${filepath}: ${first}`, {
    cause: error,
    details: rest,
    hint: unsupported
      ? `Config files are JSON, YAML, JavaScript or TypeScript: ${CONFIG_SEARCH_PLACES.filter((p) => p !== 'package.json').join(', ')}.`
      : `Fix the file, or pass another one with --config.`,
  })
}

/** The config a module exports: its `default` export, else its named exports. */
function exportedValue(loaded: unknown): unknown {
  if (loaded === null || typeof loaded !== 'object') return loaded
  const exports = loaded as Record<string, unknown>
  if ('default' in exports && exports['default'] !== undefined) return exports['default']
  return { ...exports }
}
