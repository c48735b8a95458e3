import type { FactoryContext, Registration } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { RedisBus } from './redis-bus.js'
import { type RedisBusOptions, redisBusOptionsSchema } from './redis-options.js'

/** Creates the `redis` bus from options that fit {@link redisBusOptionsSchema} (the host checks them first). */
export function createRedisBus(context: Partial<FactoryContext> = {}): RedisBus {
  return new RedisBus(context.options as Partial<RedisBusOptions> | undefined, context.logger ?? silentLogger)
}

/** The registration of bus `redis` for a plugin's `register(api)`: `api.bus(redisBusRegistration)`. */
export const redisBusRegistration = {
  name: 'redis',
  specificationVersion: 'bus-v1',
  description: 'Redis message bus: reference-compatible inbox keys, survives dropped connections and Redis restarts',
  optionsSchema: redisBusOptionsSchema,
  create: (context: FactoryContext) => createRedisBus(context),
} satisfies Omit<Registration<'bus'>, 'kind'>
