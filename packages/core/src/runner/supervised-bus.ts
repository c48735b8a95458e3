import { type Mailbox, type MessageBus, type SharedLog, CooperbenchError } from '@cooperbench/spec'
import { supervise } from '../util/supervise.js'
import { HARNESS_DEADLINES } from './deadlines.js'

/**
 * No operation takes longer than `HARNESS_DEADLINES.busOperationMs` (plus its own wait) and the grace period: a bus that stops answering
 * (a hung server, a dropped connection) fails the call with BACKEND_UNAVAILABLE naming it, counted as infrastructure, not a hung run.
 */
export function supervisedBus(bus: MessageBus, busName: string, bounds: BusBounds = DEFAULT_BUS_BOUNDS): MessageBus {
  const bounded = boundedCall(busName, bounds)
  return {
    specificationVersion: bus.specificationVersion,
    name: bus.name,
    ...(bus.preflight ? { preflight: () => bounded('preflight', () => bus.preflight!()) } : {}),
    open: async (namespace, agentId, peers) => supervisedMailbox(await bounded('open', () => bus.open(namespace, agentId, peers)), bounded),
    transcript: (namespace) => bounded('transcript', () => bus.transcript(namespace)),
    clear: (namespace) => bounded('clear', () => bus.clear(namespace)),
    ...(bus.openLog
      ? { openLog: async (namespace: string, name: string) => supervisedLog(await bounded('openLog', () => bus.openLog!(namespace, name)), bounded) }
      : {}),
    close: () => bounded('close', () => bus.close()),
  }
}

export interface BusBounds {
  operationMs: number
  graceMs: number
}

const DEFAULT_BUS_BOUNDS: BusBounds = { operationMs: HARNESS_DEADLINES.busOperationMs, graceMs: HARNESS_DEADLINES.graceMs }

type Bounded = <T>(operation: string, call: (signal: AbortSignal) => Promise<T>, extraMs?: number, signal?: AbortSignal) => Promise<T>

function supervisedMailbox(mailbox: Mailbox, bounded: Bounded): Mailbox {
  return {
    agentId: mailbox.agentId,
    peers: mailbox.peers,
    send: (to, content) => bounded('send', () => mailbox.send(to, content)),
    receive: () => bounded('receive', () => mailbox.receive()),
    waitForMessages: (from, timeoutMs, signal) => bounded('waitForMessages', (s) => mailbox.waitForMessages(from, timeoutMs, s), timeoutMs, signal),
    deliveryState: (messageId) => bounded('deliveryState', () => mailbox.deliveryState(messageId)),
    finish: () => bounded('finish', () => mailbox.finish()),
    ...(mailbox.hasFinished ? { hasFinished: (id: string) => bounded('hasFinished', () => mailbox.hasFinished!(id)) } : {}),
    ...(mailbox.markAwaiting ? { markAwaiting: (to: string, ttlMs: number) => bounded('markAwaiting', () => mailbox.markAwaiting!(to, ttlMs)) } : {}),
    ...(mailbox.isAwaitedBy ? { isAwaitedBy: (from: string) => bounded('isAwaitedBy', () => mailbox.isAwaitedBy!(from)) } : {}),
    ...(mailbox.markPublished ? { markPublished: () => bounded('markPublished', () => mailbox.markPublished!()) } : {}),
    ...(mailbox.hasPublished ? { hasPublished: (id: string) => bounded('hasPublished', () => mailbox.hasPublished!(id)) } : {}),
    close: () => bounded('close', () => mailbox.close()),
  }
}

/** A shared log with the bus's bounds: an append that hangs fails (its outcome unknown) rather than hanging the agent. */
function supervisedLog(log: SharedLog, bounded: Bounded): SharedLog {
  return {
    read: () => bounded('log read', () => log.read()),
    append: (entries) => bounded('log append', () => log.append(entries)),
    // The wait is bounded by its own timeout plus the bus's; the caller's signal aborts it.
    wait: (timeoutMs, signal) => bounded('log wait', (s) => log.wait(timeoutMs, s), timeoutMs, signal),
    close: () => bounded('log close', () => log.close()),
  }
}

function boundedCall(busName: string, bounds: BusBounds): Bounded {
  return async (operation, call, extraMs = 0, signal) => {
    const bound = bounds.operationMs + Math.max(0, extraMs)
    const outcome = await supervise({ run: call, timeoutMs: bound, graceMs: bounds.graceMs, signal })
    if (outcome.kind === 'fulfilled') return outcome.value
    if (outcome.kind === 'rejected' && outcome.aborted !== 'deadline') throw outcome.error
    if (outcome.aborted === 'interrupted') throw signal?.reason ?? new DOMException('aborted', 'AbortError')
    throw new CooperbenchError('BACKEND_UNAVAILABLE', `bus ${busName}: ${operation} did not finish within ${Math.round(bound / 1000)} s`, {
      hint: 'The message bus stopped answering; check its server (e.g. Redis) and rerun: pairs that failed this way are run again.',
    })
  }
}
