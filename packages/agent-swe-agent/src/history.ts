import { type CacheControlMark, type ChatMessage, toChatMessage, type TrajectoryMessage } from '@cooperbench/agent-mini-swe'

/** What a history entry is to SWE-agent's history processors (its `message_type`). */
export type MessageType = 'system_prompt' | 'observation' | 'action' | 'teammate_message'

/** The processors SWE-agent chains over one attempt's history, as the configuration sets them. */
export interface HistoryProcessors {
  /** `last_n_observations`: n and its polling. */
  lastNObservations: { n: number; polling: number } | null
  /** `cache_control`: how many of the last user/tool messages are marked. */
  cacheControlLastN: number | null
}

/**
 * SWE-agent's `history` of one attempt after its processors: `last_n_observations` (1.1) replaces all observations but the
 * first (the instance message) and the last n (polled) with a line count; then `cache_control` marks the last n user/tool
 * messages. That processor changes the history's own entries: a message once marked keeps its list content, unmarked.
 */
export class History {
  readonly entries: Array<{ message: TrajectoryMessage; type: MessageType }> = []
  /** Entries `cache_control` has made list content of. */
  private readonly listed = new Set<number>()

  constructor(private readonly processors: HistoryProcessors) {}

  add(message: TrajectoryMessage, type: MessageType): void {
    this.entries.push({ message, type })
  }

  /** The processed history; SWE-agent processes it once per step (a requery sends the same with its two messages after). */
  messages(): ChatMessage[] {
    const omitted = this.omittedObservations()
    const chats = this.entries.map(({ message }, i) => {
      const chat = toChatMessage(message)
      return omitted.has(i) ? { ...chat, content: `Old environment output: (${pyLineCount(chat.content)} lines omitted)` } : chat
    })
    const marked = this.markedNow(chats)
    // An elided observation is a copy in SWE-agent: its marks do not stay.
    for (const i of marked) if (!omitted.has(i)) this.listed.add(i)
    return chats.map((chat, i) => {
      const cleared = this.listed.has(i) && !omitted.has(i)
      const mark: CacheControlMark | null = marked.has(i) ? (chat.role === 'tool' ? 'message' : 'part') : cleared ? 'cleared' : null
      return mark === null ? chat : { ...chat, cacheControl: mark }
    })
  }

  /** The last n user/tool messages (`CacheControlHistoryProcessor`, its default roles and offset). */
  private markedNow(chats: ChatMessage[]): Set<number> {
    const n = this.processors.cacheControlLastN ?? 0
    const tagged = chats.flatMap((chat, i) => (chat.role === 'user' || chat.role === 'tool' ? [i] : []))
    return new Set(n > 0 ? tagged.slice(-n) : [])
  }

  private omittedObservations(): Set<number> {
    if (this.processors.lastNObservations === null) return new Set()
    const { n, polling } = this.processors.lastNObservations
    const observations = this.entries.flatMap((entry, i) => (entry.type === 'observation' ? [i] : []))
    const lastRemoved = Math.max(0, Math.floor(observations.length / polling) * polling - n)
    return new Set(observations.slice(1, lastRemoved))
  }
}

/** `len(text.splitlines())`: Python's line boundaries. */
function pyLineCount(text: string): number {
  return text === '' ? 0 : text.split(/\r\n|[\n\v\f\r\x1c-\x1e\x85\u2028\u2029]/).length - (/(?:\r\n|[\n\v\f\r\x1c-\x1e\x85\u2028\u2029])$/.test(text) ? 1 : 0)
}
