import type { Redis } from 'ioredis'
import { CooperbenchError, errorMessage, type SharedLog } from '@cooperbench/spec'
import { redactUrlCredentials } from '@cooperbench/spec-utils'
import { settleWithin, TIMED_OUT } from './bounded-wait.js'
import type { RedisBusOptions } from './redis-options.js'
import { redisClientClass } from './wire.js'

/** A log's stream, under the namespace's prefix (`clear(namespace)` deletes it with the namespace's messages). */
export const logKey = (namespace: string, name: string) => `${namespace}:log:${name}`

/**
 * Appends `ARGV[3..]` to the stream `KEYS[1]` when its last entry is `ARGV[1]` (`0-0`: it has none), refreshing its TTL (`ARGV[2]`
 * seconds): the new last id; `false` when another append came first; `lost` when the stream is gone after the handle saw entries.
 */
const APPEND_SCRIPT = `
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
local lastId = '0-0'
if #last > 0 then lastId = last[1][1] end
if lastId ~= ARGV[1] then
  if lastId == '0-0' then return 'lost' end
  return false
end
local id = lastId
for i = 3, #ARGV do id = redis.call('XADD', KEYS[1], '*', 'e', ARGV[i]) end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return id
`

type StreamEntry = [id: string, fields: string[]]

/**
 * The shared logs of a Redis bus: one stream each, every append one script. Unlike messages it never waits out an outage (its own
 * connection, nothing queued or resent): an unanswered call rejects with BACKEND_UNAVAILABLE, an append's outcome then unknown, as a
 * claim must never be reported won or lost on a guess. A wait blocks on `XREAD` on a connection of its own, which an abort closes.
 */
export class RedisLogs {
  private client: Redis | null = null

  constructor(
    private readonly options: Pick<RedisBusOptions, 'url' | 'operationTimeoutMs'>,
    private readonly ttlSeconds: number,
  ) {}

  open(namespace: string, name: string): SharedLog {
    const key = logKey(namespace, name)
    /** The last entry this handle read or appended (`0-0`: none). */
    let seen = '0-0'
    const lost = () =>
      new CooperbenchError('INFRA_FAILED', `the shared log ${key}: Redis no longer has it, though this handle read entries of it`, {
        hint: 'The Redis server lost its data (restarted without persistence, or flushed): run Redis with persistence and rerun the pair.',
      })
    const take = (entries: StreamEntry[]) => {
      if (entries.length > 0) seen = entries.at(-1)![0]
      return entries.map(([, fields]) => fields[1] ?? '')
    }
    const read = async () => {
      const [exists, entries] = (await this.run('read', false, (c) =>
        c
          .multi()
          .exists(key)
          .xrange(key, seen === '0-0' ? '-' : `(${seen}`, '+')
          .exec(),
      )) as [[null, number], [null, StreamEntry[]]]
      if (exists[1] === 0 && seen !== '0-0') throw lost()
      return take(entries[1])
    }
    return {
      read,
      append: async (entries) => {
        const reply = await this.run('append', true, (c) => c.eval(APPEND_SCRIPT, 1, key, seen, this.ttlSeconds, ...entries))
        // The script answers `lost` only to a handle that saw entries.
        if (reply === 'lost') throw lost()
        if (typeof reply !== 'string') return false
        seen = reply
        return true
      },
      wait: async (timeoutMs, signal) => {
        const ready = await read()
        if (ready.length > 0 || timeoutMs <= 0 || signal?.aborted) return ready
        const waited = await this.blockingRead(key, seen, timeoutMs, signal)
        return signal?.aborted ? [] : take(waited)
      },
      close: async () => {},
    }
  }

  async close(): Promise<void> {
    const client = this.client
    this.client = null
    if (client?.status === 'ready') await settleWithin(client.quit(), 1_000)
    client?.disconnect()
  }

  /** `XREAD BLOCK` after `after` on a connection of its own (a blocked connection answers nothing else). */
  private async blockingRead(key: string, after: string, timeoutMs: number, signal?: AbortSignal): Promise<StreamEntry[]> {
    const waiter = this.connection().duplicate({ connectionName: 'cooperbench-log-wait', lazyConnect: true })
    waiter.on('error', () => {})
    const abort = () => waiter.disconnect()
    signal?.addEventListener('abort', abort, { once: true })
    try {
      const connected = await settleWithin(waiter.connect(), this.options.operationTimeoutMs)
      if (!connected.ok) throw this.unavailable('wait', connected.error)
      const block = Math.max(1, Math.round(timeoutMs))
      const waited = await settleWithin(waiter.xread('BLOCK', block, 'STREAMS', key, after), timeoutMs + this.options.operationTimeoutMs)
      if (signal?.aborted) return []
      if (!waited.ok) throw this.unavailable('wait', waited.error)
      return (waited.value?.[0]?.[1] as StreamEntry[] | undefined) ?? []
    } finally {
      signal?.removeEventListener('abort', abort)
      waiter.disconnect()
    }
  }

  private connection(): Redis {
    if (this.client) return this.client
    this.client = new (redisClientClass())(this.options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt) => Math.min(attempt * 50, 1_000),
      connectionName: 'cooperbench-logs',
    })
    // Once per client: a listener per call would pile up on a client that lives as long as the bus.
    this.client.on('error', () => {})
    return this.client
  }

  /** One call on a ready connection (nothing queues, so a command goes out once or never), within the bus's bound. */
  private async run<T>(operation: string, changes: boolean, command: (client: Redis) => Promise<T>): Promise<T> {
    const client = this.connection()
    const deadline = Date.now() + this.options.operationTimeoutMs
    if (client.status === 'wait') await settleWithin(client.connect(), this.options.operationTimeoutMs)
    if (client.status !== 'ready' && !(await readyWithin(client, Math.max(0, deadline - Date.now())))) {
      throw this.unavailable(operation, new Error('no connection, nothing was sent'))
    }
    const result = await settleWithin(command(client), Math.max(0, deadline - Date.now()))
    if (result.ok) return result.value
    // ioredis refuses a command on a connection that is going down before writing it.
    const unsent = result.error instanceof Error && /isn't writeable/.test(result.error.message)
    throw this.unavailable(operation, unsent ? new Error('the connection is down, nothing was sent') : result.error, changes && !unsent)
  }

  /** A call that failed; `changes`: it may have changed the log, so whether it did is unknown. */
  private unavailable(operation: string, error: unknown, changes = false): CooperbenchError {
    const reason = error === TIMED_OUT ? 'no answer in time' : errorMessage(error)
    return new CooperbenchError('BACKEND_UNAVAILABLE', `shared log ${operation} at ${redactUrlCredentials(this.options.url)} failed: ${reason}`, {
      hint: changes
        ? 'Redis did not confirm the change, so whether it happened is unknown: read the log before retrying.'
        : 'Check that the Redis server given with --redis runs and is reachable.',
      ...(error === TIMED_OUT ? {} : { cause: error }),
    })
  }
}

/** Whether the client is (or becomes) ready within `ms`; leaves no listener behind. */
function readyWithin(client: Redis, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (client.status === 'ready') return resolve(true)
    const done = (ready: boolean) => {
      clearTimeout(timer)
      client.removeListener('ready', onReady)
      resolve(ready)
    }
    const onReady = () => done(true)
    const timer = setTimeout(() => done(false), ms)
    client.on('ready', onReady)
  })
}
