import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import type { BusMessage } from '@cooperbench/spec'
import { isoFromMicros, timestampMicros } from '@cooperbench/spec-utils'

/**
 * The Redis keys of one namespace. The first is the reference's (docs/reference-compatibility.md#messaging, byte for
 * byte: container-side helpers read and write it); the `bus:` ones are ours. Agent ids never
 * contain `:`, so `<prefix>bus:…` cannot collide with `<prefix><agent>:inbox`.
 */
export interface BusKeys {
  /** `<namespace>:` */
  readonly prefix: string
  /** `<namespace>:<agent>:inbox`: a list of message JSON strings; send = RPUSH, receive = LPOP until empty. */
  inbox(agentId: string): string
  /** Hash message id → message JSON: every message sent or received, for the transcript. */
  readonly messages: string
  /** Set of message ids drained by their recipient (read receipts). */
  readonly read: string
  /** Set of agent ids that have finished. */
  readonly finished: string
  /** Marker of one bus instance: present while Redis still holds what that instance wrote. */
  marker(instanceId: string): string
  /** What one drain popped, kept until the reply is known to have arrived (idempotent drain). */
  drain(agentId: string, token: string): string
  /** SCAN pattern matching every key of the namespace. */
  readonly pattern: string
}

export function busKeys(namespace: string): BusKeys {
  const prefix = `${namespace}:`
  return {
    prefix,
    inbox: (agentId) => `${prefix}${agentId}:inbox`,
    messages: `${prefix}bus:messages`,
    read: `${prefix}bus:read`,
    finished: `${prefix}bus:finished`,
    marker: (instanceId) => `${prefix}bus:epoch:${instanceId}`,
    drain: (agentId, token) => `${prefix}bus:drain:${agentId}:${token}`,
    pattern: `${escapeGlob(prefix)}*`,
  }
}

/** Escapes the characters SCAN MATCH treats as glob syntax. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`)
}

/**
 * The JSON pushed to an inbox: the reference's keys in the reference's order, then our `id`
 * (`{"from","to","content","timestamp","id"}`).
 */
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
 * Reads one inbox entry, from this harness or from a client that speaks only the reference
 * protocol: a missing `id` is derived from the entry's bytes (so a repeat of the same entry is
 * recognised), a numeric timestamp (epoch seconds) becomes ISO 8601, a missing `to` is the inbox
 * owner. An entry that is not a JSON object is delivered whole as the content, from `unknown`.
 */
export function decodeMessage(raw: string, inboxOwner: string): BusMessage {
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    parsed = undefined
  }
  const id = () => `ref-${createHash('sha256').update(raw).digest('hex').slice(0, 32)}`
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { id: id(), from: 'unknown', to: inboxOwner, content: raw, timestamp: isoFromMicros(Date.now() * 1000) }
  }
  const fields = parsed as Record<string, unknown>
  const text = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value))
  let timestamp: string
  if (typeof fields.timestamp === 'string') timestamp = fields.timestamp
  else if (typeof fields.timestamp === 'number' && timestampMicros(fields.timestamp) !== null) timestamp = isoFromMicros(timestampMicros(fields.timestamp)!)
  else timestamp = isoFromMicros(Date.now() * 1000)
  return {
    id: typeof fields.id === 'string' && fields.id !== '' ? fields.id : id(),
    from: typeof fields.from === 'string' ? fields.from : 'unknown',
    to: typeof fields.to === 'string' ? fields.to : inboxOwner,
    content: text(fields.content),
    timestamp,
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
