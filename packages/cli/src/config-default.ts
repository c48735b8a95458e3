import { CONFIG_DEFAULTS, type ResolvedConfig } from '@cooperbench/config'

/** A config key, or `image.namespace` / `image.template`. */
export type DefaultedKey = keyof ResolvedConfig | `image.${keyof ResolvedConfig['image']}`

/** A flag description ending in the key's real default (`[default: 30]`), so help never drifts; the flag sets none, so file and environment still apply. */
export function withDefault(description: string, key: DefaultedKey): string {
  const value = key.startsWith('image.')
    ? CONFIG_DEFAULTS.image[key.slice('image.'.length) as keyof ResolvedConfig['image']]
    : CONFIG_DEFAULTS[key as keyof ResolvedConfig]
  return `${description} [default: ${value === null ? 'none' : String(value)}]`
}
