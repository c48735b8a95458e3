import { type ChatMessage, toChatMessage, type TrajectoryMessage } from '@cooperbench/agent-mini-swe'

/** What a history entry is to SWE-agent's history processors (its `message_type`). */
export type MessageType = 'system_prompt' | 'observation' | 'action' | 'teammate_message' | 'status'

/**
 * SWE-agent's `history` of one attempt after its processors: `last_n_observations` (1.1) replaces all observations but the
 * first (the instance message) and the last n (polled) with a line count; `cache_control` is the model client's marks here.
 */
export class History {
  readonly entries: Array<{ message: TrajectoryMessage; type: MessageType }> = []

  constructor(private readonly lastN: { n: number; polling: number } | null) {}

  add(message: TrajectoryMessage, type: MessageType): void {
    this.entries.push({ message, type })
  }

  messages(): ChatMessage[] {
    const omitted = this.omittedObservations()
    return this.entries.map(({ message }, i) => {
      const chat = toChatMessage(message)
      return omitted.has(i) ? { ...chat, content: `Old environment output: (${pyLineCount(chat.content)} lines omitted)` } : chat
    })
  }

  private omittedObservations(): Set<number> {
    if (this.lastN === null) return new Set()
    const { n, polling } = this.lastN
    const observations = this.entries.flatMap((entry, i) => (entry.type === 'observation' ? [i] : []))
    const lastRemoved = Math.max(0, Math.floor(observations.length / polling) * polling - n)
    return new Set(observations.slice(1, lastRemoved))
  }
}

/** `len(text.splitlines())`: Python's line boundaries. */
function pyLineCount(text: string): number {
  return text === '' ? 0 : text.split(/\r\n|[\n\v\f\r\x1c-\x1e\x85\u2028\u2029]/).length - (/(?:\r\n|[\n\v\f\r\x1c-\x1e\x85\u2028\u2029])$/.test(text) ? 1 : 0)
}
