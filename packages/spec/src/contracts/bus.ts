/** One message as recorded; id, sender and time stamped by the harness, never the agent. Redis: the reference's `{from, to, content, timestamp}`, `id`. */
export interface BusMessage {
  id: string
  from: string
  to: string
  content: string
  /** ISO 8601 with offset. */
  timestamp: string
}

/** `delivered`: in the recipient's inbox; `read`: drained by the recipient. */
export type DeliveryState = 'delivered' | 'read'

export interface SendResult {
  message: BusMessage
  /** The recipient had already finished: nobody will read the message. Report it to the sender. */
  recipientFinished: boolean
}

/** An agent's end of the bus inside one namespace (one pair execution). */
export interface Mailbox {
  readonly agentId: string
  readonly peers: readonly string[]
  /** Rejects (code USAGE) when `to` is not a peer of this mailbox (unknown agent or oneself). */
  send(to: string, content: string): Promise<SendResult>
  /**
   * Drains the inbox, oldest first, marking each read. Never loses or repeats a message, also across a dropped connection or a restart
   * of the bus server; never wipes messages that arrived before `open`.
   */
  receive(): Promise<BusMessage[]>
  /** Waits up to `timeoutMs` for messages from `from` (a `send_message --wait` reply), returned marked read; others stay queued for `receive`. */
  waitForMessages(from: string, timeoutMs: number, signal?: AbortSignal): Promise<BusMessage[]>
  /** The delivery state of a message this mailbox sent; null when unknown. */
  deliveryState(messageId: string): Promise<DeliveryState | null>
  /** This agent is done: later sends to it report `recipientFinished`. */
  finish(): Promise<void>
  /**
   * Optional: whether `agentId` (a peer) has finished, without sending to it (the reference's liveness check from its 0.0.22:
   * a send refused, a wait ended, a departure announced). A bus without it is read as "not finished".
   */
  hasFinished?(agentId: string): Promise<boolean>
  /**
   * Optional: records that this agent waits on `to`'s reply for at most `ttlMs` (it lapses by itself then, so a crashed waiter cannot
   * leave it set); `ttlMs` 0 clears it. One waiter per recipient, the last wins (the reference's `awaited_by` key from its 0.0.27).
   */
  markAwaiting?(to: string, ttlMs: number): Promise<void>
  /** Optional: whether `from` is waiting on this agent's reply now (`markAwaiting`). A bus without it is read as "not waiting". */
  isAwaitedBy?(from: string): Promise<boolean>
  /**
   * Optional: records that this agent's work is where its colleagues can read it (the reference's `mark_exited(published=…)`
   * from its 0.0.22: a peer's exit notice points at its branch only then). Bookkeeping: a failure is not reported.
   */
  markPublished?(): Promise<void>
  /** Optional: whether `agentId` (a peer) recorded `markPublished`. A bus without it is read as "not published". */
  hasPublished?(agentId: string): Promise<boolean>
  close(): Promise<void>
}

export interface MessageBus {
  readonly specificationVersion: 'bus-v1'
  readonly name: string
  /** Fails (code BACKEND_UNAVAILABLE, naming the address and the fix) when the bus cannot be reached, before any pair starts. */
  preflight?(): Promise<void>
  open(namespace: string, agentId: string, peers: readonly string[]): Promise<Mailbox>
  /** Every message sent in the namespace, each exactly once, in send order. */
  transcript(namespace: string): Promise<BusMessage[]>
  /** Deletes everything the namespace holds. */
  clear(namespace: string): Promise<void>
  /**
   * Optional (a setting with `logs` needs it): the log `name` of a namespace, kept where the bus keeps messages, from which a setting
   * builds what its seats share (the team's task list). `clear(namespace)` deletes it; closing the bus closes every handle.
   */
  openLog?(namespace: string, name: string): Promise<SharedLog>
  close(): Promise<void>
}

/**
 * An append-only log of text entries shared by every handle on it, read from where this handle last read. Appends are atomic and
 * conditional: state built by replaying the log (a task list) changes by appending only when nothing was appended since it was read,
 * so of two racing changes exactly one lands and the log is in effect order. Never loses or repeats an entry; rejects with
 * BACKEND_UNAVAILABLE when the store is unreachable (an append's outcome then unknown) and INFRA_FAILED when entries this handle read
 * are gone (the store lost them).
 */
export interface SharedLog {
  /** The entries appended since this handle last read or appended, oldest first (every entry, the first time). */
  read(): Promise<string[]>
  /** Appends `entries` when nothing was appended since this handle last read or appended (then they count as read); false, appending nothing, otherwise. */
  append(entries: readonly string[]): Promise<boolean>
  /** As `read`, but waits up to `timeoutMs` for an entry when there is none (sleeping, never polling in a tight loop); [] when none came or aborted. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<string[]>
  /** Frees what this handle holds (a connection); the entries stay. Idempotent. */
  close(): Promise<void>
}
