import { randomUUID } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { BusMessage, DeliveryState, Logger, Mailbox, MessageBus, SendResult, SharedLog } from '@cooperbench/spec'
import { CooperbenchError, errorMessage } from '@cooperbench/spec'
import { busTimestamp, getOrCreate, redactUrlCredentials, silentLogger, sleepOrWake } from '@cooperbench/spec-utils'
import { REDIS_DEFAULTS, type RedisBusOptions } from './redis-options.js'
import { DRAIN_SCRIPT, SEND_SCRIPT, SYNC_SCRIPT } from './redis-scripts.js'
import { type OrderedMessage, sortChronologically } from './transcript-order.js'
import { settleWithin, failureReason, TIMED_OUT } from './bounded-wait.js'
import { type AgentState, dropNonPending, type Entry, newSpace, type Space } from './journal.js'
import { busKeys, decodeMessage, deleteKeysMatching, encodeMessage, redisClientClass } from './wire.js'
import { RedisLogs } from './redis-log.js'

/** Every key the bus writes expires this long after its last write (docs/reference-compatibility.md#messaging: at least a day). */
export const REDIS_BUS_KEY_TTL_SECONDS = 86_400
/** How often `waitForMessages` looks at the inbox for a reply from another process. */
const POLL_INTERVAL_MS = 100
const PREFLIGHT_TIMEOUT_MS = 2_000
/** Messages per script call when re-pushing a journal. */
const BATCH = 200

/**
 * The `redis` message bus: the reference's transport (docs/reference-compatibility.md#messaging), byte-compatible, so container-side
 * helpers that RPUSH/LPOP `run:<id>:<agent>:inbox` interoperate. Keys are {@link busKeys}', with a one-day TTL refreshed on write;
 * opening a mailbox never deletes or trims an inbox.
 *
 * Guarantees:
 * - **No message lost or repeated across a dropped connection.** Every write is one idempotent Lua script, resent by ioredis after a
 *   reconnect: a send is pushed at most once per id; a drain parks what it popped under a per-drain token, so a resend returns the same.
 * - **Nor across a Redis restart, even without persistence.** Each bus journals per namespace the messages its mailboxes sent and
 *   received, with their states, and keeps a marker key in Redis. When the marker is gone (checked after every reconnect, drain and
 *   push) it re-pushes undrained messages in send order and restores transcript entries, receipts and finished agents; mailboxes
 *   drop ids they already drained. `transcript()` merges both.
 * - **An outage never throws into the agent.** Commands wait in ioredis' offline queue, each call at most `operationTimeoutMs`:
 *   `send` returns with the message journaled, `receive` with what it has, `waitForMessages` keeps to its timeout.
 * - Per-sender FIFO order, also across failures (nothing new is pushed to a namespace before what Redis lost); `timestamp` strictly
 *   increases per process, so chronological order is send order.
 *
 * Limits: a reference-protocol client's undrained messages are gone after a restart without persistence, and such a client (no
 * dedupe) may see a message twice. Processes may share a namespace, but dedupe is per bus instance: one agent's mailboxes belong
 * in one process. The journal lives until `clear`.
 */
export class RedisBus implements MessageBus {
  readonly specificationVersion = 'bus-v1' as const
  readonly name = 'redis'
  private readonly options: RedisBusOptions
  private readonly logger: Logger
  /** Names this bus' marker keys. */
  private readonly instanceId = randomUUID()
  private readonly spaces = new Map<string, Space>()
  private client: Redis | null = null
  /** The shared logs, on a connection of their own; closed with the bus. */
  private readonly logs: RedisLogs
  private seq = 0
  private closed = false
  private connectionLost = false

  /** `options` fit `redisBusOptionsSchema` (the host checks them); missing ones take its defaults. */
  constructor(options: Partial<RedisBusOptions> = {}, logger: Logger = silentLogger) {
    this.options = { ...REDIS_DEFAULTS, ...options }
    this.logger = logger
    this.logs = new RedisLogs(this.options, REDIS_BUS_KEY_TTL_SECONDS)
  }

  /** The server URL with any password replaced, for messages. */
  get safeUrl(): string {
    return redactUrlCredentials(this.options.url)
  }

  async preflight(): Promise<void> {
    const probe = new (redisClientClass())(this.options.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      connectTimeout: PREFLIGHT_TIMEOUT_MS,
    })
    probe.on('error', () => {})
    try {
      const pong = probe.connect().then(() => probe.ping())
      const result = await settleWithin(pong, PREFLIGHT_TIMEOUT_MS + 500)
      if (!result.ok) {
        const reason = result.error === TIMED_OUT ? `no answer within ${PREFLIGHT_TIMEOUT_MS} ms` : errorMessage(result.error)
        throw new CooperbenchError('BACKEND_UNAVAILABLE', `cannot reach Redis at ${this.safeUrl}: ${reason}`, {
          hint: 'Start a Redis server (e.g. `redis-server --port 6379`), or check the URL given with --redis (or COOPERBENCH_REDIS_URL); without --redis the in-process memory bus is used.',
          ...(result.error === TIMED_OUT ? {} : { cause: result.error }),
        })
      }
    } finally {
      probe.disconnect()
    }
  }

  async open(namespace: string, agentId: string, peers: readonly string[]): Promise<Mailbox> {
    this.assertOpen()
    checkNamespace(namespace)
    if (agentId === '') throw new CooperbenchError('USAGE', 'a mailbox needs a non-empty agent id')
    const knownPeers = [...peers]
    const space = () => this.space(namespace)
    this.agent(space(), agentId)
    // Sets this bus' marker for the namespace (or restores what Redis lost).
    const marked = this.enqueue(space(), (s) => this.restoreIfNeeded(s))
    await settleWithin(marked, this.options.operationTimeoutMs)

    return {
      agentId,
      peers: knownPeers,
      send: async (to, content): Promise<SendResult> => {
        this.assertOpen()
        if (to === agentId || !knownPeers.includes(to)) {
          throw new CooperbenchError('USAGE', `cannot send to "${to}": known agents are ${knownPeers.join(', ') || 'none'}`)
        }
        const s = space()
        const message: BusMessage = { id: randomUUID(), from: agentId, to, content, timestamp: busTimestamp() }
        const entry: Entry = { message, json: encodeMessage(message), seq: ++this.seq, sentHere: true, state: 'pending', recipientFinished: false }
        s.entries.set(message.id, entry)
        s.outbox.push(entry)
        const pushed = this.enqueue(s, (x) => this.flushOutbox(x))
        await settleWithin(pushed, this.options.operationTimeoutMs)
        return { message: { ...message }, recipientFinished: entry.recipientFinished || s.finished.has(to) }
      },
      receive: async () => {
        this.assertOpen()
        const s = space()
        const agent = this.agent(s, agentId)
        await this.drain(s, agentId, this.options.operationTimeoutMs)
        return this.hand(s, agent.buffer.splice(0))
      },
      waitForMessages: async (from, timeoutMs, signal) => {
        this.assertOpen()
        const deadline = Date.now() + Math.max(0, timeoutMs)
        const s = space()
        const agent = this.agent(s, agentId)
        const takeReplies = () => {
          const replies = agent.buffer.filter((e) => e.message.from === from)
          if (replies.length > 0) agent.buffer.splice(0, agent.buffer.length, ...agent.buffer.filter((e) => e.message.from !== from))
          return replies
        }
        // Looks at the buffer, then drains the inbox; looks again, then sleeps until a push wakes
        // it or the poll interval passes.
        for (let drained = false; ; drained = !drained) {
          const replies = takeReplies()
          if (replies.length > 0) return this.hand(s, replies)
          const remaining = deadline - Date.now()
          if (signal?.aborted || this.closed || s.cleared || remaining <= 0) return []
          if (drained) await sleepOrWake(Math.min(POLL_INTERVAL_MS, remaining), agent.waiters, signal)
          else await this.drain(s, agentId, Math.min(this.options.operationTimeoutMs, remaining), signal)
        }
      },
      deliveryState: async (messageId) => this.deliveryState(space(), messageId),
      finish: async () => {
        this.assertOpen()
        const s = space()
        s.finished.add(agentId)
        await settleWithin(this.sync(s, [], [agentId], [], false), this.options.operationTimeoutMs)
      },
      // Known here (a seat of this process, or learnt from a send), else asked of Redis; unreachable: not finished.
      hasFinished: async (id) => {
        this.assertOpen()
        const s = space()
        if (s.finished.has(id)) return true
        if (this.connectionLost) return false
        const result = await settleWithin(this.redis().sismember(busKeys(namespace).finished, id), this.options.operationTimeoutMs)
        if (result.ok && result.value === 1) s.finished.add(id)
        return result.ok && result.value === 1
      },
      // Bookkeeping, as the reference's: never fails the agent (unreachable Redis: not recorded, not waiting).
      markAwaiting: async (to, ttlMs) => {
        this.assertOpen()
        if (this.connectionLost) return
        const key = busKeys(namespace).awaitedBy(to)
        const call: Promise<unknown> = ttlMs > 0 ? this.redis().set(key, agentId, 'PX', Math.max(1, Math.round(ttlMs))) : this.redis().del(key)
        await settleWithin(call, this.options.operationTimeoutMs)
      },
      isAwaitedBy: async (from) => {
        this.assertOpen()
        if (this.connectionLost) return false
        const result = await settleWithin(this.redis().get(busKeys(namespace).awaitedBy(agentId)), this.options.operationTimeoutMs)
        return result.ok && result.value === from
      },
      // Bookkeeping too (the reference's exit marker): unreachable Redis, not recorded, not published.
      markPublished: async () => {
        this.assertOpen()
        if (this.connectionLost) return
        const key = busKeys(namespace).published
        await settleWithin(this.redis().multi().sadd(key, agentId).expire(key, REDIS_BUS_KEY_TTL_SECONDS).exec(), this.options.operationTimeoutMs)
      },
      hasPublished: async (id) => {
        this.assertOpen()
        if (this.connectionLost) return false
        const result = await settleWithin(this.redis().sismember(busKeys(namespace).published, id), this.options.operationTimeoutMs)
        return result.ok && result.value === 1
      },
      // The journal outlives the mailbox: the transcript needs it, and this agent's unread sent messages are restored after a Redis restart until `clear`.
      close: async () => {},
    }
  }

  async transcript(namespace: string): Promise<BusMessage[]> {
    checkNamespace(namespace)
    const items = new Map<string, OrderedMessage>()
    const space = this.spaces.get(namespace)
    for (const entry of space?.entries.values() ?? []) items.set(entry.message.id, { message: entry.message, seq: entry.seq })
    if (!this.closed && !this.connectionLost) {
      const result = await settleWithin(this.redis().hgetall(busKeys(namespace).messages), this.options.operationTimeoutMs)
      if (result.ok) {
        for (const [id, json] of Object.entries(result.value)) {
          if (!items.has(id)) items.set(id, { message: { ...decodeMessage(json, ''), id } })
        }
      } else {
        this.logger.debug(`redis bus: transcript of ${namespace} from the local journal only: ${failureReason(result.error)}`)
      }
    }
    return sortChronologically([...items.values()]).map((m) => ({ ...m }))
  }

  async clear(namespace: string): Promise<void> {
    checkNamespace(namespace)
    const space = this.spaces.get(namespace)
    if (space) {
      space.cleared = true
      this.spaces.delete(namespace)
      for (const agent of space.agents.values()) for (const wake of agent.waiters) wake()
    }
    if (this.closed) return
    const result = await settleWithin(deleteKeysMatching(this.redis(), busKeys(namespace).pattern), 4 * this.options.operationTimeoutMs)
    if (!result.ok) {
      throw new CooperbenchError('BACKEND_UNAVAILABLE', `could not delete the keys of ${namespace} at ${this.safeUrl}: ${failureReason(result.error)}`, {
        hint: `They expire by themselves within ${REDIS_BUS_KEY_TTL_SECONDS / 3600} hours.`,
      })
    }
  }

  /** The log `name` of `namespace`: a stream under the namespace's keys (see {@link RedisLogs}). */
  async openLog(namespace: string, name: string): Promise<SharedLog> {
    this.assertOpen()
    checkNamespace(namespace)
    return this.logs.open(namespace, name)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.logs.close()
    for (const space of this.spaces.values()) for (const agent of space.agents.values()) for (const wake of agent.waiters) wake()
    const client = this.client
    this.client = null
    if (!client) return
    if (client.status === 'ready') await settleWithin(client.quit(), 1_000)
    client.disconnect()
  }

  private assertOpen(): void {
    if (this.closed) throw new CooperbenchError('USAGE', 'the redis bus is closed')
  }

  private redis(): Redis {
    this.assertOpen()
    if (this.client) return this.client
    const client = new (redisClientClass())(this.options.url, {
      lazyConnect: true,
      // Never fail a command for lack of a connection: it waits in the offline queue (or is resent, its reply lost); callers bound their wait.
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      autoResendUnfulfilledCommands: true,
      retryStrategy: (attempt) => Math.min(attempt * 50, 1_000),
      connectionName: 'cooperbench-bus',
    })
    client.on('error', (error: unknown) => this.logger.debug(`redis bus: ${this.safeUrl}: ${errorMessage(error)}`))
    client.on('close', () => {
      if (this.closed || this.connectionLost) return
      this.connectionLost = true
      this.logger.warn(`redis bus: lost the connection to ${this.safeUrl}; reconnecting (messages are journaled meanwhile)`)
    })
    client.on('ready', () => {
      if (this.connectionLost) {
        this.connectionLost = false
        this.logger.info(`redis bus: reconnected to ${this.safeUrl}`)
      }
      for (const space of this.spaces.values()) void this.enqueue(space, (s) => this.restoreIfNeeded(s))
    })
    this.client = client
    return client
  }

  private space(namespace: string): Space {
    return getOrCreate(this.spaces, namespace, () => newSpace(namespace))
  }

  private agent(space: Space, agentId: string): AgentState {
    return getOrCreate(space.agents, agentId, () => ({ seen: new Set(), buffer: [], draining: null, waiters: new Set() }))
  }

  /** Runs `task` after every earlier push or restore of the namespace; never rejects. */
  private enqueue(space: Space, task: (space: Space) => Promise<void>): Promise<void> {
    space.chain = space.chain
      .then(() => (space.cleared || this.closed ? undefined : task(space)))
      .catch((error: unknown) => this.logger.debug(`redis bus: ${space.namespace}: ${errorMessage(error)}`))
    return space.chain
  }

  /** Pushes the outbox in send order; restores the namespace first when Redis lost it. */
  private async flushOutbox(space: Space): Promise<void> {
    for (;;) {
      dropNonPending(space.outbox)
      const batch = space.outbox.slice(0, BATCH)
      if (batch.length === 0) return
      const codes = await this.push(space, batch, { requireMarker: true })
      if (codes === null) return this.restore(space)
      this.applyPushed(space, batch, codes)
    }
  }

  /** Runs SEND_SCRIPT for `entries`; null when the marker is required and missing. */
  private async push(space: Space, entries: Entry[], options: { requireMarker: boolean; push?: (e: Entry) => boolean }): Promise<number[] | null> {
    const { keys } = space
    const inboxes: string[] = []
    const args: (string | number)[] = [REDIS_BUS_KEY_TTL_SECONDS, options.requireMarker ? '1' : '0']
    for (const entry of entries) {
      const inbox = keys.inbox(entry.message.to)
      let index = inboxes.indexOf(inbox)
      if (index === -1) index = inboxes.push(inbox) - 1
      args.push(5 + index, entry.message.id, entry.json, entry.message.to, (options.push?.(entry) ?? true) ? '1' : '0')
    }
    const allKeys = [keys.marker(this.instanceId), keys.messages, keys.read, keys.finished, ...inboxes]
    const reply = (await this.redis().eval(SEND_SCRIPT, allKeys.length, ...allKeys, ...args)) as number[]
    if (options.requireMarker && reply.length === 1 && reply[0] === -1) return null
    return reply
  }

  private applyPushed(space: Space, entries: Entry[], codes: number[]): void {
    entries.forEach((entry, i) => {
      const code = codes[i] ?? 0
      if (entry.state === 'pending') entry.state = 'delivered'
      if (code & 1) {
        entry.recipientFinished = true
        space.finished.add(entry.message.to)
      }
      if (code & 2) for (const wake of space.agents.get(entry.message.to)?.waiters ?? []) wake()
    })
  }

  private async restoreIfNeeded(space: Space): Promise<void> {
    const present = await this.redis().exists(space.keys.marker(this.instanceId))
    if (present === 0) return this.restore(space)
    await this.flushOutbox(space)
    void this.syncReceipts(space)
  }

  /** Writes back what Redis lost (or sets a new namespace's marker); the marker is set last, so an interrupted restore is redone. */
  private async restore(space: Space): Promise<void> {
    const entries = [...space.entries.values()].sort((a, b) => a.seq - b.seq)
    const sent = entries.filter((e) => e.sentHere)
    const unread = sent.filter((e) => e.state === 'pending' || e.state === 'delivered')
    if (entries.length > 0) {
      this.logger.warn(
        `redis bus: Redis lost ${space.namespace} (restarted without persistence?); restoring it, ${unread.length} unread message(s) pushed again`,
      )
    }
    for (let i = 0; i < sent.length; i += BATCH) {
      const batch = sent.slice(i, i + BATCH)
      const codes = await this.push(space, batch, { requireMarker: false, push: (e) => e.state === 'pending' || e.state === 'delivered' })
      if (codes) this.applyPushed(space, batch, codes)
    }
    dropNonPending(space.outbox)
    const readIds = entries.filter((e) => e.state === 'read').map((e) => e.message.id)
    const records = entries.filter((e) => !e.sentHere)
    const chunks = Math.max(1, Math.ceil(readIds.length / BATCH), Math.ceil(records.length / BATCH))
    for (let c = 0; c < chunks; c++) {
      const ids = readIds.slice(c * BATCH, (c + 1) * BATCH)
      const recs = records.slice(c * BATCH, (c + 1) * BATCH)
      await this.sync(space, ids, c === 0 ? [...space.finished] : [], recs, c === chunks - 1)
      for (const id of ids) space.unsyncedReceipts.delete(id)
    }
  }

  private sync(space: Space, readIds: string[], finished: string[], records: Entry[], setMarker: boolean): Promise<unknown> {
    const { keys } = space
    const scriptKeys = [keys.read, keys.finished, keys.messages, keys.marker(this.instanceId)]
    const transcript = records.flatMap((e) => [e.message.id, e.json])
    const lists = [readIds.length, ...readIds, finished.length, ...finished, records.length, ...transcript]
    return this.redis().eval(SYNC_SCRIPT, scriptKeys.length, ...scriptKeys, REDIS_BUS_KEY_TTL_SECONDS, ...lists, setMarker ? '1' : '0')
  }

  /** Writes the read receipts (and transcript entries) of messages handed out here. */
  private async syncReceipts(space: Space): Promise<void> {
    if (space.receiptSync) await space.receiptSync
    if (space.unsyncedReceipts.size === 0 || space.cleared || this.closed) return
    const ids = [...space.unsyncedReceipts].slice(0, 5 * BATCH)
    const records = ids.map((id) => space.entries.get(id)).filter((e): e is Entry => e !== undefined)
    const run = this.sync(space, ids, [], records, false)
      .then(() => {
        for (const id of ids) space.unsyncedReceipts.delete(id)
      })
      .catch((error: unknown) => this.logger.debug(`redis bus: read receipts of ${space.namespace}: ${errorMessage(error)}`))
      .finally(() => {
        if (space.receiptSync === run) space.receiptSync = null
      })
    space.receiptSync = run
    await run
  }

  /** Drains the agent's inbox into its buffer, waiting at most `ms`; one drain at a time per agent. */
  private async drain(space: Space, agentId: string, ms: number, signal?: AbortSignal): Promise<void> {
    const agent = this.agent(space, agentId)
    if (!agent.draining) {
      const client = this.redis()
      const { keys } = space
      const scratch = keys.drain(agentId, randomUUID())
      const run = (
        client.eval(DRAIN_SCRIPT, 3, keys.inbox(agentId), scratch, keys.marker(this.instanceId), REDIS_BUS_KEY_TTL_SECONDS) as Promise<[number, string[]]>
      )
        .then(([marker, items]) => {
          this.accept(space, agent, agentId, items)
          if (items.length > 0) client.del(scratch).catch(() => {})
          if (marker === 0) void this.enqueue(space, (s) => this.restoreIfNeeded(s))
        })
        .catch((error: unknown) => this.logger.debug(`redis bus: drain of ${keys.inbox(agentId)}: ${errorMessage(error)}`))
        .finally(() => {
          if (agent.draining === run) agent.draining = null
        })
      agent.draining = run
    }
    await settleWithin(agent.draining!, ms, signal)
  }

  /** Takes drained inbox entries into the agent's buffer, dropping ids it already took. */
  private accept(space: Space, agent: AgentState, agentId: string, items: string[]): void {
    for (const raw of items) {
      const message = decodeMessage(raw, agentId)
      if (agent.seen.has(message.id)) continue
      agent.seen.add(message.id)
      let entry = space.entries.get(message.id)
      if (entry) {
        if (entry.state !== 'read') entry.state = 'taken'
      } else {
        entry = { message, json: raw, seq: ++this.seq, sentHere: false, state: 'taken', recipientFinished: false }
        space.entries.set(message.id, entry)
      }
      agent.buffer.push(entry)
    }
  }

  /** Marks entries read, writes their receipts (bounded wait) and returns copies of the messages. */
  private async hand(space: Space, entries: Entry[]): Promise<BusMessage[]> {
    if (entries.length === 0) return []
    for (const entry of entries) {
      entry.state = 'read'
      space.unsyncedReceipts.add(entry.message.id)
    }
    await settleWithin(this.syncReceipts(space), this.options.operationTimeoutMs)
    return entries.map((e) => ({ ...e.message }))
  }

  private async deliveryState(space: Space, messageId: string): Promise<DeliveryState | null> {
    const entry = space.entries.get(messageId)
    if (entry?.state === 'read') return 'read'
    if (!this.closed && !this.connectionLost) {
      const client = this.redis()
      const read = await settleWithin(client.sismember(space.keys.read, messageId), this.options.operationTimeoutMs)
      if (read.ok && read.value === 1) {
        if (entry && entry.state !== 'pending') entry.state = 'read'
        return 'read'
      }
      if (!entry) {
        const known = await settleWithin(client.hexists(space.keys.messages, messageId), this.options.operationTimeoutMs)
        return known.ok && known.value === 1 ? 'delivered' : null
      }
    }
    // A journaled message is on its way even while Redis is unreachable.
    return entry ? 'delivered' : null
  }
}

function checkNamespace(namespace: string): void {
  // An empty namespace would make clear() match every key of the server.
  if (namespace === '') throw new CooperbenchError('USAGE', 'a bus namespace must not be empty (the runner uses run:<run id>)')
}
