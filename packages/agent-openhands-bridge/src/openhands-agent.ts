import { randomBytes, randomInt } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  type Agent,
  type AgentResult,
  type AgentRunContext,
  CooperbenchError,
  errorMessage,
  type ExecResult,
  SANDBOX_REPO_DIR,
  type Sandbox,
  type FunctionTool,
} from '@cooperbench/spec'
import { isTimeout, sleepOrWake } from '@cooperbench/spec-utils'
import { clientToolSpec, offeredTools, runCoordinationTool } from './coordination-tools.js'
import { ConversationEvents } from './event-stream.js'
import { initialInstructions } from './initial-message.js'
import { llmSpec } from './llm-spec.js'
import { type OpenHandsOptions, parseOpenHandsOptions } from './options.js'
import {
  AgentServerClient,
  AgentServerError,
  type ConversationInfo,
  type MetricsJson,
  type ServerEvent,
  SERVER_UNAVAILABLE_HINT,
  serverUnavailable,
} from './server-client.js'
import { checkServerVersion } from './server-version.js'
import { CHECK_MESSAGES_TOOL, inboxText, runTeammateTool, SEND_MESSAGE_TOOL, teammateToolSpecs } from './teammate-tools.js'
import { type BridgeMessage, insertInLogOrder, isStep, messageOf } from './trajectory.js'

/** Statuses after which the agent server does no more work on its own. */
const DONE_STATUSES = new Set(['finished', 'error', 'stuck', 'paused'])
/** Error codes of the server's own limits: the run ends as LimitsExceeded, not Error. */
const LIMIT_CODES = new Set(['MaxIterationsReached', 'MaxBudgetReached'])
const INBOX_POLL_MS = 2000
/** Grace for coordination tool calls still running at the end: a command waiting for a teammate's answer must not hold up the end. */
const COMMAND_GRACE_MS = 10_000

/** Status reads in a row that may fail on the connection before the run is an error. */
const STATUS_READ_ATTEMPTS = 5
/** Server starts tried when the bridge picks the port itself. */
const SERVER_START_ATTEMPTS = 3
/**
 * Parent of the server's working directory, where it keeps its state (conversations/, bash_events/, leases): outside the
 * repository, none of it shows in `git status` or the patch, even when the server dies before the DELETE.
 */
const SERVER_STATE_PARENT = '/tmp/cooperbench-openhands'
const NOT_STARTED: ExecResult = { exitCode: -1, stdout: '', stderr: '', timedOut: false, truncated: false, durationMs: 0 }

/** A port another server may hold (a shared network): the server ended before `/ready` answered, or one refusing this start's key answers. */
class PortMayBeTakenError extends CooperbenchError {}

/**
 * Agent `openhands_sdk`: one conversation on the upstream OpenHands agent server in the sandbox (`server_command`, reached
 * through `sandbox.exposePort` with this run's session key). Messaging is two client tools on the harness's bus, teammates'
 * messages come back as user messages; the coordination's briefing goes in the first message and its tools are client tools.
 */
export class OpenHandsBridgeAgent implements Agent {
  readonly specificationVersion = 'agent-v1' as const
  readonly name = 'openhands_sdk'

  async run(ctx: AgentRunContext): Promise<AgentResult> {
    return new BridgeRun(ctx, parseOpenHandsOptions(ctx.options)).run()
  }
}

class BridgeRun {
  private readonly messages: BridgeMessage[] = []
  private steps = 0
  private metrics = { cost: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }
  /** An LLM of the conversation spent tokens at no cost: LiteLLM had no price for its model (it says 0), so the cost is unknown. */
  private costUnknown = false
  private limitError: string | null = null
  private finishedSeen = false
  private events: ConversationEvents | null = null
  private lastError: string | null = null
  private saving: Promise<void> = Promise.resolve()
  /** How many messages the recorder has, and whether one arrived among them since (out of log order). */
  private recordedMessages = 0
  private reordered = false
  private readonly server = new AbortController()
  /** Stops the coordination tool calls under way (see {@link COMMAND_GRACE_MS}). */
  private readonly commands = new AbortController()
  private readonly statusWaiters = new Set<() => void>()
  /** The coordination tools offered as client tools. */
  private readonly tools: FunctionTool[]

  constructor(
    private readonly ctx: AgentRunContext,
    private readonly options: OpenHandsOptions,
  ) {
    this.tools = offeredTools(ctx.coordination.tools)
  }

  async run(): Promise<AgentResult> {
    const { ctx } = this
    const sandbox = ctx.sandbox
    if (!sandbox.exposePort) {
      return this.finish('Error', `the sandbox cannot expose a port, which agent openhands_sdk needs to reach its agent server`, 'infra')
    }
    let serverDone: Promise<ExecResult> = Promise.resolve(NOT_STARTED)
    let conversationId: string | null = null
    let client: AgentServerClient | null = null
    let inbox: ReturnType<typeof setInterval> | undefined
    try {
      ;({ client, serverDone } = await this.startServer(sandbox, sandbox.exposePort.bind(sandbox)))
      // Messages that arrived before the start go in with the task, so the first model call sees them.
      const early = ctx.mailbox ? await ctx.mailbox.receive() : []
      const server = client
      const { id } = await server.startConversation(this.conversationRequest(early.length > 0 ? inboxText(early) : null), ctx.signal)
      conversationId = id
      const pending: Array<Promise<unknown>> = []
      this.events = new ConversationEvents(
        server,
        id,
        (event) => pending.push(this.onEvent(server, id, event).catch((error: unknown) => ctx.logger.warn(`openhands: ${errorMessage(error)}`))),
        ctx.logger,
      )
      this.events.start()
      if (ctx.mailbox) {
        const mailbox = ctx.mailbox
        inbox = setInterval(() => {
          if (this.finishedSeen) return
          void mailbox.receive().then(
            (messages) => (messages.length > 0 ? server.sendMessage(id, inboxText(messages), false) : undefined),
            () => undefined,
          )
        }, INBOX_POLL_MS)
      }
      const info = await this.follow(server, id, serverDone)
      // The socket may be down or behind at the end: the server's log fills in (the id check keeps each event once).
      for (const event of await server.events(id, ctx.signal).catch(() => [])) this.events.accept(event)
      // The last model call's usage may reach the server's stats after the status did.
      this.readMetrics(await server.conversation(id, ctx.signal).catch(() => info))
      await this.settleToolCalls(pending)
      return await this.outcome(info)
    } catch (error) {
      if (ctx.signal.aborted && !isTimeout(ctx.signal)) throw error
      if (isTimeout(ctx.signal)) return this.finish('LimitsExceeded', 'the harness wall-clock limit was reached')
      return this.finish('Error', errorMessage(error), 'infra')
    } finally {
      clearInterval(inbox)
      this.commands.abort()
      this.events?.stop()
      if (client !== null && conversationId !== null) await client.delete(conversationId).catch(() => undefined)
      this.server.abort()
      await serverDone
    }
  }

  /**
   * Starts the agent server and waits until it is ready. On a port it picked itself (a shared network may hold it), a server
   * exiting before it is ready or another server answering means another start on another port; a configured port is tried once.
   */
  private async startServer(
    sandbox: Sandbox,
    exposePort: (port: number) => Promise<string>,
  ): Promise<{ client: AgentServerClient; serverDone: Promise<ExecResult> }> {
    const attempts = this.options.port ? 1 : SERVER_START_ATTEMPTS
    for (let attempt = 1; ; attempt++) {
      const port = this.options.port || randomInt(20_000, 40_000)
      const key = randomBytes(24).toString('hex')
      const stateDir = `${SERVER_STATE_PARENT}/${key.slice(0, 16)}`
      // The command tools on the server's PATH (again: a login shell resets it), which its terminal inherits: run by name.
      const { commandDir } = this.ctx.coordination
      const path = commandDir === null ? '' : `export PATH="${commandDir}:$PATH"\n`
      const command = `${path}mkdir -p ${stateDir} && cd ${stateDir} && ${this.options.server_command.replaceAll('{port}', String(port))}`
      const thisStart = new AbortController()
      const serverDone = sandbox
        .exec(command, {
          cwd: SANDBOX_REPO_DIR,
          env: { SESSION_API_KEY: key },
          signal: AbortSignal.any([this.server.signal, thisStart.signal, this.ctx.signal]),
        })
        .catch((error: unknown): ExecResult => ({ ...NOT_STARTED, stderr: errorMessage(error) }))
      try {
        const client = new AgentServerClient(await exposePort(port), key)
        await this.waitReady(client, serverDone)
        // `/ready` and `/server_info` need no key: whoever holds the port answers them.
        if (!(await client.acceptsKey(this.ctx.signal))) {
          throw new PortMayBeTakenError('SANDBOX_FAILED', `another agent server answers on port ${port}: it refused this agent's session key`, {
            hint: 'Leave agents.openhands_sdk.port at 0 (a port per agent), or give each agent its own network (backends.local.network: false).',
          })
        }
        checkServerVersion(await client.serverInfo(this.ctx.signal))
        return { client, serverDone }
      } catch (error) {
        if (!(error instanceof PortMayBeTakenError) || attempt >= attempts) {
          this.server.abort()
          await serverDone
          throw error
        }
        thisStart.abort()
        await serverDone
        this.ctx.logger.warn(`openhands: ${error.message}; starting it again on another port`)
      }
    }
  }

  /** Polls `/ready` until it answers, the server command ends (its output is the error), or the bound passes. */
  private async waitReady(client: AgentServerClient, serverDone: Promise<ExecResult>): Promise<void> {
    const deadline = Date.now() + this.options.ready_timeout_seconds * 1000
    let exited: ExecResult | null = null
    void serverDone.then((result) => (exited = result))
    while (!(await client.ready(this.ctx.signal))) {
      this.ctx.signal.throwIfAborted()
      if (exited !== null) {
        const { exitCode, stdout, stderr } = exited as ExecResult
        const output = `${stdout}${stderr}`.trim().slice(-500) || 'no output'
        throw new PortMayBeTakenError('SANDBOX_FAILED', `the agent server exited (code ${exitCode}) before it was ready: ${output}`, {
          hint: SERVER_UNAVAILABLE_HINT,
        })
      }
      if (Date.now() > deadline) throw serverUnavailable(`the agent server did not answer /ready within ${this.options.ready_timeout_seconds} s`)
      await sleep(250)
    }
  }

  private conversationRequest(inbox: string | null): Record<string, unknown> {
    const { ctx, options } = this
    const llm = llmSpec(ctx.model, ctx.modelBaseUrl ?? null, process.env)
    const instructions = initialInstructions(ctx, this.tools)
    const coordination = this.tools.map(clientToolSpec)
    const clientTools = [...(ctx.mailbox ? teammateToolSpecs(ctx.peers) : []), ...coordination]
    return {
      agent: {
        kind: 'Agent',
        llm: { ...llm, usage_id: 'agent' },
        // A client tool replaces the server's own of its name, as upstream's task_tracker over a shared list did.
        tools: options.tools.filter((name) => !coordination.some((spec) => spec.name === name)).map((name) => ({ name })),
        ...(options.condenser === 'llm_summarizing'
          ? { condenser: { kind: 'LLMSummarizingCondenser', llm: { ...llm, usage_id: 'condenser' }, max_size: options.condenser_max_size } }
          : {}),
        ...(options.extra_system_prompt ? { agent_context: { system_message_suffix: options.extra_system_prompt } } : {}),
      },
      workspace: { kind: 'LocalWorkspace', working_dir: SANDBOX_REPO_DIR },
      // Upstream titles every conversation with a model call of its own by default.
      autotitle: false,
      initial_message: {
        role: 'user',
        content: [{ type: 'text', text: inbox === null ? instructions : `${instructions}\n\n${inbox}` }],
        run: true,
      },
      ...(this.ctx.limits.steps > 0 ? { max_iterations: this.ctx.limits.steps } : {}),
      ...(clientTools.length > 0 ? { client_tools: clientTools } : {}),
    }
  }

  private async onEvent(client: AgentServerClient, id: string, event: ServerEvent): Promise<void> {
    const message = messageOf(event)
    // An event older than one already recorded reorders the record: the next save is whole.
    if (message && insertInLogOrder(this.messages, message) < this.recordedMessages) this.reordered = true
    if (isStep(event)) this.steps++
    // The agent's own finish, as the log records it (state updates may not be logged).
    if (event.kind === 'ActionEvent' && event.tool_name === 'finish') this.finishedSeen = true
    if (event.kind === 'ConversationErrorEvent') {
      const code = String(event.code ?? '')
      const detail = String(event.detail ?? code)
      if (LIMIT_CODES.has(code)) this.limitError = detail
      else this.lastError = detail
    }
    if (event.kind === 'ConversationStateUpdateEvent') {
      // A message after the agent finished makes the status `idle` again: the finish seen here is what counts.
      if (event.key === 'execution_status' && event.value === 'finished') this.finishedSeen = true
      for (const wake of this.statusWaiters) wake()
    }
    if (event.kind === 'ActionEvent') await this.runClientTool(client, id, event)
    this.save()
  }

  /** A call of a client tool (messaging or coordination): the bridge runs it and posts its answer as a user message. */
  private async runClientTool(client: AgentServerClient, id: string, event: ServerEvent): Promise<void> {
    const { ctx } = this
    const tool = String(event.tool_name)
    const args = (event.action ?? {}) as Record<string, unknown>
    const offered = this.tools.find((t) => t.name === tool)
    let reply: string | null = null
    if (ctx.mailbox && (tool === SEND_MESSAGE_TOOL || tool === CHECK_MESSAGES_TOOL)) reply = await runTeammateTool(ctx.mailbox, tool, args)
    else if (offered) reply = await runCoordinationTool(offered, args, { sandbox: ctx.sandbox, signal: AbortSignal.any([ctx.signal, this.commands.signal]) })
    if (reply !== null) await client.sendMessage(id, reply, false)
  }

  /** Waits for the tool calls under way; coordination tools get {@link COMMAND_GRACE_MS}, then are stopped. */
  private async settleToolCalls(pending: ReadonlyArray<Promise<unknown>>): Promise<void> {
    const all = Promise.allSettled(pending)
    const grace = new AbortController()
    await Promise.race([all, sleep(COMMAND_GRACE_MS, undefined, { signal: grace.signal }).catch(() => undefined)])
    grace.abort()
    this.commands.abort()
    await all
  }

  /** Until the conversation is done: status on every state event and every `poll_seconds`; limits enforced. */
  private async follow(client: AgentServerClient, id: string, serverDone: Promise<ExecResult>): Promise<ConversationInfo> {
    let serverExit: ExecResult | null = null
    void serverDone.then((result) => (serverExit = result))
    let idlePolls = 0
    let started = false
    let failedReads = 0
    for (;;) {
      await sleepOrWake(this.options.poll_seconds * 1000, this.statusWaiters)
      this.ctx.signal.throwIfAborted()
      if (serverExit !== null) throw serverUnavailable(`the agent server exited during the conversation (code ${(serverExit as ExecResult).exitCode})`)
      let info: ConversationInfo
      try {
        info = await client.conversation(id, this.ctx.signal)
        failedReads = 0
      } catch (error) {
        // A dropped connection (a flaky relay, a busy sandbox) is read again next poll; the server's own answer (404) is not.
        if (this.ctx.signal.aborted || error instanceof AgentServerError || ++failedReads >= STATUS_READ_ATTEMPTS) throw error
        this.ctx.logger.warn(`openhands: reading the conversation's status failed (${errorMessage(error)}); reading it again`)
        continue
      }
      this.readMetrics(info)
      if (this.ctx.limits.costUsd > 0 && this.metrics.cost > this.ctx.limits.costUsd) {
        await client.interrupt(id).catch(() => undefined)
        this.limitError = `cost limit of $${this.ctx.limits.costUsd} reached ($${this.metrics.cost.toFixed(4)})`
        return info
      }
      if (this.finishedSeen) return { ...info, execution_status: 'finished' }
      if (DONE_STATUSES.has(info.execution_status)) return info
      // Idle: finished, a late teammate message making it idle again (the log says so), or stopped at a message before
      // finishing, when it goes on. Before the first run has visibly started, idle means "not yet": never start a second run.
      if (info.execution_status === 'running' || this.steps > 0) started = true
      if (started && info.execution_status === 'idle' && ++idlePolls >= 2) {
        idlePolls = 0
        for (const event of await client.events(id, this.ctx.signal).catch(() => [])) this.events?.accept(event)
        if (this.finishedSeen) return { ...info, execution_status: 'finished' }
        await client.run(id).catch(() => undefined)
      }
    }
  }

  /** Metrics summed over the conversation's LLMs; they never go down (a server reporting zeros after a reconnect is a known upstream failure). */
  private readMetrics(info: ConversationInfo): void {
    const all = Object.values(info.stats?.usage_to_metrics ?? {}) as MetricsJson[]
    const sum = (pick: (m: MetricsJson) => number | undefined) => all.reduce((total, m) => total + (pick(m) ?? 0), 0)
    const next = {
      cost: sum((m) => m.accumulated_cost),
      input: sum((m) => m.accumulated_token_usage?.prompt_tokens),
      output: sum((m) => m.accumulated_token_usage?.completion_tokens),
      cacheRead: sum((m) => m.accumulated_token_usage?.cache_read_tokens),
      cacheWrite: sum((m) => m.accumulated_token_usage?.cache_write_tokens),
    }
    for (const k of Object.keys(next) as Array<keyof typeof next>) this.metrics[k] = Math.max(this.metrics[k], next[k])
    const tokens = (m: MetricsJson) => (m.accumulated_token_usage?.prompt_tokens ?? 0) + (m.accumulated_token_usage?.completion_tokens ?? 0)
    if (all.some((m) => tokens(m) > 0 && !((m.accumulated_cost ?? 0) > 0))) this.costUnknown = true
  }

  private async outcome(info: ConversationInfo): Promise<AgentResult> {
    if (this.limitError !== null) return this.finish('LimitsExceeded', this.limitError)
    if (info.execution_status === 'finished') return this.finish('Submitted', 'the agent finished')
    return this.finish('Error', this.lastError ?? `the conversation ended ${info.execution_status}`, 'agent')
  }

  private save(): void {
    const { recorder } = this.ctx
    const whole = !recorder.append || this.reordered
    const messages = whole ? [...this.messages] : this.messages.slice(this.recordedMessages)
    this.recordedMessages = this.messages.length
    this.reordered = false
    this.saving = this.saving.then(() => (whole ? recorder.save(messages) : recorder.append!(messages))).catch(() => undefined)
  }

  private async finish(status: 'Submitted' | 'LimitsExceeded' | 'Error', content: string, failure?: 'infra' | 'agent'): Promise<AgentResult> {
    this.messages.push({ role: 'exit', content, extra: { timestamp: Date.now() / 1000, exit_status: status, submission: '', cost: this.metrics.cost } })
    this.save()
    await this.saving
    return {
      status,
      cost: this.metrics.cost,
      ...(this.costUnknown ? { costUnknown: true } : {}),
      steps: this.steps,
      input_tokens: this.metrics.input,
      output_tokens: this.metrics.output,
      cache_read_tokens: this.metrics.cacheRead,
      cache_write_tokens: this.metrics.cacheWrite,
      messages: [...this.messages],
      error: status === 'Error' ? content : null,
      ...(failure === undefined ? {} : { failure }),
    }
  }
}
