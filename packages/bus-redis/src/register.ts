import { definePlugin, type FactoryContext, type Registration } from '@cooperbench/spec'
import { packageVersion } from '@cooperbench/spec-utils'
import { RedisBus } from './redis-bus.js'
import { type RedisBusOptions, redisBusOptionsSchema } from './redis-options.js'

/** The registration of bus `redis` for `api.bus(redisBusRegistration)`; `create` gets options the host checked against the schema. */
export const redisBusRegistration = {
  name: 'redis',
  specificationVersion: 'bus-v1',
  description: 'Redis message bus: reference-compatible inbox keys, survives dropped connections and Redis restarts',
  optionsSchema: redisBusOptionsSchema,
  create: (context: FactoryContext) => new RedisBus(context.options as Partial<RedisBusOptions>, context.logger),
} satisfies Omit<Registration<'bus'>, 'kind'>

/** The plugin that contributes bus `redis` (`--redis URL`); ioredis loads with the first connection, not when registering. */
export default definePlugin({
  name: '@cooperbench/bus-redis',
  version: packageVersion(import.meta.url),
  // First-party plugins move in lockstep with core's minor version.
  coreRange: '^0.1.0',
  register(api) {
    api.bus(redisBusRegistration)
  },
})
