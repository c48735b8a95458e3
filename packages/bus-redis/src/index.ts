export { REDIS_BUS_KEY_TTL_SECONDS, RedisBus } from './redis-bus.js'
export { createRedisBus, redisBusRegistration } from './registration.js'
export {
  DEFAULT_REDIS_OPERATION_TIMEOUT_MS,
  parseRedisBusOptions,
  type RedisBusOptions,
  redisBusOptionsSchema,
  type ResolvedRedisBusOptions,
} from './redis-options.js'
export { type OrderedMessage, sortChronologically } from './transcript-order.js'
export { type BusKeys, busKeys, decodeMessage, encodeMessage } from './wire.js'
