import { DECLARED_KEYS, flagNameOf } from './declared-keys.js'
import { CONFIG_ENV_VARIABLES } from './env.js'
import type { ConfigFlags, ConfigLayer, ResolvedConfig } from './types.js'

/** What `keySource` reads of resolved settings: each key's layer, and the config file. */
export interface KeyLayers {
  layers: Record<keyof ResolvedConfig, ConfigLayer>
  file: string | null
}

/**
 * Where a value came from, as a hint names it: its flag (`--redis`) or, with `flagsSource`, its key in a script's options; its variable
 * (`COOPERBENCH_REDIS_URL`); its key in the config file or value; or its default.
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

/** Settings whose flags the commands declare (the run's name, the filters `run`, `eval` and `report` share, `run --seat`): what an error names. */
const COMMAND_FLAGS: Partial<Record<string, string>> = {
  runName: '-n/--name',
  subset: '-s/--subset',
  repo: '-r/--repo',
  taskId: '-t/--task',
  features: '-f/--features',
  seats: '--seat',
}

/** The flag giving a config key (`runName`, `image.template`, `features.0`), as errors name it: `-n/--name`, `--image-template`; or undefined. */
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
