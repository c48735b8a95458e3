import { cliSystemPrompt } from './cli-system-prompt.js'

/**
 * A recorded trajectory (`agent<fid>_traj.json`, `solo_traj.json`) as model turns. First-party agents (mini-SWE, CLI streams, OpenHands
 * bridge) and the plugin guide's record chat messages, OpenAI-shaped tool calls, a closing `exit`; read leniently (third parties may write less).
 */
export interface RecordedToolCall {
  id: string
  name: string
  /** The arguments as the model wrote them (JSON text, or not JSON at all). */
  arguments: string
}

/** A model call's tokens (or a sum of them), as agents record them in a message's `extra.usage`. */
export interface TokenCounts {
  input: number
  output: number
  cacheRead: number
  cacheWrite: number
}

export interface RecordedTurn {
  role: 'system' | 'user' | 'assistant' | 'tool'
  content: string
  toolCalls: RecordedToolCall[]
  /** A tool message: the call it answers, when the agent recorded one. */
  toolCallId?: string
  /** Epoch seconds, when recorded (never 0). */
  timestamp: number | null
  /** Model calls behind an assistant turn, with their tokens and cost (mini-SWE records them per message). */
  modelCalls: number
  usage: TokenCounts | null
  cost: number | null
  /** A teammate's message delivered as `[Message from agent2]: …`. */
  teammate?: { from: string; text: string }
  /** What the agent marked on the message: a format error, its setting's status (the team's task list), a compaction summary. */
  marks: string[]
  /** The ids its one model call's server returned (mini-SWE's `capture_token_ids`: `extra.token_capture`); absent for a merged turn. */
  tokenIds?: TokenIds
}

/** A model call's token ids as the server returned them (each list when it came). */
export interface TokenIds {
  prompt_token_ids?: number[]
  completion_token_ids?: number[]
}

export interface RecordedTrajectory {
  turns: RecordedTurn[]
  /** How the agent ended (`exit` message), when it recorded it. */
  exit: { status: string | null; text: string } | null
  /** A CLI agent's program (`package@version`): its turns were read from the CLI's event stream. */
  cli: string | null
  /** The system prompt a CLI's model was sent, when its session log kept it ({@link cliSystemPrompt}). */
  cliSystemPrompt: string | null
}

type RawMessage = {
  role?: unknown
  content?: unknown
  tool_calls?: unknown
  tool_call_id?: unknown
  exit_status?: unknown
  extra?: Record<string, unknown> | null
}

const DELIVERED = /^\[Message from ([^\]]+)\]: ([\s\S]*)$/
/** Marks an agent puts in a message's `extra` that say what the message is (`team_tasks`: older agents' `coordination_status`). */
const MARKS = ['format_error', 'coordination_status', 'team_tasks', 'summary', 'dropped', 'cost_unknown'] as const

/** Turns of `messages`; adjacent assistant messages are one turn (CLI streams and OpenHands split a reply into a block per event). */
export function readRecordedTurns(messages: readonly unknown[]): RecordedTrajectory {
  const turns: RecordedTurn[] = []
  let exit: RecordedTrajectory['exit'] = null
  let cli: string | null = null
  let systemPrompt: string | null = null
  for (const raw of messages as RawMessage[]) {
    if (raw === null || typeof raw !== 'object') continue
    const extra = raw.extra && typeof raw.extra === 'object' ? raw.extra : {}
    const content = textOf(raw.content)
    if (raw.role === 'exit') {
      const status = typeof extra['exit_status'] === 'string' ? extra['exit_status'] : typeof raw.exit_status === 'string' ? raw.exit_status : null
      exit = { status, text: content }
      if (typeof extra['cli'] === 'string') cli = extra['cli']
      systemPrompt = cliSystemPrompt(extra['cli_session_logs'])
      continue
    }
    const role = raw.role === 'system' || raw.role === 'user' || raw.role === 'assistant' || raw.role === 'tool' ? raw.role : null
    if (role === null) continue
    const turn: RecordedTurn = {
      role,
      content,
      toolCalls: toolCallsOf(raw.tool_calls),
      timestamp: typeof extra['timestamp'] === 'number' && extra['timestamp'] > 0 ? extra['timestamp'] : null,
      modelCalls: role === 'assistant' && extra['usage'] !== undefined ? 1 : 0,
      usage: usageOf(extra['usage']),
      cost: typeof extra['cost'] === 'number' && Number.isFinite(extra['cost']) ? extra['cost'] : null,
      marks: MARKS.filter((mark) => extra[mark] === true),
    }
    if (typeof raw.tool_call_id === 'string' && raw.tool_call_id !== '') turn.toolCallId = raw.tool_call_id
    const tokenIds = role === 'assistant' ? tokenIdsOf(extra['token_capture']) : null
    if (tokenIds) turn.tokenIds = tokenIds
    const delivered = role === 'user' ? DELIVERED.exec(content) : null
    if (delivered) turn.teammate = { from: delivered[1]!, text: delivered[2]! }
    const previous = turns.at(-1)
    if (role === 'assistant' && previous?.role === 'assistant') mergeInto(previous, turn)
    else turns.push(turn)
  }
  return { turns, exit, cli, cliSystemPrompt: systemPrompt }
}

function mergeInto(turn: RecordedTurn, next: RecordedTurn) {
  turn.content = [turn.content, next.content].filter((part) => part !== '').join('\n')
  turn.toolCalls.push(...next.toolCalls)
  turn.modelCalls += next.modelCalls
  if (next.usage) turn.usage = turn.usage ? addTokens(turn.usage, next.usage) : next.usage
  if (next.cost !== null) turn.cost = (turn.cost ?? 0) + next.cost
  turn.timestamp ??= next.timestamp
  turn.marks = [...new Set([...turn.marks, ...next.marks])]
  // Two calls' ids are no one step's: a merged turn keeps none rather than a mix.
  delete turn.tokenIds
}

/** `extra.token_capture`'s lists of integer ids; null when it holds none. */
function tokenIdsOf(value: unknown): TokenIds | null {
  if (value === null || typeof value !== 'object') return null
  const ids: TokenIds = {}
  for (const key of ['prompt_token_ids', 'completion_token_ids'] as const) {
    const list = (value as Record<string, unknown>)[key]
    if (Array.isArray(list) && list.every((id) => Number.isInteger(id))) ids[key] = list as number[]
  }
  return Object.keys(ids).length > 0 ? ids : null
}

export function addTokens(a: TokenCounts, b: TokenCounts): TokenCounts {
  return { input: a.input + b.input, output: a.output + b.output, cacheRead: a.cacheRead + b.cacheRead, cacheWrite: a.cacheWrite + b.cacheWrite }
}

/** A message's text: a string, or the text parts of a list of content parts. */
function textOf(content: unknown) {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('')
  return content === undefined || content === null ? '' : JSON.stringify(content)
}

function toolCallsOf(value: unknown): RecordedToolCall[] {
  if (!Array.isArray(value)) return []
  return value.flatMap((call: { id?: unknown; function?: { name?: unknown; arguments?: unknown } } | null, index) => {
    const name = call?.function?.name
    if (typeof name !== 'string' || name === '') return []
    const args = call?.function?.arguments
    const id = typeof call?.id === 'string' && call.id !== '' ? call.id : `call_${index}`
    return [{ id, name, arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) }]
  })
}

/** `extra.usage` as token counts (a count that is not a finite number is 0); null when it is not an object. */
export function usageOf(value: unknown): TokenCounts | null {
  if (value === null || typeof value !== 'object') return null
  const usage = value as Record<string, unknown>
  const n = (key: string) => (typeof usage[key] === 'number' && Number.isFinite(usage[key]) ? (usage[key] as number) : 0)
  return { input: n('input_tokens'), output: n('output_tokens'), cacheRead: n('cache_read_tokens'), cacheWrite: n('cache_write_tokens') }
}
