import { type AgentResult, type AgentRunContext, errorMessage, type FailureOrigin } from '@cooperbench/spec'
import { teamCommandPath, teamTaskSummary } from '@cooperbench/spec-utils/host'
import type { ChatModel, CompleteRequest, ModelResponse } from '../llm/index.js'
import { isTimeout, ModelCallFailed, providerFailure } from './model-call.js'
import type { MiniSweAgentOptions } from './options.js'
import { Trajectory, type TrajectoryMessage, trajectorySaver } from './trajectory.js'

/** How a run ended: thrown by a step (`Submitted`, a limit) and recorded as the `exit` message. */
export class Ended extends Error {
  constructor(
    readonly status: 'Submitted' | 'LimitsExceeded' | 'Error',
    readonly content: string,
    readonly failure?: FailureOrigin,
    /** Thrown on once the exit is recorded, for the harness to report (an error outside the agent's own doing). */
    readonly rethrow?: unknown,
  ) {
    super(status)
  }
}

/**
 * One run of `mini_swe_agent`, as mini-swe-agent's `DefaultAgent.run`: the opening messages, then
 * steps until one ends the run ({@link Ended}), the `exit` message, the result. What differs
 * between the protocols (profile `cooperbench-v1`, a reference configuration) is the subclass's:
 * its opening, its step, what an unexpected error becomes, and what it submits besides the
 * working tree. Shared: the trajectory, the messages the model sees, their saving, model calls
 * that fail as {@link ModelCallFailed}, the wall clocks, the result.
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

  /** Model calls so far (the protocol decides when one counts). */
  protected steps = 0
  /** Put before every command: in a team run with the task list, the harness's `coop-task-*` folder on PATH. */
  protected readonly commandPrefix: string

  constructor(
    protected readonly ctx: AgentRunContext,
    /** The run's own wall clock, seconds; null = none (the harness's still applies). */
    private readonly wallSeconds: number | null = null,
  ) {
    this.signal = AbortSignal.any([ctx.signal, this.stop.signal])
    this.save = trajectorySaver(ctx.recorder, this.trajectory)
    this.commandPrefix = teamCommandPath(ctx.team)
  }

  protected abstract start(): Promise<void>
  protected abstract step(): Promise<void>

  async run(): Promise<AgentResult> {
    const seconds = this.wallSeconds
    const timer = seconds === null ? undefined : setTimeout(() => this.stop.abort(new Error('wall time limit')), seconds * 1000)
    let ended: Ended
    try {
      await this.start()
      for (;;) await this.step()
    } catch (caught) {
      ended = this.endingOf(caught)
    } finally {
      clearTimeout(timer)
    }
    this.trajectory.add('exit', ended.content, { exit_status: ended.status, submission: ended.status === 'Submitted' ? ended.content : '' })
    if (ended.rethrow !== undefined) {
      await this.save()
      throw ended.rethrow
    }
    const submittedPatch = await this.submittedPatch(ended)
    await this.save()
    const { status, content, failure } = ended
    return {
      status,
      cost: this.trajectory.cost,
      steps: this.steps,
      ...this.trajectory.usage,
      messages: this.trajectory.snapshot(),
      error: status === 'Error' ? content : null,
      ...(failure === undefined ? {} : { failure }),
      ...(submittedPatch === undefined ? {} : { submittedPatch }),
    }
  }

  /** What ended the run; an interruption rethrows (the harness writes nothing for it). */
  private endingOf(caught: unknown): Ended {
    if (caught instanceof Ended) return caught
    // An interruption wins over a limit that fired at the same time.
    if (this.ctx.signal.aborted && !isTimeout(this.ctx.signal)) throw caught
    if (this.stop.signal.aborted) return new Ended('LimitsExceeded', `wall time limit of ${this.wallSeconds} s reached`)
    if (isTimeout(this.ctx.signal)) return new Ended('LimitsExceeded', 'the harness wall-clock limit was reached')
    // A provider that is down, overloaded or unreachable is not the agent's failure.
    if (caught instanceof ModelCallFailed) return new Ended('Error', caught.message, providerFailure(caught.cause) ? 'infra' : 'agent')
    return this.unexpected(caught)
  }

  /** An error of neither the model nor the harness's clocks (the sandbox, the harness's files). */
  protected abstract unexpected(error: unknown): Ended

  /** The patch the protocol submits in place of the working tree's, read after any ending; undefined: none. */
  protected async submittedPatch(_ended: Ended): Promise<string | undefined> {
    return undefined
  }

  /**
   * The `team` setting's auto-refresh, called by both protocols right before each step's model
   * call: with `features.auto_refresh` on and a task list, the list's `[Team task list]` summary
   * (`teamTaskSummary`, the reference's format) as a user message, every time, as the
   * reference's `TeamPoller` prepends it before every call. A task list that cannot be read
   * fails the step like any harness failure (the reference skipped the summary silently).
   */
  protected async refreshTeamTasks(): Promise<void> {
    const team = this.ctx.team
    if (!team?.features.auto_refresh || team.taskList === null) return
    const tasks = await team.taskList.list()
    this.signal.throwIfAborted()
    this.say('user', teamTaskSummary(tasks, this.ctx.agentId), { team_tasks: true })
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
}

/** Our temperature and output cap as request settings (null: the provider's default). */
export function callOptions(options: MiniSweAgentOptions): Partial<CompleteRequest> {
  const { temperature, max_output_tokens } = options.model
  return {
    ...(temperature === null ? {} : { temperature }),
    ...(max_output_tokens === null ? {} : { maxOutputTokens: max_output_tokens }),
  }
}
