import { redactUrlCredentials } from '@cooperbench/spec'
import { CooperbenchError } from '@cooperbench/spec'

/** Where the bus connects when no `url` is given (the Redis default port on this machine). */
export const DEFAULT_REDIS_URL = 'redis://localhost:6379'

/** The options of bus `redis` as they appear in the config file (`buses.redis`) or `--redis`. */
export interface RedisBusOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://…`. Default `redis://localhost:6379`. */
  url?: string
  /**
   * How long one bus call waits for Redis before it returns what it has (receive), or returns
   * with the message journaled for later delivery (send). Default 3 000 ms.
   */
  operationTimeoutMs?: number
}

export const DEFAULT_REDIS_OPERATION_TIMEOUT_MS = 3_000

/** JSON schema of {@link RedisBusOptions}; the config is validated against it before `create`. */
export const redisBusOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    url: {
      type: 'string',
      pattern: '^rediss?://',
      description: `Redis server URL, redis:// or rediss:// (default: ${DEFAULT_REDIS_URL}).`,
    },
    operationTimeoutMs: {
      type: 'integer',
      minimum: 50,
      maximum: 600_000,
      description: `How long one bus call waits for an unreachable Redis before returning (default: ${DEFAULT_REDIS_OPERATION_TIMEOUT_MS}).`,
    },
  },
} as const satisfies Record<string, unknown>

/** Resolved options: every field present. */
export interface ResolvedRedisBusOptions {
  url: string
  operationTimeoutMs: number
}

/**
 * Checks options that reached the factory. The host validates against the schema first; this
 * repeats the checks so that a programmatic caller gets the same clear error.
 */
export function parseRedisBusOptions(options: Record<string, unknown>): ResolvedRedisBusOptions {
  const problems: string[] = []
  const known = Object.keys(redisBusOptionsSchema.properties)
  for (const key of Object.keys(options)) if (!known.includes(key)) problems.push(`unknown option "${key}"`)
  const { url, operationTimeoutMs } = options
  if (url !== undefined && !(typeof url === 'string' && isRedisUrl(url))) {
    problems.push(`"url" must be a redis:// or rediss:// URL, got ${typeof url === 'string' ? JSON.stringify(redactUrlCredentials(url)) : typeof url}`)
  }
  if (
    operationTimeoutMs !== undefined &&
    !(Number.isInteger(operationTimeoutMs) && (operationTimeoutMs as number) >= 50 && (operationTimeoutMs as number) <= 600_000)
  ) {
    problems.push('"operationTimeoutMs" must be an integer between 50 and 600000')
  }
  if (problems.length > 0) {
    throw new CooperbenchError('CONFIG_INVALID', 'invalid options for bus "redis"', {
      details: problems,
      hint: `Allowed options: ${known.join(', ')}; e.g. --redis redis://localhost:6379.`,
    })
  }
  return {
    url: (url as string | undefined) ?? DEFAULT_REDIS_URL,
    operationTimeoutMs: (operationTimeoutMs as number | undefined) ?? DEFAULT_REDIS_OPERATION_TIMEOUT_MS,
  }
}

function isRedisUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== ''
  } catch {
    return false
  }
}
