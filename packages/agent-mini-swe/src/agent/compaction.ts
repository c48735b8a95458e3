import type { ChatModel } from '../llm/index.js'
import { type Trajectory, type TrajectoryMessage, toChatMessage } from './trajectory.js'

/**
 * Context compaction (docs/reference-compatibility.md#running): all but the system and task messages and the last `keepLast` assistant
 * turns (with their observations) is replaced by a summary the model writes in a separate call, costed but not a step. The record keeps
 * every message, in creation order, with `extra.segment` (compactions before it); the summary (`extra.summary: true`) opens a new segment.
 * After compaction k the context is: system, task, segment k's summary, segment k-1's kept turns, and what segment k added since.
 *
 * `summary: 'transcript'` (cooperbench-v1) sends the old turns as one plain-text transcript, not tool-call messages (some providers reject
 * tool calls in a request declaring no tools; declaring bash would invite a call instead of a summary); the summary is a user message under
 * a header. `messages` (the reference's) sends the old turns as they are and keeps the reply as the summary.
 */
export interface CompactionRequest {
  model: ChatModel
  trajectory: Trajectory
  keepLast: number
  summaryPrompt: string
  signal: AbortSignal
  summary?: 'transcript' | 'messages'
}

const SUMMARY_HEADER = '[Summary of your earlier work. The history before this point was removed to save space; continue from this summary.]'

/** The compacted context (`context` starts with the system and task messages), or null when nothing is old enough to summarise. */
export async function compactContext(context: TrajectoryMessage[], request: CompactionRequest): Promise<TrajectoryMessage[] | null> {
  const [system, task, ...turns] = context
  if (!system || !task) return null
  const boundary = keptTurnsStart(turns, request.keepLast)
  const old = turns.slice(0, boundary)
  if (old.length === 0) return null
  const transcript = request.summary !== 'messages'
  const prompt = transcript ? `Transcript of your work so far:\n\n${renderTranscript(old)}\n\n${request.summaryPrompt}` : request.summaryPrompt
  const response = await request.model.complete({
    messages: [...(transcript ? [system, task] : [system, task, ...old]).map(toChatMessage), { role: 'user', content: prompt }],
    tools: [],
    signal: request.signal,
  })
  request.trajectory.segment += 1
  const extra = { summary: true as const, summarised_messages: old.length }
  const summary = transcript
    ? request.trajectory.addModelReply('user', `${SUMMARY_HEADER}\n\n${response.text.trim() || '(the summary came back empty)'}`, response, extra)
    : request.trajectory.addModelReply('assistant', response.text, response, extra)
  return [system, task, summary, ...turns.slice(boundary)]
}

/** Index in `turns` where the last `keepLast` assistant turns start (`turns.length` when 0). */
export function keptTurnsStart(turns: readonly TrajectoryMessage[], keepLast: number): number {
  if (keepLast <= 0) return turns.length
  const assistants = turns.flatMap((m, i) => (m.role === 'assistant' ? [i] : []))
  return assistants[Math.max(0, assistants.length - keepLast)] ?? turns.length
}

/** The old turns as readable text: what was said, which commands ran, what they printed. */
function renderTranscript(messages: readonly TrajectoryMessage[]): string {
  return messages
    .map((m) => {
      if (m.role === 'assistant') {
        const commands = (m.tool_calls ?? []).map((c) => `$ ${commandOf(c.function.arguments)}`)
        return ['[you]', m.content.trim(), ...commands].filter((line) => line !== '').join('\n')
      }
      if (m.role === 'tool') return `[command result]\n${m.content}`
      return `[${m.role}]\n${m.content}`
    })
    .join('\n\n')
}

function commandOf(args: string): string {
  try {
    const command = (JSON.parse(args) as { command?: unknown }).command
    if (typeof command === 'string') return command
  } catch {
    // a malformed call is shown as its raw arguments
  }
  return args
}
