import { DECLARED_KEYS, flagNameOf } from './declared-keys.js'
import { CONFIG_ENV_VARIABLES } from './env.js'
import type { ConfigFlags, ConfigLayer, ResolvedConfig } from './types.js'

/** What `keySource` reads of resolved settings: each key's layer, and the config file. */
export interface KeyLayers {
  layers: Record<keyof ResolvedConfig, ConfigLayer>
  file: string | null
}

/**
 * Where a setting's value came from, as a hint names it: its flag (`--redis`), or its key in a
 * script's options when `flagsSource` names them (as `resolveLayeredConfig` takes it: `the options
 * given to run()`), its variable (`COOPERBENCH_REDIS_URL`), its key in the config file (or in the
 * config a script gave), or its default.
 */
export function keySource(key: keyof ResolvedConfig, settings: KeyLayers, flagsSource?: string): string {
  switch (settings.layers[key]) {
    case 'flags': {
      if (flagsSource !== undefined) return `${key} in ${flagsSource}`
      const setting = DECLARED_KEYS.find((declared) => declared.path.length === 1 && declared.path[0] === key)
      const flag = setting === undefined ? undefined : flagNameOf(setting)
      return flag === undefined ? (COMMAND_FLAGS[key] ?? 'the command line') : `--${flag}`
    }
    case 'env':
      return `${CONFIG_ENV_VARIABLES[key as keyof ConfigFlags] ?? 'a COOPERBENCH_* variable'} (the environment or .env)`
    case 'file':
      return `${key} in ${settings.file ?? 'the config given to run()/evaluate()'}`
    default:
      return `the default ${key}`
  }
}

/**
 * Settings whose flags the commands declare themselves, not the declaration (the run's name and
 * the filters, which `run`, `eval` and `report` spell alike): what an error names for a value given there.
 */
const COMMAND_FLAGS: Partial<Record<string, string>> = {
  runName: '-n/--name',
  subset: '-s/--subset',
  repo: '-r/--repo',
  taskId: '-t/--task',
  features: '-f/--features',
}

/**
 * The flag a config key (`runName`, `image.template`, or a path inside one: `features.0`) is
 * given by on the command line, as an error names it: `-n/--name`, `-c/--concurrency`,
 * `--image-template`; undefined when no flag sets it.
 */
export function flagOfKey(path: string): string | undefined {
  const parts = path.split('.')
  for (const key of [parts.slice(0, 2).join('.'), parts[0]!]) {
    const own = COMMAND_FLAGS[key]
    if (own !== undefined) return own
    const setting = DECLARED_KEYS.find((declared) => declared.path.join('.') === key)
    const flag = setting === undefined ? undefined : flagNameOf(setting)
    if (flag !== undefined) return setting?.spellings.char === undefined ? `--${flag}` : `-${setting.spellings.char}/--${flag}`
  }
  return undefined
}
