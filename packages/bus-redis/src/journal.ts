import type { BusMessage } from '@cooperbench/spec'
import { type BusKeys, busKeys } from './wire.js'

// The journal a redis bus keeps per namespace: see RedisBus and docs/architecture.md (Buses) for why.

/** `pending`: not yet known to be in Redis; `delivered`: in the recipient's inbox; `taken`: drained into a mailbox's buffer here; `read`: returned. */
type EntryState = 'pending' | 'delivered' | 'taken' | 'read'

/** One message this bus sent or received, with what it knows about it. */
export interface Entry {
  message: BusMessage
  /** The exact JSON in the inbox. */
  json: string
  /** Send/receive order in this bus. */
  seq: number
  sentHere: boolean
  state: EntryState
  recipientFinished: boolean
}

/** Per (namespace, agent) state shared by every mailbox this bus opened for the agent. */
export interface AgentState {
  /** Ids already drained: a message pushed again after a restart is dropped. */
  seen: Set<string>
  /** Drained, not yet returned (waitForMessages leaves other senders' messages here). */
  buffer: Entry[]
  draining: Promise<void> | null
  waiters: Set<() => void>
}

/** The journal of one namespace. */
export interface Space {
  readonly namespace: string
  readonly keys: BusKeys
  readonly entries: Map<string, Entry>
  /** Sent here, not yet pushed, in send order. */
  readonly outbox: Entry[]
  readonly finished: Set<string>
  readonly agents: Map<string, AgentState>
  /** Ids read here whose receipt is not yet in Redis. */
  readonly unsyncedReceipts: Set<string>
  receiptSync: Promise<void> | null
  /** Serialises pushes and restores, so inboxes are refilled in send order. */
  chain: Promise<void>
  cleared: boolean
}

/** Drops from the outbox what is no longer pending (pushed, or restored by other means). */
export function dropNonPending(outbox: Entry[]): void {
  const pending = outbox.filter((e) => e.state === 'pending')
  outbox.splice(0, outbox.length, ...pending)
}

/** The empty journal of a namespace this bus has not used yet. */
export function newSpace(namespace: string): Space {
  return {
    namespace,
    keys: busKeys(namespace),
    entries: new Map(),
    outbox: [],
    finished: new Set(),
    agents: new Map(),
    unsyncedReceipts: new Set(),
    receiptSync: null,
    chain: Promise.resolve(),
    cleared: false,
  }
}
