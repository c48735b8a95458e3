import { CooperbenchError, isCooperbenchError } from '@cooperbench/core'
import { type ResolvedConfig, type KeyLayers, keySource } from '@cooperbench/config'

/**
 * `error`, but when bus `bus` refuses its `url` while `redisUrl` is set, hinting where the URL was set (`--redis`, `COOPERBENCH_REDIS_URL`,
 * config file): the bus gets it as `buses.<bus>.url` (`busOptionsFor`), a key the registry's hint would name though the user never wrote it.
 */
export function withBusUrlSource(error: unknown, bus: string, settings: KeyLayers & { config: ResolvedConfig }, flagsSource?: string): unknown {
  if (!isCooperbenchError(error) || error.code !== 'CONFIG_INVALID' || settings.config.redisUrl === null) return error
  const urlKey = `buses.${bus}.url`
  const isUrl = (detail: string) => detail.startsWith(`${urlKey}:`)
  if (!error.details.some(isUrl)) return error
  const others = error.details.some((detail) => !isUrl(detail)) ? `, and the other keys in buses.${bus} of the config file` : ''
  return new CooperbenchError(error.code, error.message, {
    details: error.details,
    hint: `${urlKey} is the Redis URL, set by ${keySource('redisUrl', settings, flagsSource)}: fix it there${others}.`,
    cause: error,
  })
}
