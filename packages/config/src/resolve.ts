import os from 'node:os'
import path from 'node:path'
import { CONFIG_DEFAULTS, DEFAULT_REDIS_URL } from './defaults.js'
import { configFromEnv } from './env.js'
import { loadConfigFile } from './load.js'
import { configLoadTimeoutMs } from './load-bound.js'
import { isPlainObject, mergeDeep } from './objects.js'
import type { ConfigFlags, ConfigLayer, CooperbenchConfig, ResolvedConfig } from './types.js'
import { flagOfKey } from './key-source.js'
import { configProblems, findConfigProblems, formatProblem, invalidConfigError, validateConfig } from './validate.js'

export interface ResolveConfigOptions {
  /** Working directory: where the config search starts and what relative flags/env paths mean. */
  cwd: string
  /** Where `COOPERBENCH_*` is read: `process.env` as it is by default; `loadDotEnv(cwd)` includes `.env`. */
  env?: NodeJS.ProcessEnv
  /** Command-line values; a key whose value is `undefined` was not given. */
  flags?: ConfigFlags
  /** `--config`: this file instead of searching (relative to `cwd`). */
  configPath?: string
  /** What the `flags` layer is called in errors when it is not the command line (`the options given to run()`). */
  flagsSource?: string
  /** A script's configuration value in the file layer's place (no file searched), its relative paths relative to `cwd`. */
  inlineConfig?: CooperbenchConfig
  /** Aborting it while the config file loads ends the loading at once (INTERRUPTED). */
  signal?: AbortSignal
}

export interface ResolvedConfigResult {
  config: ResolvedConfig
  sources: {
    /** The config file used, or `null`. */
    file: string | null
    /** For each top-level key, the highest layer that set it. */
    keys: Record<keyof ResolvedConfig, ConfigLayer>
    /** The settings' options (`settings`) as the file and the flags gave them: a setting's own variables go between the two. */
    settingOptions: { file: ResolvedConfig['settings']; flags: ResolvedConfig['settings'] }
  }
}

const PATH_KEYS = ['datasetDir', 'logDir', 'agentConfig'] as const

/**
 * Defaults < config file < environment < flags: plain objects (`image`, `agents`, …) merge by key; `plugins` accumulate without
 * duplicates (the environment does not drop the project's); anything else is replaced by the higher layer.
 *
 * Relative paths (`datasetDir`, `logDir`, `agentConfig`, plugins starting with `.`) resolve against the config file's folder when from
 * it, else `cwd`; `~/` is home. The bus is `redis` when a layer at least as high as the one naming a bus gives a Redis URL, else the
 * named one (default `memory`); `redis` without a URL gets `redis://localhost:6379`. Each layer is validated alone (problems name
 * its file, variable or flag), then the merged result.
 */
export async function resolveConfig(options: ResolveConfigOptions): Promise<ResolvedConfigResult> {
  const cwd = path.resolve(options.cwd)
  const env = options.env ?? process.env
  const file =
    options.inlineConfig !== undefined
      ? { config: validateConfig(options.inlineConfig, 'the config given to run()/evaluate()'), filepath: null }
      : await loadConfigFile(cwd, options.configPath, { timeoutMs: configLoadTimeoutMs(env), signal: options.signal })
  const envConfig = configFromEnv(env)
  const flags = definedOnly(options.flags ?? {})
  const flagProblems = findConfigProblems(flags)
  if (flagProblems.length > 0) {
    if (options.flagsSource === undefined) {
      // Given as flags: each problem names its flag (`-n/--name`), not the config key the flag sets.
      const named = flagProblems.map((problem) => `${flagGiven(problem.path, flags)}: ${problem.message}`)
      throw invalidConfigError('command-line flags', named, { hint: 'Fix those flags; `--help` says what each takes.' })
    }
    // A script prints its message, not the details under it: the message carries them.
    const problems = flagProblems.map(formatProblem)
    throw invalidConfigError(`${options.flagsSource}: ${problems.join('; ')}`, problems, { hint: 'Fix those options (the config keys, camelCased).' })
  }

  const { $schema: _schema, ...fileConfig } = file?.config ?? {}
  const layers: [ConfigLayer, CooperbenchConfig][] = [
    ['file', resolvePaths(fileConfig, file?.filepath ? path.dirname(file.filepath) : cwd)],
    ['env', resolvePaths(envConfig, cwd)],
    ['flags', resolvePaths(flags, cwd)],
  ]

  const defaults = resolvePaths(CONFIG_DEFAULTS, cwd) as Record<string, unknown>
  let merged = defaults
  const keys = Object.fromEntries(Object.keys(CONFIG_DEFAULTS).map((key) => [key, 'default'])) as Record<keyof ResolvedConfig, ConfigLayer>
  const plugins: string[] = []
  for (const [layer, config] of layers) {
    merged = mergeDeep(merged, config as Record<string, unknown>)
    for (const [key, value] of Object.entries(config)) if (isGiven(value)) keys[key as keyof ResolvedConfig] = layer
    for (const plugin of config.plugins ?? []) if (!plugins.includes(plugin)) plugins.push(plugin)
  }
  const config = merged as unknown as ResolvedConfig
  config.plugins = plugins

  const busLayer = layers.findLastIndex(([, c]) => c.bus !== undefined)
  const redisLayer = layers.findLastIndex(([, c]) => typeof c.redisUrl === 'string')
  if (redisLayer >= 0 && redisLayer > busLayer) {
    config.bus = 'redis'
    keys.bus = keys.redisUrl
  }
  // The bus's own section may name its URL (`buses.redis.url`): it is the run's Redis URL, not overridden by the default.
  if (config.bus === 'redis' && config.redisUrl === null) {
    const sectionUrl = config.buses['redis']?.['url']
    config.redisUrl = typeof sectionUrl === 'string' ? sectionUrl : DEFAULT_REDIS_URL
  }
  if (config.features) config.features = [...new Set(config.features)].sort((a, b) => a - b)

  const problems = configProblems(config)
  if (problems.length > 0) throw invalidConfigError('the resolved configuration', problems)
  const settingOptions = { file: (fileConfig.settings ?? {}) as ResolvedConfig['settings'], flags: (flags.settings ?? {}) as ResolvedConfig['settings'] }
  return { config, sources: { file: file?.filepath ?? null, keys, settingOptions } }
}

/** A flag and the value it was given (`-n/--name "../x"`), for the config key at `path`; the key itself when no flag sets it. */
function flagGiven(path: string, flags: ConfigFlags) {
  const flag = flagOfKey(path)
  if (flag === undefined) return path === '' ? '(root)' : path
  const value = (flags as Record<string, unknown>)[path.split('.')[0]!]
  return typeof value === 'string' || typeof value === 'number' ? `${flag} ${JSON.stringify(value)}` : flag
}

/** `undefined`, or an object holding nothing but `undefined` (`image: { namespace: undefined }`), is not given. */
function isGiven(value: unknown) {
  return isPlainObject(value) ? Object.values(value).length === 0 || Object.values(value).some(isGiven) : value !== undefined
}

function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as T
}

/** A copy of `config` with its relative paths made absolute against `base`. */
function resolvePaths<T extends CooperbenchConfig>(config: T, base: string): T {
  const copy: CooperbenchConfig = { ...config }
  for (const key of PATH_KEYS) {
    const value = copy[key]
    if (typeof value === 'string') copy[key] = path.resolve(base, expandHome(value))
  }
  if (copy.plugins) copy.plugins = copy.plugins.map((plugin) => resolvePluginSpecifier(plugin, base))
  return copy as T
}

/** Local plugin modules (`./x`, `../x`, `~/x`, absolute) become absolute paths; package names stay. */
function resolvePluginSpecifier(specifier: string, base: string) {
  const expanded = expandHome(specifier)
  if (expanded.startsWith('.') || path.isAbsolute(expanded)) return path.resolve(base, expanded)
  return specifier
}

function expandHome(value: string) {
  if (value === '~') return os.homedir()
  if (value.startsWith('~/') || value.startsWith(`~${path.sep}`)) return path.join(os.homedir(), value.slice(2))
  return value
}
