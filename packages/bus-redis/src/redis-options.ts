import type { OptionsOf, OptionsSchema } from '@cooperbench/spec'
import { optionsDefaults } from '@cooperbench/spec-utils'

/** The options of bus `redis` (`buses.redis`, `url` also from `--redis`), validated and defaulted by the registry before `create`. */
export const redisBusOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    url: {
      type: 'string',
      // A scheme, then a host (after optional credentials): `redis://` alone names no server. A path is a database number:
      // for `/abc` the client would send `SELECT NaN` and fail outside any caller, leaving the run's lock behind.
      pattern: '^rediss?://([^@/?#]*@)?[^:/?#@][^/?#]*(/[0-9]*)?([?#].*)?$',
      patternErrorMessage: 'must be a redis:// or rediss:// URL naming a host, with a database number as its path if any (redis://host:6379/0)',
      default: 'redis://localhost:6379',
      description: 'Redis server URL, redis://[user:password@]host[:port][/db] or rediss://…; db is a number.',
    },
    operationTimeoutMs: {
      type: 'integer',
      minimum: 50,
      maximum: 600_000,
      default: 3_000,
      description:
        'How long one bus call waits for an unreachable Redis before it returns what it has (receive), or returns with the message journaled for later delivery (send).',
    },
  },
} as const satisfies OptionsSchema

/** The options of bus `redis` as the registry hands them over, defaults filled in. */
export type RedisBusOptions = OptionsOf<typeof redisBusOptionsSchema>

export const REDIS_DEFAULTS: RedisBusOptions = optionsDefaults(redisBusOptionsSchema)
