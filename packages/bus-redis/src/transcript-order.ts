import type { BusMessage } from '@cooperbench/spec'
import { timestampMicros } from '@cooperbench/spec-utils'

/** A message with the position at which this process sent or received it, when known. */
export interface OrderedMessage {
  message: BusMessage
  /** Local send/receive order; absent for messages only Redis knows about (another process). */
  seq?: number
}

/** Chronological order (docs/reference-compatibility.md#messaging): timestamp, agent (`agent2` before `agent10`), local order, id; bad timestamps last. */
export function sortChronologically(items: readonly OrderedMessage[]): BusMessage[] {
  const keyed = items.map((item) => ({ item, micros: timestampMicros(item.message.timestamp) ?? Number.POSITIVE_INFINITY }))
  keyed.sort(
    (a, b) =>
      a.micros - b.micros ||
      a.item.message.from.localeCompare(b.item.message.from, 'en', { numeric: true }) ||
      (a.item.seq ?? Number.MAX_SAFE_INTEGER) - (b.item.seq ?? Number.MAX_SAFE_INTEGER) ||
      (a.item.message.id < b.item.message.id ? -1 : a.item.message.id > b.item.message.id ? 1 : 0),
  )
  return keyed.map((k) => k.item.message)
}
