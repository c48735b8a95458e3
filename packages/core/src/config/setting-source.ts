import { DECLARED_SETTINGS, flagNameOf } from './declared-settings.js'
import { CONFIG_ENV_VARIABLES } from './env.js'
import type { ConfigLayer } from './resolve.js'
import type { ConfigFlags, ResolvedConfig } from './types.js'

/** What `settingSource` reads of resolved settings: each key's layer, and the config file. */
export interface SettingLayers {
  layers: Record<keyof ResolvedConfig, ConfigLayer>
  file: string | null
}

/**
 * Where a setting's value came from, as a hint names it: its flag (`--redis`), or its key in a
 * script's options when `flagsSource` names them (as `resolveSettings` takes it: `the options
 * given to run()`), its variable (`COOPERBENCH_REDIS_URL`), its key in the config file (or in the
 * config a script gave), or its default.
 */
export function settingSource(key: keyof ResolvedConfig, settings: SettingLayers, flagsSource?: string): string {
  switch (settings.layers[key]) {
    case 'flags': {
      if (flagsSource !== undefined) return `${key} in ${flagsSource}`
      const setting = DECLARED_SETTINGS.find((declared) => declared.path.length === 1 && declared.path[0] === key)
      const flag = setting === undefined ? undefined : flagNameOf(setting)
      return flag === undefined ? 'the command line' : `--${flag}`
    }
    case 'env':
      return `${CONFIG_ENV_VARIABLES[key as keyof ConfigFlags] ?? 'a COOPERBENCH_* variable'} (the environment or .env)`
    case 'file':
      return `${key} in ${settings.file ?? 'the config given to run()/evaluate()'}`
    default:
      return `the default ${key}`
  }
}
