import type { BusMessage, Mailbox } from '@cooperbench/spec'

/** The mailbox, telling `onSent` about every message it sent. */
export function reportingSends(mailbox: Mailbox, onSent: (message: BusMessage) => void): Mailbox {
  return {
    agentId: mailbox.agentId,
    peers: mailbox.peers,
    send: async (to, content) => {
      const sent = await mailbox.send(to, content)
      onSent(sent.message)
      return sent
    },
    receive: () => mailbox.receive(),
    waitForMessages: (from, timeoutMs, signal) => mailbox.waitForMessages(from, timeoutMs, signal),
    deliveryState: (messageId) => mailbox.deliveryState(messageId),
    finish: () => mailbox.finish(),
    ...(mailbox.hasFinished ? { hasFinished: (id: string) => mailbox.hasFinished!(id) } : {}),
    ...(mailbox.markAwaiting ? { markAwaiting: (to: string, ttlMs: number) => mailbox.markAwaiting!(to, ttlMs) } : {}),
    ...(mailbox.isAwaitedBy ? { isAwaitedBy: (from: string) => mailbox.isAwaitedBy!(from) } : {}),
    ...(mailbox.markPublished ? { markPublished: () => mailbox.markPublished!() } : {}),
    ...(mailbox.hasPublished ? { hasPublished: (id: string) => mailbox.hasPublished!(id) } : {}),
    close: () => mailbox.close(),
  }
}
