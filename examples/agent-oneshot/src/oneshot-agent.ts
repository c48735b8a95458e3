import { type Agent, type AgentResult, type AgentRunContext, type BusMessage, errorMessage, isCooperbenchError, type Logger } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { type ChatClient, type ChatMessage, type ChatReply, createChatClient } from './chat-client.js'
import { gatherContext } from './context.js'
import { applyDiff, diffPaths, extractDiff, NoDiffFoundError } from './diff.js'
import { resolveEndpoint } from './endpoint.js'
import { callBudget, type OneshotOptions, withOneshotDefaults } from './options.js'
import { retryPrompt, systemPrompt, taskPrompt } from './prompt.js'

/** What the agent takes from its surroundings; tests pass their own. */
export interface OneshotAgentDeps {
  /** Where the API key variable is looked up; default `process.env`. */
  env?: NodeJS.ProcessEnv
  /** The factory's logger (for warnings at preflight); runs log to `ctx.logger`. */
  logger?: Logger
}

/** One message of the trajectory: chat messages plus `tool` (apply results) and a final `exit`. */
export interface OneshotTrajectoryMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | 'exit'
  content: string
  extra: { timestamp: number; [key: string]: unknown }
}

/** Where attempt diffs are written in the sandbox (outside the repository, so not in the patch). */
const WORK_DIR = '/tmp/cooperbench-oneshot'

/**
 * Agent `oneshot`: an agentless baseline. It reads the repository in the sandbox, shows the
 * model the task, teammates' messages and the most relevant files, asks for one unified diff
 * and applies it; a diff that does not apply is sent back with the error, up to `attempts`
 * model calls. In coop it then tells its teammates which files it changed.
 *
 * `options` are the agent's options as the registry validated them; each run layers its
 * `ctx.options` (where the harness puts `model_base_url`) over them; the limits come in
 * `ctx.limits` (the step limit caps `attempts`, the cost limit stops further calls).
 */
export function createOneshotAgent(options: Record<string, unknown> = {}, deps: OneshotAgentDeps = {}): Agent {
  const base = withOneshotDefaults(options)
  const env = deps.env ?? process.env
  const layered = (overrides: Record<string, unknown>) => withOneshotDefaults({ ...base, ...overrides })
  return {
    specificationVersion: 'agent-v1',
    name: 'oneshot',
    async preflight(setup) {
      const settled = layered(setup.options)
      resolveEndpoint(setup.model, settled, env, setup.modelBaseUrl ?? null)
      if (setup.limits.costUsd > 0 && !pricesKnown(settled)) {
        ;(deps.logger ?? silentLogger).warn(
          'agent oneshot: the cost limit cannot stop it without prices; set agents.oneshot.inputCostPerToken and outputCostPerToken',
        )
      }
    },
    run: (ctx) => new OneshotRun(ctx, layered(ctx.options), env).run(),
  }
}

function pricesKnown(options: OneshotOptions): boolean {
  return options.inputCostPerToken !== null && options.outputCostPerToken !== null
}

/** The harness' wall-clock limit fires `ctx.signal` with a TimeoutError (AbortSignal.timeout). */
const isTimeout = (signal: AbortSignal) => signal.aborted && (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError'

/** One run of the agent on one sandbox. */
class OneshotRun {
  private readonly trajectory: OneshotTrajectoryMessage[] = []
  /** What the model sees: the chat part of the trajectory. */
  private readonly conversation: ChatMessage[] = []
  private steps = 0
  private cost = 0
  private readonly usage = { input_tokens: 0, output_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0 }

  constructor(
    private readonly ctx: AgentRunContext,
    private readonly options: OneshotOptions,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  async run(): Promise<AgentResult> {
    const { ctx, options } = this
    try {
      const client = createChatClient(resolveEndpoint(ctx.model, options, this.env, ctx.modelBaseUrl ?? null), { timeoutMs: options.requestTimeoutMs })
      const context = await gatherContext(ctx.sandbox, ctx.instructions, options.contextBytes, ctx.signal)
      const messages = await this.receive()
      this.say('system', systemPrompt(ctx))
      this.say(
        'user',
        taskPrompt({ agentId: ctx.agentId, peers: ctx.peers, instructions: ctx.instructions, context, messages, briefing: ctx.coordination.briefing.sections }),
        {
          context_files: context.files.map((f) => f.path),
          context_bytes: context.bytes,
          tracked_files: context.paths.length,
          message_ids: messages.map((m) => m.id),
        },
      )
      await this.save()

      const budget = callBudget(options, this.ctx.limits.steps)
      for (let attempt = 1; attempt <= budget; attempt += 1) {
        const limit = this.costLimitReached()
        if (limit) return await this.finish('LimitsExceeded', limit)
        const reply = await this.ask(client)
        const problem = await this.apply(reply, attempt)
        await this.save()
        if (problem === null) return await this.finish('Submitted', `applied on attempt ${attempt}`)
        if (attempt < budget) {
          const messages = await this.receive()
          this.say('user', retryPrompt({ problem, messages }), { message_ids: messages.map((m) => m.id) })
        }
      }
      return await this.finish('LimitsExceeded', `no diff applied after ${budget} model call(s)`)
    } catch (error) {
      // Ctrl+C propagates (the harness writes nothing for an interrupted pair); the time limit is a limit.
      if (ctx.signal.aborted && !isTimeout(ctx.signal)) throw error
      if (isTimeout(ctx.signal)) return this.finish('LimitsExceeded', 'the harness wall-clock limit was reached')
      const hint = isCooperbenchError(error) && error.hint ? ` (${error.hint})` : ''
      return this.finish('Error', `${errorMessage(error)}${hint}`)
    }
  }

  /** One model call, recorded with its usage. */
  private async ask(client: ChatClient): Promise<ChatReply> {
    const { options } = this
    const reply = await client.complete({
      messages: this.conversation,
      maxTokens: options.maxTokens,
      temperature: options.temperature,
      signal: this.ctx.signal,
    })
    this.steps += 1
    const { promptTokens, completionTokens, cachedTokens } = reply.usage
    this.usage.input_tokens += promptTokens
    this.usage.output_tokens += completionTokens
    this.usage.cache_read_tokens += cachedTokens
    const cost = pricesKnown(options) ? promptTokens * options.inputCostPerToken! + completionTokens * options.outputCostPerToken! : null
    this.cost += cost ?? 0
    this.say('assistant', reply.content, {
      cost,
      usage: { input_tokens: promptTokens, output_tokens: completionTokens, cache_read_tokens: cachedTokens, cache_write_tokens: 0 },
      finish_reason: reply.finishReason,
    })
    return reply
  }

  /** Extracts and applies the reply's diff; null when it applied, else what to tell the model. */
  private async apply(reply: ChatReply, attempt: number): Promise<string | null> {
    const cut = reply.finishReason === 'length' ? 'Your reply was cut off at the token limit (max_tokens); make the diff shorter.\n' : ''
    let diff: string
    try {
      diff = extractDiff(reply.content)
    } catch (error) {
      if (!(error instanceof NoDiffFoundError)) throw error
      this.note(error.message, { attempt, applied: false })
      return `${cut}${error.message}`
    }
    const outcome = await applyDiff(this.ctx.sandbox, diff, `${WORK_DIR}/${this.ctx.agentId}-attempt${attempt}.diff`, this.ctx.signal)
    if (!outcome.applied) {
      this.note(outcome.log.join('\n\n'), { attempt, applied: false })
      return `${cut}${outcome.error}`
    }
    const files = diffPaths(diff)
    this.note(outcome.log.join('\n\n'), { attempt, applied: true, strategy: outcome.strategy, files })
    await this.tellTeammates(files)
    return null
  }

  /** In coop with messaging: one short message to each teammate naming the changed files. */
  private async tellTeammates(files: string[]): Promise<void> {
    const mailbox = this.ctx.mailbox
    if (!mailbox || files.length === 0) return
    const shown = files.length > 8 ? `${files.slice(0, 8).join(', ')} and ${files.length - 8} more` : files.join(', ')
    const text = `${this.ctx.agentId} here: my feature is done; I changed ${shown}. Please avoid editing those files.`
    for (const peer of mailbox.peers) {
      try {
        const sent = await mailbox.send(peer, text)
        this.note(`sent to ${peer}: ${text}`, { message_id: sent.message.id, recipient_finished: sent.recipientFinished })
      } catch (error) {
        // A lost note to a teammate is not worth failing a feature that is done.
        this.ctx.logger.warn(`${this.ctx.agentId}: could not message ${peer}: ${errorMessage(error)}`)
        this.note(`could not send to ${peer}: ${errorMessage(error)}`, {})
      }
    }
  }

  /** Messages from teammates that arrived since the last look (none without a mailbox). */
  private receive(): Promise<BusMessage[]> {
    return this.ctx.mailbox ? this.ctx.mailbox.receive() : Promise.resolve([])
  }

  private costLimitReached(): string | null {
    const limit = this.ctx.limits.costUsd
    return limit > 0 && this.cost >= limit ? `cost limit of $${limit} reached ($${this.cost.toFixed(4)} spent)` : null
  }

  private async finish(status: 'Submitted' | 'LimitsExceeded' | 'Error', content: string): Promise<AgentResult> {
    this.trajectory.push(entry('exit', content, { exit_status: status, cost: pricesKnown(this.options) ? this.cost : null }))
    await this.save()
    return {
      status,
      // The contract has no "unknown": without prices the cost is reported as 0 (the trajectory says null).
      cost: this.cost,
      steps: this.steps,
      ...this.usage,
      messages: this.trajectory,
      error: status === 'Submitted' ? null : content,
    }
  }

  private say(role: ChatMessage['role'], content: string, extra: Record<string, unknown> = {}): void {
    this.conversation.push({ role, content })
    this.trajectory.push(entry(role, content, extra))
  }

  private note(content: string, extra: Record<string, unknown>): void {
    this.trajectory.push(entry('tool', content, extra))
  }

  /** The trajectory so far, through the harness' recorder (which writes it atomically). */
  private save(): Promise<void> {
    return this.ctx.recorder.save([...this.trajectory])
  }
}

function entry(role: OneshotTrajectoryMessage['role'], content: string, extra: Record<string, unknown>): OneshotTrajectoryMessage {
  return { role, content, extra: { ...extra, timestamp: Date.now() / 1000 } }
}
