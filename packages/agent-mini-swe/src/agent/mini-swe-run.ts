import { type AgentResult, type AgentRunContext, errorMessage, type FailureOrigin } from '@cooperbench/spec'
import type { ChatModel, CompleteRequest, ModelResponse } from '../llm/index.js'
import { ModelCallFailed } from './model-call.js'
import type { MiniSweAgentOptions } from './options.js'
import { Trajectory, type TrajectoryMessage, trajectorySaver } from './trajectory.js'

/**
 * What one run of `mini_swe_agent` keeps under either protocol (profile `cooperbench-v1`, a
 * reference configuration): the trajectory, the messages the model sees, their saving, model
 * calls that fail as {@link ModelCallFailed}, and the result made of them.
 */
export abstract class MiniSweRun {
  protected readonly trajectory = new Trajectory()
  /** What the model sees: the record minus compacted turns, in context order. */
  protected context: TrajectoryMessage[] = []
  /** Aborted by the run itself (its own wall clock); `signal` also follows the harness's. */
  protected readonly stop = new AbortController()
  protected readonly signal: AbortSignal
  /** Records the messages added since the last save (see `trajectorySaver`). */
  protected readonly save: () => Promise<void>

  constructor(protected readonly ctx: AgentRunContext) {
    this.signal = AbortSignal.any([ctx.signal, this.stop.signal])
    this.save = trajectorySaver(ctx.recorder, this.trajectory)
  }

  protected say(role: TrajectoryMessage['role'], content: string, extra: Partial<TrajectoryMessage['extra']> = {}, toolCallId?: string): void {
    this.remember(this.trajectory.add(role, content, extra, toolCallId === undefined ? {} : { tool_call_id: toolCallId }))
  }

  protected remember(message: TrajectoryMessage): void {
    this.context.push(message)
  }

  /** One model call under the run's signal: an interruption rethrows, any other failure (after the client's retries) is {@link ModelCallFailed}. */
  protected async call(model: ChatModel, request: Omit<CompleteRequest, 'signal'>): Promise<ModelResponse> {
    try {
      return await model.complete({ ...request, signal: this.signal })
    } catch (error) {
      this.signal.throwIfAborted()
      throw new ModelCallFailed(`model call failed: ${errorMessage(error)}`, { cause: error })
    }
  }

  /** The run's result: its trajectory's cost, usage and messages. */
  protected result(
    status: AgentResult['status'],
    steps: number,
    error: string | null,
    extra: { failure?: FailureOrigin | undefined; submittedPatch?: string } = {},
  ): AgentResult {
    const { failure, submittedPatch } = extra
    return {
      status,
      cost: this.trajectory.cost,
      steps,
      ...this.trajectory.usage,
      messages: this.trajectory.snapshot(),
      error,
      ...(failure === undefined ? {} : { failure }),
      ...(submittedPatch === undefined ? {} : { submittedPatch }),
    }
  }
}

/** Our temperature and output cap as request settings (null: the provider's default). */
export function callOptions(options: MiniSweAgentOptions): Partial<CompleteRequest> {
  const { temperature, max_output_tokens } = options.model
  return {
    ...(temperature === null ? {} : { temperature }),
    ...(max_output_tokens === null ? {} : { maxOutputTokens: max_output_tokens }),
  }
}
