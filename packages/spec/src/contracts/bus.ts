import type { TaskList } from './task-list.js'

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
   * Optional (the `team` setting needs it): a namespace's shared task list, kept where the bus keeps messages. The caller closes the
   * handle; closing the bus also closes every task list it opened.
   */
  openTaskList?(namespace: string): Promise<TaskList>
  close(): Promise<void>
}
