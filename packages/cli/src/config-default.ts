import { CONFIG_DEFAULTS, type ResolvedConfig } from '@cooperbench/core/config'

/** A config key, or `image.namespace` / `image.template`. */
export type DefaultedKey = keyof ResolvedConfig | `image.${keyof ResolvedConfig['image']}`

/** The built-in default of a config key, as help shows it. */
export function configDefault(key: DefaultedKey): string {
  const value = key.startsWith('image.')
    ? CONFIG_DEFAULTS.image[key.slice('image.'.length) as keyof ResolvedConfig['image']]
    : CONFIG_DEFAULTS[key as keyof ResolvedConfig]
  return value === null ? 'none' : String(value)
}

/**
 * A flag description ending in the config key's real default (`[default: 30]`), so help never
 * drifts from the defaults the run uses; the flag itself sets no default, so the config file and
 * the environment still apply when it is not given.
 */
export function withDefault(description: string, key: DefaultedKey): string {
  return `${description} [default: ${configDefault(key)}]`
}
