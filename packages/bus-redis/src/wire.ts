import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import type { Redis } from 'ioredis'
import type { BusMessage } from '@cooperbench/spec'
import { isObject, isoFromMicros, timestampMicros } from '@cooperbench/spec-utils'

const requireModule = createRequire(import.meta.url)
/** ioredis loads with the first connection, not with core, which every command imports. */
export function redisClientClass(): typeof Redis {
  return (requireModule('ioredis') as typeof import('ioredis')).Redis
}

/**
 * The Redis keys of one namespace: the first is the reference's (docs/reference-compatibility.md#messaging, byte for byte:
 * container-side helpers use it), the `bus:` ones ours. Agent ids hold no `:`, so `<prefix>bus:…` never meets `<prefix><agent>:inbox`.
 */
export type BusKeys = ReturnType<typeof busKeys>

export function busKeys(namespace: string) {
  const prefix = `${namespace}:`
  return {
    prefix,
    /** `<namespace>:<agent>:inbox`: a list of message JSON strings; send = RPUSH, receive = LPOP until empty. */
    inbox: (agentId: string) => `${prefix}${agentId}:inbox`,
    /** Hash message id → message JSON: every message sent or received, for the transcript. */
    messages: `${prefix}bus:messages`,
    /** Set of message ids drained by their recipient (read receipts). */
    read: `${prefix}bus:read`,
    /** Set of agent ids that have finished. */
    finished: `${prefix}bus:finished`,
    /** Set of agent ids whose work is published (`markPublished`). */
    published: `${prefix}bus:published`,
    /** The agent waiting on `recipient`'s reply (`markAwaiting`), expiring by itself. */
    awaitedBy: (recipient: string) => `${prefix}bus:awaited_by:${recipient}`,
    /** Marker of one bus instance: present while Redis still holds what that instance wrote. */
    marker: (instanceId: string) => `${prefix}bus:epoch:${instanceId}`,
    /** What one drain popped, kept until the reply is known to have arrived (idempotent drain). */
    drain: (agentId: string, token: string) => `${prefix}bus:drain:${agentId}:${token}`,
    /** SCAN pattern matching every key of the namespace. */
    pattern: `${escapeGlob(prefix)}*`,
  }
}

/** Escapes the characters SCAN MATCH treats as glob syntax. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`)
}

/** The JSON pushed to an inbox: the reference's keys in its order, then our `id` (`{"from","to","content","timestamp","id"}`). */
export function encodeMessage(message: BusMessage): string {
  return JSON.stringify({
    from: message.from,
    to: message.to,
    content: message.content,
    timestamp: message.timestamp,
    id: message.id,
  })
}

/**
 * Reads one inbox entry, a reference client's too: a missing `id` is derived from its bytes, a numeric timestamp (epoch seconds)
 * becomes ISO 8601, a missing `to` is the inbox owner; a non-object is delivered whole as the content, from `unknown`.
 */
export function decodeMessage(raw: string, inboxOwner: string): BusMessage {
  const parsed = parseJson(raw)
  const id = () => `ref-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`
  if (!isObject(parsed)) return { id: id(), from: 'unknown', to: inboxOwner, content: raw, timestamp: isoFromMicros(Date.now() * 1000) }
  const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value))
  let timestamp: string
  if (typeof parsed.timestamp === 'string') timestamp = parsed.timestamp
  else if (typeof parsed.timestamp === 'number' && timestampMicros(parsed.timestamp) !== null) timestamp = isoFromMicros(timestampMicros(parsed.timestamp)!)
  else timestamp = isoFromMicros(Date.now() * 1000)
  return {
    id: typeof parsed.id === 'string' && parsed.id !== '' ? parsed.id : id(),
    from: typeof parsed.from === 'string' ? parsed.from : 'unknown',
    to: typeof parsed.to === 'string' ? parsed.to : inboxOwner,
    content: text(parsed.content),
    timestamp,
  }
}

/** `JSON.parse(text)`, or undefined when `text` is not JSON (what Redis holds may not be ours). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Deletes every key matching a SCAN pattern, a batch of 500 at a time. */
export async function deleteKeysMatching(client: Redis, pattern: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500)
    if (keys.length > 0) await client.del(...keys)
    cursor = next
  } while (cursor !== '0')
}
