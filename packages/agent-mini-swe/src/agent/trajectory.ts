import type { AgentResult, TrajectoryRecorder } from '@cooperbench/spec'
import type { ChatMessage, ModelResponse, TokenCapture } from '../llm/index.js'

/** Token counts in the reference's snake_case, as the agent's result has them. */
export type TrajectoryUsage = Pick<AgentResult, 'input_tokens' | 'output_tokens' | 'cache_read_tokens' | 'cache_write_tokens'>

/**
 * One message of `agent<fid>_traj.json` (docs/reference-compatibility.md#run-folder). Every message carries `cost`, `usage`
 * and `timestamp` (zero without a model call), so the sums of those not `carried` are the run's totals; `extra.segment`: compactions
 * before it.
 */
export interface TrajectoryMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | 'exit'
  content: string
  /** Tool calls as the reference stores them (the OpenAI shape LiteLLM returns). */
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>
  tool_call_id?: string
  extra: {
    /** USD of the model call that produced this message; 0 when unknown (see `cost_unknown`). */
    cost: number
    usage: TrajectoryUsage
    /** Epoch seconds. */
    timestamp: number
    segment: number
    /** The model reported no price: `cost` is 0 and the cost limit cannot see this call. */
    cost_unknown?: true
    /** Parsed bash commands of an assistant message. */
    actions?: Array<{ tool_call_id: string; command: string }>
    /** The provider's raw response (the LLM client strips credentials). */
    response?: unknown
    /** `capture_token_ids`: the token ids the server used for this message's call (upstream 0.0.20's `extra["token_capture"]`). */
    token_capture?: TokenCapture
    /** `<returncode>` of a tool observation. */
    returncode?: number
    /** A reply the harness could not use (no tool call, bad arguments). */
    format_error?: true
    /** A model-written summary that replaced older turns. */
    summary?: true
    /** A message of the seat's earlier run, which this one continues (a seat carried into a later phase). */
    carried?: true
    exit_status?: string
    submission?: string
    [key: string]: unknown
  }
}

const ZERO_USAGE: TrajectoryUsage = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 }

/** The growing record of one run: every message once, in creation order, and the totals of all model calls (summaries too). */
export class Trajectory {
  readonly messages: TrajectoryMessage[] = []
  readonly usage: TrajectoryUsage = { ...ZERO_USAGE }
  /** USD of the calls with a price. */
  cost = 0
  /** A call of this run had no price: the run's cost is unknown, `cost` only a lower bound. */
  costUnknown = false
  /** Number of compactions so far; stamped on each new message as `extra.segment`. */
  segment = 0

  /**
   * Continues an earlier run's record (its exit left out, its compactions counted), each of its messages marked `extra.carried` so
   * that readers summing a phase's calls (their cost) skip them; the totals count this run's calls only.
   */
  constructor(earlier: readonly TrajectoryMessage[] = []) {
    this.messages.push(...earlier.filter((m) => m.role !== 'exit').map((m) => ({ ...m, extra: { ...m.extra, carried: true as const } })))
    this.segment = this.messages.at(-1)?.extra.segment ?? 0
  }

  /** Adds a message produced without a model call. */
  add(
    role: TrajectoryMessage['role'],
    content: string,
    extra: Partial<TrajectoryMessage['extra']> = {},
    fields: Pick<TrajectoryMessage, 'tool_call_id'> = {},
  ): TrajectoryMessage {
    const message: TrajectoryMessage = {
      role,
      content,
      ...fields,
      extra: { cost: 0, usage: { ...ZERO_USAGE }, timestamp: Date.now() / 1000, segment: this.segment, ...extra },
    }
    this.messages.push(message)
    return message
  }

  /** Adds the message a model call produced and counts the call's cost and tokens. */
  addModelReply(role: 'assistant' | 'user', content: string, response: ModelResponse, extra: Partial<TrajectoryMessage['extra']> = {}): TrajectoryMessage {
    const { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens } = response.usage
    const usage = { input_tokens: inputTokens, output_tokens: outputTokens, cache_read_tokens: cacheReadTokens, cache_write_tokens: cacheWriteTokens }
    this.cost += response.cost ?? 0
    if (response.cost === null) this.costUnknown = true
    for (const key of Object.keys(usage) as Array<keyof TrajectoryUsage>) this.usage[key] += usage[key]
    const message = this.add(role, content, {
      cost: response.cost ?? 0,
      usage,
      ...(response.cost === null ? { cost_unknown: true as const } : {}),
      response: response.raw,
      ...(response.tokenIds === undefined ? {} : { token_capture: response.tokenIds }),
      ...extra,
    })
    if (response.toolCalls.length > 0) {
      message.tool_calls = response.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }))
    }
    return message
  }

  /** The agent's result: how the run ended (`content` is the error of an `Error`), its steps, this record's totals and messages. */
  result({ status, content, failure }: Pick<AgentResult, 'status' | 'failure'> & { content: string }, steps: number): AgentResult {
    return {
      status,
      cost: this.cost,
      ...(this.costUnknown ? { costUnknown: true } : {}),
      steps,
      ...this.usage,
      messages: [...this.messages],
      error: status === 'Error' ? content : null,
      ...(failure === undefined ? {} : { failure }),
    }
  }
}

/** Saves the trajectory: an appending recorder gets only the messages added since the last call (step 1000 costs what step 1 does), another the whole. */
export function trajectorySaver(recorder: TrajectoryRecorder, trajectory: Trajectory): () => Promise<void> {
  let recorded = 0
  return () => {
    // A copy, so later pushes never race a pending write.
    if (!recorder.append) return recorder.save([...trajectory.messages])
    const added = trajectory.messages.slice(recorded)
    recorded = trajectory.messages.length
    return recorder.append(added)
  }
}

/** What the model sees of a recorded message; `exit` messages are never sent. */
export function toChatMessage(message: TrajectoryMessage): ChatMessage {
  if (message.role === 'exit') throw new Error('an exit message is not part of the model context')
  const chat: ChatMessage = { role: message.role, content: message.content }
  if (message.tool_calls) chat.toolCalls = message.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }))
  if (message.tool_call_id !== undefined) chat.toolCallId = message.tool_call_id
  return chat
}
