import { type Agent, type AgentResult, type AgentRunContext, errorMessage, SANDBOX_REPO_DIR } from '@cooperbench/spec'
import { enforcedLimits } from '@cooperbench/spec-utils'
import { isReferenceFormat, readReferenceProtocol } from '../reference/config.js'
import { ReferenceLoop } from '../reference/reference-loop.js'
import { tryReferenceTemplates, warnOnce } from '../reference/preflight.js'
import type { ChatMessage, ChatModel, ChatModelOptions, ModelResponse } from '../llm/index.js'
import { probeModelServer } from '../llm/probe.js'
import { BASH_TOOL, type BashCall, formatErrorMessage, NO_TOOL_CALL, parseBashCall } from './bash-tool.js'
import { compactContext } from './compaction.js'
import { combineOutput, type CommandOutcome, renderObservation, submissionOf } from './observation.js'
import { type MiniSweAgentOptions, parseOptions } from './options.js'
import { buildPrompt } from './prompt.js'
import { unknownPriceWarning, warnedUnknownPrices } from './model-call.js'
import { callOptions, Ended, MiniSweRun } from './mini-swe-run.js'
import { deliverSends, parseSendMessages } from './send-message.js'
import { type TrajectoryMessage, toChatMessage } from './trajectory.js'

/** What the agent needs besides its options; injected so tests can script the model. */
export interface MiniSweAgentDeps {
  createModel(options: ChatModelOptions): ChatModel
  /** How long `send_message --wait` waits for a reply: 60 s (docs/reference-compatibility.md#messaging), shorter in tests. */
  replyTimeoutMs?: number
}

/**
 * Agent `mini_swe_agent`: a small tool-calling loop in the spirit of mini-swe-agent v2. The
 * model has one tool, `bash`; each step drains the inbox, maybe compacts the context, calls the
 * model and runs its commands in the sandbox, until a command submits or a limit is reached.
 */
export class MiniSweAgent implements Agent {
  readonly specificationVersion = 'agent-v1' as const
  readonly name = 'mini_swe_agent'

  constructor(
    readonly options: MiniSweAgentOptions,
    private readonly deps: MiniSweAgentDeps,
  ) {}

  /**
   * Layers the options (the host validated them; `ctx.options` win over the creation options) and creates the model client (keys, provider, project) without calling
   * the model; with a base URL, lists the server's models once (`probeModelServer`), so an
   * unreachable endpoint, a refused key or a URL that is not the API fails the run in one line
   * instead of every pair failing.
   */
  async preflight(setup: Parameters<NonNullable<Agent['preflight']>>[0]): Promise<void> {
    const options = parseOptions(setup.options, this.options)
    // A reference-format configuration: its templates compile and render with this run's variables, or the run stops here.
    const protocol = isReferenceFormat(setup.options) ? readReferenceProtocol(setup.options) : null
    if (protocol) tryReferenceTemplates(protocol, setup)
    const baseUrl = options.model.base_url ?? protocol?.modelKwargs.api_base ?? setup.modelBaseUrl ?? null
    this.deps.createModel({ model: setup.model, baseUrl, timeoutMs: options.model.timeout_seconds * 1000, maxRetries: options.model.max_retries })
    if (baseUrl !== null) await probeModelServer(setup.model, baseUrl)
  }

  async run(ctx: AgentRunContext): Promise<AgentResult> {
    const options = parseOptions(ctx.options, this.options)
    const protocol = isReferenceFormat(ctx.options) ? readReferenceProtocol(ctx.options) : null
    if (protocol) warnOnce(ctx, protocol)
    const model = this.deps.createModel({
      model: ctx.model,
      baseUrl: options.model.base_url ?? protocol?.modelKwargs.api_base ?? null,
      // The reference's client prices by the model's name whatever server answers (LiteLLM's completion_cost).
      ...(protocol ? { priceByName: true } : {}),
      timeoutMs: options.model.timeout_seconds * 1000,
      maxRetries: options.model.max_retries,
      logger: ctx.logger,
    })
    return protocol ? new ReferenceLoop(ctx, protocol, options, model).run() : new AgentLoop(ctx, options, model, this.deps.replyTimeoutMs).run()
  }
}

const SEND_USAGE =
  'send_message could not be understood, so nothing in this command was run. Write each message as ' +
  'send_message agent2 <<\'MSG\' (body lines, then a line MSG) or as send_message agent2 "text", ' +
  'and do not mix the two forms in one command.'

/** One run of the agent: the state mini-swe-agent keeps on its agent object. */
class AgentLoop extends MiniSweRun {
  /** `context` as the model gets it, converted once per message rather than once per step. */
  private chatContext: ChatMessage[] = []
  private consecutiveFormatErrors = 0
  private lastInputTokens = 0
  private readonly model: ChatModel

  constructor(
    ctx: AgentRunContext,
    private readonly options: MiniSweAgentOptions,
    model: ChatModel,
    /** How long `send_message --wait` waits for a reply: 60 s (docs/reference-compatibility.md#messaging), shorter in tests. */
    private readonly replyTimeoutMs = 60_000,
  ) {
    super(ctx, options.wall_time_limit_seconds)
    this.model = { id: model.id, complete: (request) => this.complete(model, request) }
  }

  protected async step(): Promise<void> {
    this.signal.throwIfAborted()
    const limit = this.exceededLimit()
    if (limit) throw new Ended('LimitsExceeded', limit)
    await this.deliverInbox()
    // After a compaction the loop starts over, so the summary's cost is checked against the limit.
    if (await this.compactIfNeeded()) return
    const submission = await this.execute(await this.query())
    await this.save()
    if (submission !== null) throw new Ended('Submitted', submission)
  }

  /** A harness or sandbox failure: recorded, then left to the harness to report as `Error`. */
  protected unexpected(error: unknown): Ended {
    return new Ended('Error', errorMessage(error), undefined, error)
  }

  protected async start(): Promise<void> {
    const { system, task } = buildPrompt({
      agentId: this.ctx.agentId,
      peers: this.ctx.peers,
      instructions: this.ctx.instructions,
      messaging: this.ctx.mailbox !== null,
      gitRemote: this.ctx.git?.remote ?? null,
      commandTimeoutSeconds: this.options.command_timeout_seconds,
      observationMaxChars: this.options.observation_max_chars,
      replyTimeoutSeconds: Math.round(this.replyTimeoutMs / 1000),
      team: this.ctx.team ?? null,
    })
    this.say('system', system)
    this.say('user', task)
    await this.save()
  }

  private exceededLimit(): string | null {
    const { format_error_limit } = this.options
    const { steps, costUsd } = enforcedLimits(this.options, this.ctx.limits)
    if (steps > 0 && this.steps >= steps) return `step limit of ${steps} model calls reached`
    if (costUsd > 0 && this.trajectory.cost >= costUsd) return `cost limit of $${costUsd} reached ($${this.trajectory.cost.toFixed(4)} spent)`
    if (format_error_limit > 0 && this.consecutiveFormatErrors >= format_error_limit) {
      return `${this.consecutiveFormatErrors} consecutive replies without a usable tool call`
    }
    return null
  }

  /** Messages that arrived since the last step, oldest first, one user message each. */
  private async deliverInbox(): Promise<void> {
    if (!this.ctx.mailbox) return
    for (const message of await this.ctx.mailbox.receive()) {
      this.say('user', `[Message from ${message.from}]: ${message.content}`, { message_id: message.id })
    }
  }

  private async compactIfNeeded(): Promise<boolean> {
    const { enabled, trigger_tokens, keep_last, summary_prompt } = this.options.compaction
    if (!enabled || this.lastInputTokens < trigger_tokens) return false
    this.lastInputTokens = 0
    const compacted = await compactContext(this.context, {
      model: this.model,
      trajectory: this.trajectory,
      keepLast: keep_last,
      summaryPrompt: summary_prompt,
      signal: this.signal,
    })
    if (!compacted) return false
    this.ctx.logger.info(`${this.ctx.agentId}: compacted the context (compaction ${this.trajectory.segment})`)
    this.context = compacted
    this.chatContext = compacted.map(toChatMessage)
    await this.save()
    return true
  }

  /** One step: the team's task list when auto-refresh is on, then the model call, recorded with its parsed commands. */
  private async query(): Promise<BashCall[]> {
    await this.refreshTeamTasks()
    const response = await this.model.complete({ messages: [...this.chatContext], tools: [BASH_TOOL] })
    this.steps += 1
    this.lastInputTokens = response.usage.inputTokens
    const calls = response.toolCalls.map(parseBashCall)
    const actions = calls.flatMap((c) => ('command' in c ? [{ tool_call_id: c.id, command: c.command }] : []))
    this.remember(this.trajectory.addModelReply('assistant', response.text, response, { actions }))
    return calls
  }

  /** Answers every tool call of the reply; returns the submission text when a command submitted. */
  private async execute(calls: BashCall[]): Promise<string | null> {
    if (calls.length === 0) {
      this.consecutiveFormatErrors += 1
      this.say('user', formatErrorMessage(NO_TOOL_CALL), { format_error: true })
      return null
    }
    const formatError = calls.some((c) => 'error' in c)
    this.consecutiveFormatErrors = formatError ? this.consecutiveFormatErrors + 1 : 0
    for (const call of calls) {
      if ('error' in call) {
        this.say('tool', formatErrorMessage(call.error), { format_error: true }, call.id)
        continue
      }
      const { outcome, submission } = await this.runCommand(call.command)
      this.say('tool', renderObservation(outcome, this.options.observation_max_chars), { returncode: outcome.returncode }, call.id)
      if (submission !== null) return submission
    }
    return null
  }

  /** Sends the `send_message` parts through the bus (when messaging is on) and runs the rest. */
  private async runCommand(command: string): Promise<{ outcome: CommandOutcome; submission: string | null }> {
    const mailbox = this.ctx.mailbox
    if (mailbox) {
      const parsed = parseSendMessages(command)
      if (parsed.unparsed) return { outcome: { returncode: 2, output: SEND_USAGE }, submission: null }
      if (parsed.sends.length > 0) {
        const report = await deliverSends(mailbox, parsed.sends, { replyTimeoutMs: this.replyTimeoutMs, signal: this.signal })
        const sent = `${report.lines.join('\n')}\n`
        if (parsed.remaining === '') return { outcome: { returncode: report.failed ? 1 : 0, output: sent }, submission: null }
        const rest = await this.exec(parsed.remaining)
        return { outcome: { ...rest, output: sent + rest.output }, submission: submissionOf(rest) }
      }
    }
    const outcome = await this.exec(command)
    return { outcome, submission: submissionOf(outcome) }
  }

  private async exec(command: string): Promise<CommandOutcome> {
    const timeoutSeconds = this.options.command_timeout_seconds
    const result = await this.ctx.sandbox.exec(this.commandPrefix + command, { cwd: SANDBOX_REPO_DIR, timeoutMs: timeoutSeconds * 1000, signal: this.signal })
    this.signal.throwIfAborted()
    return {
      returncode: result.timedOut ? -1 : result.exitCode,
      output: combineOutput(result.stdout, result.stderr),
      timedOut: result.timedOut,
      timeoutSeconds,
    }
  }

  /** Every model call goes through here: temperature and output cap, failures, unknown prices. */
  private async complete(model: ChatModel, request: Parameters<ChatModel['complete']>[0]): Promise<ModelResponse> {
    const response = await this.call(model, { ...request, ...callOptions(this.options) })
    if (response.cost === null && !warnedUnknownPrices.has(this.model.id)) {
      warnedUnknownPrices.add(this.model.id)
      this.ctx.logger.warn(unknownPriceWarning(this.model.id))
    }
    return response
  }

  protected override remember(message: TrajectoryMessage): void {
    super.remember(message)
    this.chatContext.push(toChatMessage(message))
  }
}
