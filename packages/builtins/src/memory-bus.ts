import { randomUUID } from 'node:crypto'
import { type BusMessage, type DeliveryState, type Mailbox, type MessageBus, type SendResult, type SharedLog, CooperbenchError } from '@cooperbench/spec'
import { busTimestamp, getOrCreate, MemoryLogs, sleepOrWake } from '@cooperbench/spec-utils'

interface Namespace {
  inboxes: Map<string, BusMessage[]>
  transcript: BusMessage[]
  states: Map<string, DeliveryState>
  finished: Set<string>
  /** Agents whose work is published (`markPublished`). */
  published: Set<string>
  /** Recipient → the agent waiting on its reply, until when (`markAwaiting`). */
  awaitedBy: Map<string, { by: string; until: number }>
  /** Wakes receivers waiting for a message to one agent. */
  waiters: Map<string, Set<() => void>>
}

/** The in-process bus: per-namespace, per-agent FIFO inboxes never wiped on open: a message sent before its recipient connects reaches its first receive. */
export class MemoryBus implements MessageBus {
  readonly specificationVersion = 'bus-v1' as const
  readonly name = 'memory'
  private readonly namespaces = new Map<string, Namespace>()
  private readonly logs = new MemoryLogs()

  async open(namespace: string, agentId: string, peers: readonly string[]): Promise<Mailbox> {
    const space = this.space(namespace)
    const inboxOf = (id: string) => getOrCreate(space.inboxes, id, () => [])
    const take = (predicate: (m: BusMessage) => boolean) => {
      const inbox = inboxOf(agentId)
      const taken = inbox.filter(predicate)
      space.inboxes.set(
        agentId,
        inbox.filter((m) => !predicate(m)),
      )
      for (const m of taken) space.states.set(m.id, 'read')
      return taken
    }
    inboxOf(agentId)
    return {
      agentId,
      peers: [...peers],
      send: async (to, content): Promise<SendResult> => {
        if (to === agentId || !peers.includes(to)) {
          throw new CooperbenchError('USAGE', `cannot send to "${to}": known agents are ${peers.join(', ') || 'none'}`)
        }
        const message: BusMessage = { id: randomUUID(), from: agentId, to, content, timestamp: busTimestamp() }
        space.transcript.push(message)
        inboxOf(to).push(message)
        space.states.set(message.id, 'delivered')
        for (const wake of space.waiters.get(to) ?? []) wake()
        return { message, recipientFinished: space.finished.has(to) }
      },
      receive: async () => take(() => true),
      waitForMessages: async (from, timeoutMs, signal) => {
        const fromPeer = (m: BusMessage) => m.from === from
        const deadline = Date.now() + timeoutMs
        for (;;) {
          const found = take(fromPeer)
          if (found.length > 0 || Date.now() >= deadline || signal?.aborted) return found
          const waiters = getOrCreate(space.waiters, agentId, () => new Set())
          await sleepOrWake(Math.max(0, deadline - Date.now()), waiters, signal)
        }
      },
      deliveryState: async (id) => space.states.get(id) ?? null,
      finish: async () => {
        space.finished.add(agentId)
      },
      hasFinished: async (id) => space.finished.has(id),
      markAwaiting: async (to, ttlMs) => {
        if (ttlMs > 0) space.awaitedBy.set(to, { by: agentId, until: Date.now() + ttlMs })
        else space.awaitedBy.delete(to)
      },
      isAwaitedBy: async (from) => {
        const waiting = space.awaitedBy.get(agentId)
        return waiting !== undefined && waiting.by === from && Date.now() < waiting.until
      },
      markPublished: async () => {
        space.published.add(agentId)
      },
      hasPublished: async (id) => space.published.has(id),
      close: async () => {},
    }
  }

  async transcript(namespace: string): Promise<BusMessage[]> {
    return [...(this.namespaces.get(namespace)?.transcript ?? [])]
  }

  async clear(namespace: string): Promise<void> {
    this.namespaces.delete(namespace)
    this.logs.clear(namespace)
  }

  async openLog(namespace: string, name: string): Promise<SharedLog> {
    return this.logs.open(namespace, name)
  }

  async close(): Promise<void> {
    this.namespaces.clear()
  }

  private space(namespace: string): Namespace {
    return getOrCreate(this.namespaces, namespace, () => ({
      inboxes: new Map(),
      transcript: [],
      states: new Map(),
      finished: new Set(),
      published: new Set(),
      awaitedBy: new Map(),
      waiters: new Map(),
    }))
  }
}
