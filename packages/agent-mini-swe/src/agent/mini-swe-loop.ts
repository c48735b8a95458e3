import { type AgentResult, type AgentRunContext, errorMessage, type FailureOrigin, SANDBOX_REPO_DIR } from '@cooperbench/spec'
import { isTimeout } from '@cooperbench/spec-utils'
import type { ChatMessage, ChatModel, CompleteRequest, ModelResponse } from '../llm/index.js'
import { compactContext } from './compaction.js'
import { completeOrFail, ModelCallFailed } from './model-call.js'
import type { CommandOutcome } from './observation.js'
import type { Action, MiniSweProtocol } from './protocol.js'
import { Trajectory, type TrajectoryMessage, toChatMessage, trajectorySaver } from './trajectory.js'

/** How a run ended: thrown by a step (`Submitted`, a limit) and recorded as the `exit` message. */
class Ended extends Error {
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

/** An action done: its command's outcome, or why it could not run. */
type Answered = { id: string; output: CommandOutcome } | { id: string; error: string }

/**
 * One run of `mini_swe_agent`, as mini-swe-agent's `DefaultAgent.run`: the opening messages, then steps (the protocol's
 * phases, the model call, the commands and observations) until one ends the run ({@link Ended}), then the `exit` message.
 */
export class MiniSweLoop {
  private readonly trajectory: Trajectory
  /** What the model sees: the record minus dropped replies and compacted turns, in context order. */
  private context: TrajectoryMessage[] = []
  /** `context` as the model gets it, converted once per message rather than once per step. */
  private chatContext: ChatMessage[] = []
  /** Aborted by the run itself (its own wall clock); `signal` also follows the harness's. */
  private readonly stop = new AbortController()
  private readonly signal: AbortSignal
  /** Records the messages added since the last save (see `trajectorySaver`). */
  private readonly save: () => Promise<void>
  /** Put before every command: the seat's command tools on PATH again, which a login shell (`bash -lc`) resets. */
  private commandPrefix: string
  /** Model calls so far (the protocol decides when one counts). */
  private steps = 0
  /** The cost of accepted replies (what the reference's cost limit counts). */
  private acceptedCost = 0
  private formatErrors = 0
  /** Input tokens of the last accepted reply's call: what triggers a compaction. */
  private lastInputTokens = 0

  constructor(
    private readonly ctx: AgentRunContext,
    private readonly protocol: MiniSweProtocol,
    private readonly model: ChatModel,
  ) {
    this.signal = AbortSignal.any([ctx.signal, this.stop.signal])
    this.trajectory = new Trajectory(ctx.previous?.messages as TrajectoryMessage[] | undefined)
    this.save = trajectorySaver(ctx.recorder, this.trajectory)
    const dir = ctx.coordination.commandDir
    this.commandPrefix = dir === null ? '' : `export PATH="${dir}:$PATH"\n`
  }

  async run(): Promise<AgentResult> {
    const seconds = this.protocol.wallSeconds
    const timer = seconds === null ? undefined : setTimeout(() => this.stop.abort(new Error('wall time limit')), seconds * 1000)
    let ended: Ended
    try {
      await this.start()
      ended = await this.stepUntilEnded()
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
    const submission = this.protocol.submittedPatch
    const submitted = submission && {
      submittedPatch: await submission.read(ended, (command) => this.exec(command)),
      submittedPatchSource: submission.source,
    }
    await this.save()
    return { ...this.trajectory.result(ended, this.steps), ...submitted }
  }

  /** Steps until one ends the run; an ending the protocol turns down (`beforeExit`) is told to the model, and the steps go on. */
  private async stepUntilEnded(): Promise<Ended> {
    for (;;) {
      try {
        for (;;) await this.step()
      } catch (caught) {
        if (!(caught instanceof Ended) || caught.status === 'Error' || !this.protocol.beforeExit) throw caught
        const turnedDown = await this.protocol.beforeExit((command) => this.exec(command))
        if (turnedDown === null) return caught
        this.say('user', turnedDown, { submit_nudge: true })
        await this.save()
      }
    }
  }

  /** What ended the run; an interruption rethrows (the harness writes nothing for it). */
  private endingOf(caught: unknown): Ended {
    if (caught instanceof Ended) return caught
    // An interruption wins over a limit that fired at the same time.
    if (this.ctx.signal.aborted && !isTimeout(this.ctx.signal)) throw caught
    if (this.stop.signal.aborted) return new Ended('LimitsExceeded', `wall time limit of ${this.protocol.wallSeconds} s reached`)
    if (isTimeout(this.ctx.signal)) return new Ended('LimitsExceeded', 'the harness wall-clock limit was reached')
    // A provider that is down, overloaded or unreachable is not the agent's failure.
    if (caught instanceof ModelCallFailed) return new Ended('Error', caught.message, caught.origin)
    if (this.protocol.otherErrors === 'agent') return new Ended('Error', errorMessage(caught), 'agent')
    return new Ended('Error', errorMessage(caught), undefined, caught)
  }

  private async start(): Promise<void> {
    const { mailbox } = this.ctx
    if (mailbox && this.protocol.messaging.clearsInbox) {
      const dropped = await mailbox.receive()
      if (dropped.length > 0)
        this.ctx.logger.info(`${this.ctx.agentId}: ${dropped.length} message(s) sent before it started were cleared, as the reference does`)
    }
    if (this.protocol.prepare) await this.prepare(this.protocol.prepare)
    if (this.ctx.previous) return this.resume()
    const [system, instance] = this.opening()
    this.say('system', system)
    this.say('user', instance)
    await this.save()
    const problem = this.protocol.openingProblem?.(system, instance) ?? null
    if (problem !== null) throw new Ended('Error', problem, 'infra')
  }

  /** The protocol's own set-up of the sandbox; what it cannot do is the harness's failure (`infra`), as the reference's set-up raises. */
  private async prepare(prepare: NonNullable<MiniSweProtocol['prepare']>): Promise<void> {
    try {
      const dir = await prepare(
        (command) => this.exec(command),
        (path, text) => this.ctx.sandbox.writeFile(path, text),
      )
      if (dir !== '') this.commandPrefix += `export PATH="${dir}:$PATH"\n`
    } catch (error) {
      this.signal.throwIfAborted()
      throw new Ended('Error', `could not set up the sandbox for the submission: ${errorMessage(error)}`, 'infra')
    }
  }

  /**
   * A seat carried into a later phase: the context its model last saw, replayed from the record (dropped replies left out,
   * each compaction applied), then its next instruction as it is.
   */
  private async resume(): Promise<void> {
    for (const message of this.trajectory.messages) {
      if (message.extra['dropped'] === true) continue
      if (message.extra.summary) this.context.splice(2, Number(message.extra['summarised_messages']), message)
      else this.context.push(message)
    }
    this.chatContext = this.context.map(toChatMessage)
    this.say('user', this.ctx.instructions)
    await this.save()
  }

  /** The system and task messages; templates that fail here are the configuration's doing: an `infra` Error (the pair is not judged). */
  private opening(): [string, string] {
    const vars = this.vars()
    try {
      return [this.protocol.templates.system.render(vars), this.protocol.templates.instance.render(vars)]
    } catch (error) {
      throw new Ended('Error', `the first messages do not render: ${errorMessage(error)}`, 'infra')
    }
  }

  private async step(): Promise<void> {
    for (const phase of this.protocol.beforeCall) {
      if (phase === 'interruption') this.signal.throwIfAborted()
      else if (phase === 'limits') this.checkLimits()
      else if (phase === 'inbox') await this.deliverInbox()
      else if (phase === 'status') await this.showStatus()
      // A compaction that ends the step: the next starts over.
      else if (await this.compactIfDue()) return this.save()
    }
    const submission = await this.execute(await this.query())
    await this.save()
    if (submission !== null) throw new Ended('Submitted', submission)
  }

  private checkLimits(): void {
    const { steps, costUsd } = this.ctx.limits
    const spent = this.spent()
    const formatErrors = this.protocol.formatErrorLimit
    const end = (limit: Parameters<MiniSweProtocol['exceeded']>[0]) => new Ended('LimitsExceeded', this.protocol.exceeded(limit))
    if (steps > 0 && this.steps >= steps) throw end({ steps })
    if (costUsd > 0 && spent >= costUsd) throw end({ costUsd, spent })
    if (formatErrors > 0 && this.formatErrors >= formatErrors) throw end({ formatErrors: this.formatErrors })
  }

  /** Messages that arrived since the last step, oldest first, one user message each. */
  private async deliverInbox(): Promise<void> {
    if (!this.ctx.mailbox) return
    for (const message of await this.ctx.mailbox.receive()) {
      const { render } = this.protocol.messaging
      const content = render ? await render(this.ctx.mailbox, message) : `[Message from ${message.from}]: ${message.content}`
      this.say('user', content, { message_id: message.id })
    }
    for (const notice of (await this.protocol.messaging.notices?.(this.ctx.mailbox)) ?? []) this.say('user', notice, { peer_departed: true })
  }

  /** The seat's status (a task list, as the reference's `TeamPoller` showed it); one that cannot be read fails the step (the reference skipped it). */
  private async showStatus(): Promise<void> {
    const { status } = this.ctx.coordination
    if (status === null) return
    const text = await status()
    this.signal.throwIfAborted()
    if (text !== null) this.say('user', text, { coordination_status: true })
  }

  private async compactIfDue(): Promise<boolean> {
    const compaction = this.protocol.compaction
    if (!compaction || this.lastInputTokens < compaction.triggerTokens) return false
    if (compaction.endsStep) this.lastInputTokens = 0
    const model = { id: this.model.id, complete: (request: CompleteRequest) => this.complete(request) }
    const compacted = await compactContext(this.context, { ...compaction, model, trajectory: this.trajectory, signal: this.signal })
    if (!compacted) return false
    this.context = compacted
    this.chatContext = compacted.map(toChatMessage)
    this.ctx.logger.info(`${this.ctx.agentId}: compacted the context (compaction ${this.trajectory.segment})`)
    return compaction.endsStep
  }

  /** The model call, its reply recorded with the commands it asks for; an unusable reply is answered here. */
  private async query(): Promise<Action[]> {
    const protocol = this.protocol
    if (protocol.countsCallsMade) this.steps += 1
    const response = await this.complete({ messages: [...this.chatContext], tools: [protocol.tool] })
    if (!protocol.countsCallsMade) this.steps += 1
    const reply = protocol.parseReply(response.toolCalls)
    const actions = Array.isArray(reply) ? reply : []
    if (!Array.isArray(reply) && protocol.dropsUnusableReplies) {
      this.trajectory.addModelReply('assistant', response.text, response, { format_error: true, dropped: true })
    } else {
      this.acceptedCost += response.cost ?? 0
      this.lastInputTokens = response.usage.inputTokens
      const commands = actions.flatMap((a) => ('command' in a ? [{ tool_call_id: a.id, command: a.command }] : []))
      this.remember(this.trajectory.addModelReply('assistant', response.text, response, { actions: commands }))
    }
    if (!Array.isArray(reply)) {
      this.formatErrors += 1
      this.say('user', protocol.templates.formatError.render({ ...this.vars(), error: reply.error }), { format_error: true })
      return []
    }
    this.formatErrors = actions.some((a) => 'error' in a) ? this.formatErrors + 1 : 0
    return actions
  }

  /** Every model call: the protocol's request settings, failures as {@link ModelCallFailed}, unknown prices. */
  private async complete(request: Omit<CompleteRequest, 'signal'>): Promise<ModelResponse> {
    const response = await completeOrFail(this.model, { ...request, ...this.protocol.request, signal: this.signal })
    if (response.cost === null) this.protocol.unknownPrice(this.model.id)
    return response
  }

  /** Answers the reply's actions in order; returns the submission when a command submitted. */
  private async execute(actions: Action[]): Promise<string | null> {
    const answered: Answered[] = []
    for (const action of actions) {
      let submission: string | null = null
      if ('error' in action) answered.push(action)
      else {
        const done = await this.perform(action)
        if (done.submission !== null && this.protocol.observations === 'per-reply') throw new Ended('Submitted', done.submission)
        answered.push({ id: action.id, output: done.output })
        submission = done.submission
      }
      if (this.protocol.observations === 'each') this.observe(answered.splice(0))
      if (submission !== null) return submission
    }
    this.observe(answered)
    return null
  }

  private observe(answered: Answered[]): void {
    const vars = this.vars()
    for (const item of answered) {
      if ('error' in item) {
        this.say('tool', this.protocol.templates.formatError.render({ ...vars, error: item.error }), { format_error: true }, item.id)
        continue
      }
      const { content, extra } = this.protocol.observation(item.output, vars)
      this.say('tool', content, extra, item.id)
    }
  }

  /** Sends an action's messages through the bus (when the run has a mailbox) and runs the rest of its command. */
  private async perform(action: Exclude<Action, { error: string }>): Promise<{ output: CommandOutcome; submission: string | null }> {
    const { mailbox } = this.ctx
    const { messaging, submission } = this.protocol
    const command = 'command' in action ? action.command : ''
    const found = mailbox ? ('sends' in action ? { sends: action.sends, remaining: '' } : messaging.parse(command)) : null
    if (!mailbox || found === null) {
      const output = await this.exec(command)
      return { output, submission: submission(output) }
    }
    if (!('sends' in found)) return { output: found, submission: null }
    const sent = await messaging.deliver(mailbox, found.sends, this.signal)
    if (found.remaining.trim() === '') return { output: sent, submission: null }
    const rest = await this.exec(found.remaining)
    return { output: { ...rest, output: sent.output + messaging.separator + rest.output }, submission: submission(rest) }
  }

  private async exec(command: string): Promise<CommandOutcome> {
    const { argv, env, output, timeoutSeconds } = this.protocol.runner
    const options = { cwd: SANDBOX_REPO_DIR, ...(env === null ? {} : { env }), timeoutMs: timeoutSeconds * 1000, signal: this.signal }
    const result = await this.ctx.sandbox.exec(argv(this.commandPrefix + command), options)
    this.signal.throwIfAborted()
    return { output: output(result.stdout, result.stderr), returncode: result.timedOut ? -1 : result.exitCode, timedOut: result.timedOut }
  }

  private spent(): number {
    return this.protocol.costCounts === 'every-call' ? this.trajectory.cost : this.acceptedCost
  }

  private vars(): Record<string, unknown> {
    return this.protocol.vars({ calls: this.steps, cost: this.spent() })
  }

  private say(role: TrajectoryMessage['role'], content: string, extra: Partial<TrajectoryMessage['extra']> = {}, toolCallId?: string): void {
    this.remember(this.trajectory.add(role, content, extra, toolCallId === undefined ? {} : { tool_call_id: toolCallId }))
  }

  private remember(message: TrajectoryMessage): void {
    this.context.push(message)
    this.chatContext.push(toChatMessage(message))
  }
}
