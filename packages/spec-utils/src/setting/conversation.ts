import type { BusMessage, ConversationEntry } from '@cooperbench/spec'

/** A channel's transcript as `conversation.json` holds it: each message with its sender's feature (0 when it owns none). */
export function conversationOf(transcript: readonly BusMessage[], featureOf: (agentId: string) => number | undefined): ConversationEntry[] {
  return transcript.map((m) => ({ from: m.from, to: m.to, message: m.content, timestamp: m.timestamp, feature_id: featureOf(m.from) ?? 0 }))
}
