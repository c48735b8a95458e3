import type { ChatModel } from '../llm/index.js'
import { type Trajectory, type TrajectoryMessage, toChatMessage } from './trajectory.js'

/**
 * Context compaction (docs/reference-compatibility.md#running). Everything except the system message, the task
 * message and the last `keepLast` assistant turns (each with its observations) is replaced by
 * one message holding a summary the model writes in a separate call, whose cost and tokens are
 * recorded like any other call's (but which is not a step).
 *
 * Nothing is lost from the record: the trajectory keeps every message in the order it was
 * created, and each carries `extra.segment`, the number of compactions before it. The summary
 * message (`extra.summary: true`) opens a new segment. The model's context after compaction k
 * is: the system and task messages, the summary of segment k, the kept turns (the last messages
 * of segment k-1, from the first kept assistant message on), and what segment k added since.
 *
 * By default (`summary: 'transcript'`, profile `cooperbench-v1`) the summarising call gets the old
 * turns as one plain-text transcript rather than as tool-call messages (some providers reject
 * tool calls in a request that declares no tools, and declaring the bash tool would invite a tool
 * call instead of a summary), and the summary is a user message under a header. The reference's
 * (`messages`) sends the old turns as they are and keeps the model's reply as its summary.
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

/**
 * The compacted context, or null when there is nothing old enough to summarise. `context`
 * starts with the system and the task message.
 */
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
  if (assistants.length === 0) return turns.length
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
      return `[${m.role === 'user' ? 'user' : m.role}]\n${m.content}`
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
