import {
  type ChatMessage,
  type ChatModel,
  type CompleteRequest,
  completeOrFail,
  ModelCallFailed,
  type ModelResponse,
  showsTask,
  Trajectory,
  type TrajectoryMessage,
  trajectorySaver,
} from '@cooperbench/agent-mini-swe'
import { type AgentResult, type AgentRunContext, errorMessage, type Logger, SANDBOX_REPO_DIR } from '@cooperbench/spec'
import { isTimeout } from '@cooperbench/spec-utils'
import { Exit, exits } from './exit.js'
import { type FormatError, type ParsedAction, parseToolCalls, pyStrip } from './function-calling.js'
import { History, type MessageType } from './history.js'
import { type Messenger, sendToolCall, sendTypedMessages } from './messaging.js'
import { NO_PACKAGE_INDEX } from './package-index.js'
import type { SweAgentConfig } from './swe-config.js'
import { TASK_NOT_SHOWN_FIX, taskNotShown } from './task-shown.js'
import { installTools } from './tools-install.js'
import type { RunVars } from './run-vars.js'

/** A reply that cannot run: it is answered with a template and the model asked again (`forward_with_handling`). */
class Requery extends Error {
  constructor(readonly text: string) {
    super('requery')
  }
}

const SUBMISSION_MARK = '<<SWE_AGENT_SUBMISSION>>'

/** Where the adapter's diff is written in the sandbox, and the most read back (the harness's limit: over it, its diff says too_large). */
const ADAPTER_PATCH = '/tmp/cooperbench-swe-agent.patch'
const MAX_ADAPTER_PATCH_BYTES = 100 * 1024 * 1024

/**
 * One run of SWE-agent's `DefaultAgent` (1.1 as upstream CooperBench 0.0.14 vendors it, `agents.py`): tools installed, the
 * system and instance messages, then steps (teammates' messages, a model call, the reply parsed and requeried up to
 * `max_requeries` times, `send_message` intercepted, the command run, its observation) until a submission or a limit.
 */
export class SweAgentLoop {
  private readonly trajectory = new Trajectory()
  private readonly history: History
  private readonly save: () => Promise<void>
  private readonly messenger: Messenger
  private tools: Awaited<ReturnType<typeof installTools>>['home'] | null = null
  private state: Record<string, unknown> = {}
  private calls = 0
  private executionSeconds = 0
  private consecutiveTimeouts = 0
  /** Set when the last observation was a submission. */
  private submitted = false
  /** HEAD once the session started (upstream's adapter's `base_commit`), which the evaluated patch is taken against. */
  private baseCommit: string | null = null

  constructor(
    private readonly ctx: AgentRunContext,
    private readonly config: SweAgentConfig,
    private readonly model: ChatModel,
    private readonly run: RunVars,
    private readonly request: Partial<CompleteRequest>,
    /** A `send_message` tool call delivers its `message` argument as it is (option `send_message: whole`), not as upstream reads it. */
    private readonly wholeMessages = false,
  ) {
    // Upstream's adapter drops the cache_control processor for a model whose name says Gemini.
    const gemini = ctx.model.toLowerCase().includes('gemini')
    this.history = new History({ lastNObservations: config.lastNObservations, cacheControlLastN: gemini ? null : config.cacheControlLastN })
    this.save = trajectorySaver(ctx.recorder, this.trajectory)
    this.messenger = { agentId: run.agent_id, agents: run.agents, mailbox: ctx.mailbox, toSelf: [] }
  }

  async start(): Promise<AgentResult> {
    let exit: Exit
    try {
      await this.setup()
      for (;;) await this.step()
    } catch (caught) {
      exit = this.exitOf(caught)
    }
    const submission = exit.status === 'Submitted' ? exit.content : await this.autosubmit(exit)
    const sweStatus = exit.autosubmit && submission ? `submitted (${exit.sweStatus})` : exit.sweStatus
    this.trajectory.add('exit', exit.content, { exit_status: exit.status, swe_agent_exit_status: sweStatus, submission: submission ?? '' })
    await this.save()
    if (exit.rethrow !== undefined) throw exit.rethrow
    const patch = await this.adapterPatch(submission ?? '')
    return { ...this.trajectory.result(exit, this.calls), ...(patch === null ? {} : { submittedPatch: patch, submittedPatchSource: 'adapter_diff' as const }) }
  }

  /**
   * The patch upstream's adapter hands to evaluation, whatever the exit: `git add -A`, then `git diff <base>` of the tree, whitespace
   * stripped at both ends (Python's `.strip()`: the last newline goes, and a last blank context line with it); SWE-agent's submission
   * when the diff fails. Null (the harness's diff) for a diff over the harness's size limit.
   */
  private async adapterPatch(submission: string): Promise<string | null> {
    if (this.baseCommit === null) return ''
    const script = `git add -A && git diff ${this.baseCommit} > ${ADAPTER_PATCH} && wc -c < ${ADAPTER_PATCH}`
    try {
      const diff = await this.ctx.sandbox.exec(script, { cwd: SANDBOX_REPO_DIR, timeoutMs: 60_000 })
      if (diff.exitCode !== 0) return pyStrip(submission)
      if (Number(diff.stdout.trim()) > MAX_ADAPTER_PATCH_BYTES) return null
      const patch = Buffer.from(await this.ctx.sandbox.readFile(ADAPTER_PATCH)).toString('utf8')
      await this.ctx.sandbox.exec(['rm', '-f', ADAPTER_PATCH], { timeoutMs: 30_000 }).catch(() => {})
      return pyStrip(patch)
    } catch {
      return pyStrip(submission)
    }
  }

  /** What ended the run; an interruption rethrows (the harness records nothing for it). */
  private exitOf(caught: unknown): Exit {
    if (caught instanceof Exit) return caught
    if (this.ctx.signal.aborted && !isTimeout(this.ctx.signal)) throw caught
    if (isTimeout(this.ctx.signal)) return exits.wallClock()
    if (caught instanceof ModelCallFailed) return exits.api(caught.message, caught.origin)
    return exits.environment(errorMessage(caught), caught)
  }

  /** `DefaultAgent.setup`: the inbox emptied (upstream's connector deletes it), the tools installed, the first two messages. */
  private async setup(): Promise<void> {
    await this.ctx.mailbox?.receive()
    const { home, state, offline } = await installTools(this.ctx, this.config, this.run.problem_statement)
    this.tools = home
    this.state = state
    const head = await this.ctx.sandbox.exec('git rev-parse HEAD', { cwd: SANDBOX_REPO_DIR, signal: this.ctx.signal })
    this.baseCommit = /^[0-9a-f]{40}$/.test(head.stdout.trim()) ? head.stdout.trim() : null
    if (offline) noteOnce(this.config, this.ctx.logger, `swe_agent: ${NO_PACKAGE_INDEX}`)
    const system = this.config.templates.system.render(this.vars())
    const instance = this.config.templates.instance.map((t) => t.render(this.vars(this.state))).join('\n')
    // Why the tools may lack what their install.sh fetches: beside the first message, not in it.
    this.say('system', system, 'system_prompt', undefined, offline ? { setup_note: NO_PACKAGE_INDEX } : {})
    this.say('user', instance, 'observation')
    await this.save()
    // The preflight tried placeholders; a condition on this pair's values can still hide the task.
    if (!showsTask([system, instance], this.run.problem_statement)) {
      const who = this.run.agents.length > 0 ? ` to ${this.run.agent_id}` : ''
      throw exits.configuration(`${taskNotShown(who, " with this pair's values")}; it did not start. ${TASK_NOT_SHOWN_FIX}`)
    }
  }

  private async step(): Promise<void> {
    this.ctx.signal.throwIfAborted()
    await this.receiveMessages()
    const step = await this.forward()
    const observation = this.observationMessage(step.observation)
    this.history.add(step.reply, 'action')
    this.say('tool', observation, 'observation', step.parsed.call.id)
    await this.save()
    if (this.submitted) throw exits.submitted(step.observation)
  }

  /** Teammates' messages since the last step, as user messages before the call (a seat's briefing is all it takes of a setting). */
  private async receiveMessages(): Promise<void> {
    for (const message of (await this.ctx.mailbox?.receive()) ?? []) {
      this.say('user', `[Message from ${message.from}]: ${message.content}`, 'teammate_message', undefined, { message_id: message.id })
    }
    for (const content of this.messenger.toSelf.splice(0)) this.say('user', `[Message from ${this.run.agent_id}]: ${content}`, 'teammate_message')
  }

  /**
   * `forward_with_handling`: a reply that cannot run is answered and the model asked again, with the history of that attempt only.
   * Returns the step's action and what came of it (SWE-agent's `StepOutput`, the fields its templates see).
   */
  private async forward() {
    let messages = this.history.messages()
    for (let fails = 0; fails < this.config.maxRequeries; fails++) {
      if (this.executionSeconds > this.config.timeouts.totalExecution) throw exits.totalExecutionTime()
      const response = await this.query(messages)
      const parsed = parseToolCalls(response.text, response.toolCalls, this.config.commands)
      const reply = this.trajectory.addModelReply('assistant', response.text, response, 'code' in parsed ? { format_error: true } : { action: parsed.action })
      try {
        if ('code' in parsed) throw new Requery(this.formatError(parsed, response.text))
        return { reply, parsed, observation: await this.act(parsed, response.text) }
      } catch (error) {
        if (!(error instanceof Requery)) throw error
        reply.extra['format_error'] = true
        this.trajectory.add('user', error.text, { format_error: true })
        await this.save()
        messages = [...this.history.messages(), { role: 'assistant', content: response.text }, { role: 'user', content: error.text }]
      }
    }
    throw exits.format()
  }

  /** One model call with the bundles' tools; SWE-agent's limits are checked once it is counted (`_update_stats`). */
  private async query(messages: ChatMessage[]): Promise<ModelResponse> {
    // The processor's marks or none: never the client's own.
    const request = { messages, tools: this.config.tools, ...this.request, promptCache: 'marked' as const, signal: this.ctx.signal }
    const response = await completeOrFail(this.model, request)
    const { steps, costUsd } = this.ctx.limits
    if (response.cost === null && costUsd > 0) {
      this.trajectory.addModelReply('assistant', response.text, response, { discarded: 'no price' })
      throw exits.unpriced(this.model.id, costUsd)
    }
    this.calls += 1
    const over =
      costUsd > 0 && this.trajectory.cost + (response.cost ?? 0) > costUsd ? `$${costUsd}` : steps > 0 && this.calls > steps ? `${steps} calls` : null
    if (over !== null) {
      this.trajectory.addModelReply('assistant', response.text, response, { discarded: `limit of ${over}` })
      throw exits.cost(over)
    }
    return response
  }

  /** `handle_action`: messages out, the blocklist, `exit`, the command in the session, a submission. */
  private async act(parsed: ParsedAction, thought: string): Promise<string> {
    // Upstream's adapter reads sends on the command line built from the call, a send_message call's included.
    const whole = this.wholeMessages && parsed.call.name === 'send_message'
    const sends = whole ? await sendToolCall(this.messenger, parsed.args) : await sendTypedMessages(this.messenger, parsed.action)
    if (sends && 'observation' in sends) return sends.observation
    const action = sends ? sends.remaining : parsed.action
    const stepVars = { thought, action, output: thought, observation: '', execution_time: 0, done: false, exit_status: null, submission: null, extra_info: {} }
    if (this.blocked(action)) throw new Requery(this.config.templates.blocklistError.render(this.vars({ ...stepVars, ...this.state })))
    const command = pyStrip(action)
    if (command === 'exit') throw exits.exitCommand()
    const started = performance.now()
    const result = await this.tools!.session.run(command, this.config.timeouts.execution, this.ctx.signal)
    this.executionSeconds += (performance.now() - started) / 1000
    if (result.syntaxError) {
      const { stdout, stderr } = result.syntaxError
      const message = `Error (exit code 2) while checking bash command \n${command}\n---- Stderr ----\n${stderr}\n---- Stdout ----\n${stdout}`
      const vars = { ...stepVars, bash_stdout: stdout, bash_stderr: stderr, exception_message: message }
      throw new Requery(this.config.templates.shellCheckError.render(this.vars(vars)))
    }
    let observation = result.output
    if (result.timedOut) {
      this.consecutiveTimeouts += 1
      if (this.consecutiveTimeouts >= this.config.timeouts.maxConsecutive) throw exits.commandTimeouts()
      observation = this.config.templates.commandCancelledTimeout.render(this.vars({ timeout: this.config.timeouts.execution, command }))
    } else this.consecutiveTimeouts = 0
    this.state = result.state ?? this.state
    if (sends) observation = `${sends.sent}\n${observation}`
    return observation.includes(SUBMISSION_MARK) ? await this.readSubmission(observation) : observation
  }

  /** `handle_submission`: the patch `submit` wrote to `/root/model.patch` becomes the observation and the submission. */
  private async readSubmission(observation: string): Promise<string> {
    let patch: string
    try {
      patch = Buffer.from(await this.ctx.sandbox.readFile(`${this.tools!.root}/model.patch`)).toString('utf8')
    } catch {
      this.ctx.logger.warn(`${this.ctx.agentId}: submit printed its mark but wrote no model.patch; the run goes on`)
      return observation
    }
    this.submitted = true
    return patch
  }

  /** `attempt_autosubmission_after_error`: the working tree's diff, written to `model.patch` as `submit` does, when the exit allows it. */
  private async autosubmit(exit: Exit): Promise<string | null> {
    if (!exit.autosubmit || this.tools === null || this.ctx.signal.aborted) return null
    const patchFile = `${this.tools.root}/model.patch`
    try {
      await this.ctx.sandbox.exec(`git add -A && git diff --cached > ${patchFile}`, { cwd: SANDBOX_REPO_DIR, signal: this.ctx.signal })
      const patch = Buffer.from(await this.ctx.sandbox.readFile(patchFile)).toString('utf8')
      return pyStrip(patch) === '' ? null : patch
    } catch {
      return null
    }
  }

  /** `ToolHandler.should_block_action`, as SWE-agent has it (an entry of `blocklist` that starts with the whole action). */
  private blocked(action: string): boolean {
    const command = pyStrip(action)
    if (command === '') return false
    const { blocklist, standalone, unlessRegex } = this.config.filter
    if (blocklist.some((entry) => entry.startsWith(command)) || standalone.includes(command)) return true
    const name = command.split(/\s+/)[0]!
    return Object.hasOwn(unlessRegex, name) && !unlessRegex[name]!.test(command)
  }

  private formatError(error: FormatError, message: string): string {
    const step = { thought: message, action: '', output: message, observation: '', execution_time: 0, done: false, exit_status: null, submission: null }
    return this.config.templates.formatError.render(
      this.vars({ ...step, extra_info: {}, error_code: error.code, ...error.extra, exception_message: error.message }),
    )
  }

  /** `add_step_to_history`'s observation message: no output, too long, or as it is. */
  private observationMessage(observation: string): string {
    const { templates, maxObservationLength: max } = this.config
    const length = observation.length > max ? Array.from(observation).length : observation.length
    const template = pyStrip(observation) === '' ? templates.nextStepNoOutput : length > max ? templates.truncatedObservation : templates.nextStep
    return template.render(this.vars({ observation, elided_chars: length > max ? length - max : 0, max_observation_length: max, ...this.state }))
  }

  /** SWE-agent's format dict: the tools' environment variables, the step's values, then the run's. */
  private vars(step: Record<string, unknown> = {}): Record<string, unknown> {
    return { ...this.config.envVariables, ...step, ...this.run, repo: '' }
  }

  private say(role: TrajectoryMessage['role'], content: string, type: MessageType, toolCallId?: string, extra: Record<string, unknown> = {}): void {
    this.history.add(this.trajectory.add(role, content, extra, toolCallId === undefined ? {} : { tool_call_id: toolCallId }), type)
  }
}

/** The configurations whose run has logged a note: a run hands every agent the same one, and they would all say it. */
const noted = new WeakSet<SweAgentConfig>()

/** Logs `line` once per run (per configuration read). */
function noteOnce(config: SweAgentConfig, logger: Logger, line: string): void {
  if (noted.has(config)) return
  noted.add(config)
  logger.info(line)
}
