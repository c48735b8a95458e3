import { type AgentRunContext, errorMessage, SANDBOX_REPO_DIR } from '@cooperbench/spec'
import { enforcedLimits } from '@cooperbench/spec-utils'
import { normalizeSubmittedPatch, universalNewlines } from '@cooperbench/spec-utils/patch'
import type { ChatModel, CompleteRequest, ModelResponse, ToolCall, ToolSpec } from '../llm/index.js'
import { keptTurnsStart } from '../agent/compaction.js'
import { callOptions, Ended, MiniSweRun } from '../agent/mini-swe-run.js'
import { DEFAULT_SUMMARY_PROMPT, type MiniSweAgentOptions } from '../agent/options.js'
import { SUBMIT_MARKER } from '../agent/observation.js'
import { toChatMessage } from '../agent/trajectory.js'
import { commandEnv, type ReferenceProtocol } from './config.js'
import { referenceTask } from './team-section.js'
import { parseReferenceSends, stripReferenceSends } from './send-message.js'
import { referenceTemplateVars } from './template-vars.js'

/**
 * The bash tool as the reference declares it to the model: part of every request, so it is the
 * same here, word for word (a protocol element, like a field name).
 */
const REFERENCE_BASH_TOOL: ToolSpec = {
  name: 'bash',
  description: 'Execute a bash command',
  parameters: {
    type: 'object',
    properties: { command: { type: 'string', description: 'The bash command to execute' } },
    required: ['command'],
  },
}

/** What one command gave, in the reference's shape (`output` holds stdout and stderr interleaved). */
interface CommandOutput {
  output: string
  returncode: number
  exception_info: string
}

type Action = { kind: 'bash'; id: string; command: string } | { kind: 'send'; id: string; recipient: string; content: string }

/** A reply the reference's parser refuses: no tool call, bad JSON arguments, unknown tool, missing argument. */
class FormatError extends Error {}

/**
 * One run of `mini_swe_agent` under the reference's protocol (docs/reproducing-the-paper.md): its
 * configuration's templates, its step order, its observations and format errors, its
 * environment variables and messaging, and `patch.txt` as the submission.
 */
export class ReferenceLoop extends MiniSweRun {
  /** The cost as the reference counts it: accepted replies only (no format errors, no summaries). */
  private referenceCost = 0
  private lastPromptTokens = 0
  private readonly env: Record<string, string>
  /** The task as the templates get it: the feature's text, in the team setting followed by the reference's team block. */
  private readonly task: string

  constructor(
    ctx: AgentRunContext,
    private readonly protocol: ReferenceProtocol,
    private readonly options: MiniSweAgentOptions,
    private readonly model: ChatModel,
  ) {
    super(ctx)
    this.env = commandEnv(protocol)
    this.task = referenceTask(ctx, protocol)
  }

  /** One step; a reply the reference's parser refuses was answered and ends only the step. */
  protected async step(): Promise<void> {
    try {
      await this.referenceStep()
    } catch (caught) {
      if (!(caught instanceof FormatError)) throw caught
    }
    await this.save()
  }

  /** Any other error ends the run with `Error`, the agent's; patch.txt is still read. */
  protected unexpected(error: unknown): Ended {
    return new Ended('Error', errorMessage(error), 'agent')
  }

  /**
   * After any ending, the reference's adapter reads patch.txt (0.0.14): that is the evaluated patch.
   * A 0.0.12–0.0.13 configuration's is the submission, what the submit command printed after the
   * marker ('' when the run did not submit), normalised as patch.txt is (those versions stripped
   * all whitespace, 0.0.14's bug for patch.txt: not reproduced either).
   */
  protected override submittedPatch(ended: Ended): Promise<string> {
    if (this.protocol.submission === 'after-marker') return Promise.resolve(ended.status === 'Submitted' ? normalizeSubmittedPatch(ended.content) : '')
    return this.readPatchFile()
  }

  protected async start(): Promise<void> {
    // The reference deletes the agent's inbox when it connects.
    if (this.ctx.mailbox) {
      const dropped = await this.ctx.mailbox.receive()
      if (dropped.length > 0)
        this.ctx.logger.info(`${this.ctx.agentId}: ${dropped.length} message(s) sent before it started were cleared, as the reference does`)
    }
    const vars = this.templateVars()
    this.say('system', this.protocol.systemTemplate.render(vars))
    this.say('user', this.protocol.instanceTemplate.render(vars))
    await this.save()
  }

  private async referenceStep(): Promise<void> {
    if (this.ctx.mailbox) {
      for (const message of await this.ctx.mailbox.receive()) this.say('user', `[Message from ${message.from}]: ${message.content}`, { message_id: message.id })
    }
    // The reference's TeamPoller runs at the same hook as its inbox poll, before the step.
    await this.refreshTeamTasks()
    const actions = await this.query()
    const outputs: CommandOutput[] = []
    for (const action of actions) outputs.push(await this.execute(action))
    const vars = this.templateVars()
    for (const [i, action] of actions.entries()) {
      const output = outputs[i]!
      this.say('tool', this.protocol.observationTemplate.render({ ...vars, output }), { returncode: output.returncode, raw_output: output.output }, action.id)
    }
  }

  private async query(): Promise<Action[]> {
    const { steps, costUsd } = enforcedLimits({ step_limit: this.protocol.stepLimit, cost_limit: this.protocol.costLimit }, this.ctx.limits)
    if ((steps > 0 && steps <= this.steps) || (costUsd > 0 && costUsd <= this.referenceCost)) throw new Ended('LimitsExceeded', 'LimitsExceeded')
    if (this.protocol.compaction.enabled && this.lastPromptTokens >= this.protocol.compaction.triggerTokens) await this.compact()
    this.steps += 1
    const response = await this.complete({ messages: this.context.map(toChatMessage), tools: [REFERENCE_BASH_TOOL] })
    const problem = formatProblem(response.toolCalls)
    if (problem !== null) {
      // The reply is dropped and its cost not counted, as the reference does; the record keeps both.
      this.trajectory.addModelReply('assistant', response.text, response, { format_error: true, dropped: true })
      this.say('user', this.protocol.formatErrorTemplate.render({ ...this.templateVars(), error: problem }), { format_error: true })
      throw new FormatError(problem)
    }
    this.referenceCost += response.cost ?? 0
    this.lastPromptTokens = response.usage.inputTokens
    const actions = response.toolCalls.map(toAction)
    this.remember(this.trajectory.addModelReply('assistant', response.text, response, { actions: bashActions(actions) }))
    return actions
  }

  /** The reference's compaction: system and task, one model-written summary, the last turns verbatim. */
  private async compact(): Promise<void> {
    const [system, task, ...conversation] = this.context
    if (!system || !task) return
    const boundary = keptTurnsStart(conversation, this.protocol.compaction.keepRecentTurns)
    const old = conversation.slice(0, boundary)
    if (old.length === 0) return
    const prompt = this.protocol.compaction.summaryPrompt ?? DEFAULT_SUMMARY_PROMPT
    const response = await this.complete({ messages: [system, task, ...old].map(toChatMessage).concat({ role: 'user', content: prompt }), tools: [] })
    this.trajectory.segment += 1
    const summary = this.trajectory.addModelReply('assistant', response.text, response, { summary: true, summarised_messages: old.length })
    this.context = [system, task, summary, ...conversation.slice(boundary)]
    this.ctx.logger.info(`${this.ctx.agentId}: compacted the context (compaction ${this.trajectory.segment})`)
  }

  private async execute(action: Action): Promise<CommandOutput> {
    if (action.kind === 'send') return this.ctx.mailbox ? await this.send([action]) : await this.exec('')
    const sends = this.ctx.mailbox ? parseReferenceSends(action.command) : []
    if (sends.length === 0) return this.submitted(await this.exec(action.command))
    const sent = await this.send(sends)
    const remaining = stripReferenceSends(action.command)
    if (remaining.trim() === '') return sent
    const rest = this.submitted(await this.exec(remaining))
    return { ...rest, output: `${sent.output}\n${rest.output}` }
  }

  /** Sends each message; `--wait` is a plain send in the reference (0.0.14), and a send to nobody still says "sent". */
  private async send(sends: Array<{ recipient: string; content: string }>): Promise<CommandOutput> {
    const mailbox = this.ctx.mailbox!
    const lines: string[] = []
    for (const { recipient, content } of sends) {
      if (recipient !== mailbox.agentId && mailbox.peers.includes(recipient)) await mailbox.send(recipient, content)
      else this.ctx.logger.warn(`${this.ctx.agentId}: a message to "${recipient}" reached no teammate (the reference reports it sent all the same)`)
      lines.push(`Message sent to ${recipient}`)
    }
    return { output: lines.join('\n'), returncode: 0, exception_info: '' }
  }

  /** Ends the run when the output submits: first line (after leading whitespace) the marker, exit code 0. */
  private submitted(output: CommandOutput): CommandOutput {
    const lines = output.output.trimStart().split(PYTHON_LINE_END)
    if (lines.length > 0 && lines[0]!.trim() === SUBMIT_MARKER && output.returncode === 0) throw new Ended('Submitted', lines.slice(1).join(''))
    return output
  }

  /** A command as the reference runs it: `bash -lc` in the repository, stderr into stdout, its environment set. */
  private async exec(command: string): Promise<CommandOutput> {
    const seconds = this.options.command_timeout_seconds
    const argv = ['bash', '-c', 'exec 2>&1; exec bash -lc "$1"', 'bash', this.commandPrefix + command]
    const result = await this.ctx.sandbox.exec(argv, { cwd: SANDBOX_REPO_DIR, env: this.env, timeoutMs: seconds * 1000, signal: this.signal })
    this.signal.throwIfAborted()
    // The reference reads command output in Python's text mode: `\r\n` and `\r` arrive as `\n`.
    const output = universalNewlines(result.stdout + result.stderr)
    if (result.timedOut)
      return { output, returncode: -1, exception_info: `An error occurred while executing the command: the command timed out after ${seconds} seconds` }
    return { output, returncode: result.exitCode, exception_info: '' }
  }

  /** `cat patch.txt` in the repository after the run, in text mode, normalised as upstream 0.0.16 does; '' when it fails. */
  private async readPatchFile(): Promise<string> {
    try {
      const result = await this.exec('cat patch.txt 2>/dev/null')
      return result.returncode === 0 ? normalizeSubmittedPatch(result.output) : ''
    } catch {
      return ''
    }
  }

  private async complete(request: Omit<CompleteRequest, 'signal'>): Promise<ModelResponse> {
    const response = await this.call(this.model, { ...request, ...sampling(this.protocol), ...callOptions(this.options) })
    if (response.cost === null && this.protocol.costTracking === 'default') {
      throw new Error(
        `no price is known for model ${this.model.id}; the configuration's model.cost_tracking is "default", which makes that an error (set it to "ignore_errors" to go on at $0)`,
      )
    }
    return response
  }

  private templateVars(): Record<string, unknown> {
    const together = this.ctx.setting !== 'solo'
    return referenceTemplateVars(this.protocol, {
      agentId: this.ctx.agentId,
      team: together ? [this.ctx.agentId, ...this.ctx.peers].sort(byAgentNumber) : [this.ctx.agentId],
      messaging: together && this.ctx.mailbox !== null,
      git: this.ctx.git !== null,
      task: this.task,
      model: this.ctx.model,
      image: this.ctx.image ?? '',
      backend: this.ctx.backend ?? '',
      calls: this.steps,
      cost: this.referenceCost,
    })
  }
}

/** Python's `str.splitlines(keepends=True)` boundaries. */
const PYTHON_LINE_END = /(?<=\r\n|[\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]|\r(?!\n))/u

const byAgentNumber = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true })

/** The reference's parser: the first problem of a reply, or null when every call is usable. */
function formatProblem(calls: ToolCall[]): string | null {
  if (calls.length === 0) return 'No tool calls found in the response. Every response MUST include at least one tool call.'
  for (const call of calls) {
    let problem = ''
    let args: Record<string, unknown> = {}
    try {
      args = JSON.parse(call.arguments) as Record<string, unknown>
    } catch (error) {
      problem = `Error parsing tool call arguments: ${(error as Error).message}. `
    }
    if (call.name !== 'bash' && call.name !== 'send_message') problem += `Unknown tool '${call.name}'.`
    else if (call.name === 'bash' && !has(args, 'command')) problem += "Missing 'command' argument in bash tool call."
    else if (call.name === 'send_message') {
      if (!has(args, 'recipient')) problem += "Missing 'recipient' argument in send_message tool call."
      if (!has(args, 'content')) problem += "Missing 'content' argument in send_message tool call."
    }
    if (problem !== '') return problem.trim()
  }
  return null
}

const has = (args: unknown, key: string) => typeof args === 'object' && args !== null && key in args

function toAction(call: ToolCall): Action {
  const args = JSON.parse(call.arguments) as Record<string, unknown>
  if (call.name === 'send_message') return { kind: 'send', id: call.id, recipient: String(args['recipient']), content: String(args['content']) }
  return { kind: 'bash', id: call.id, command: String(args['command']) }
}

function bashActions(actions: Action[]): Array<{ tool_call_id: string; command: string }> {
  return actions.flatMap((a) => (a.kind === 'bash' ? [{ tool_call_id: a.id, command: a.command }] : []))
}

/** `model_kwargs` as request settings. */
function sampling(protocol: ReferenceProtocol): Partial<CompleteRequest> {
  const k = protocol.modelKwargs
  const out: Partial<CompleteRequest> = {}
  if (k.temperature !== undefined) out.temperature = k.temperature
  if (k.max_tokens !== undefined) out.maxOutputTokens = k.max_tokens
  if (k.top_p !== undefined) out.topP = k.top_p
  if (k.seed !== undefined) out.seed = k.seed
  if (k.stop !== undefined) out.stopSequences = k.stop
  if (k.presence_penalty !== undefined) out.presencePenalty = k.presence_penalty
  if (k.frequency_penalty !== undefined) out.frequencyPenalty = k.frequency_penalty
  return out
}
