import { type Agent, type AgentLimits, type AgentResult, type AgentRunContext, CooperbenchError, type FailureOrigin, SANDBOX_REPO_DIR } from '@cooperbench/spec'
import { isTimeout, redactUrlCredentials, writeSandboxFiles } from '@cooperbench/spec-utils'
import { shellQuote } from '@cooperbench/spec-utils/host'
import { hostBinary, hostPackageDir, layerBinaryPath, notInstalledError } from './binary.js'
import { classifyFailure, cliErrorText } from './failure.js'
import { checkProtocolOptions, parseCliAgentOptions, type ResolvedCliOptions, resolveCliOptions } from './options.js'
import type { CliInvocation, CliInvocationInput, CliProfile, CliStreamSummary } from './profile.js'
import { MCP_WAIT_COMMAND, mcpWaitServer, mcpWaitServerScript } from './mcp-wait-server.js'
import { checkModelAnswers } from './model-reachability.js'
import { buildCliPrompt } from './prompt.js'
import { referenceCommandScripts, referenceInboxEntry } from './reference/coop-commands.js'
import { loadReferencePromptTemplate, type ReferencePromptTemplate, renderReferencePrompt } from './reference/prompt-template.js'
import { REFERENCE_PATCH_FILE, referencePatchText } from './reference/submitted-patch.js'
import { StreamFollower } from './stream-follower.js'
import { CLI_BIN_DIR, CLI_STATE_DIR, homeProfileFiles, prepareStateCommand, teammateCommandScripts } from './teammate-commands.js'
import { TeammateRelay } from './teammate-relay.js'

export interface CliAgentDeps {
  /** Where keys are read from; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>
  /** The CLI binary on this machine (shown read-only to local sandboxes); default: found from npm packages. */
  hostBinary?: () => string | null
  /** How long the model's base URL may take to answer the preflight; default `MODEL_ANSWER_TIMEOUT_MS` (10 s). */
  modelAnswerTimeoutMs?: number
  /** Failed model connections in a row (e.g. Codex's `Reconnecting…`) that stop the CLI as `infra`; default {@link CONNECTION_FAILURE_LIMIT}. */
  connectionFailureLimit?: number
}

/** Codex retries an unreachable model for ever, backing off (3, 8, 13, 23, 43 s apart): five failures in a row (about 90 s) are no blip. */
const CONNECTION_FAILURE_LIMIT = 5

const PROMPT_FILE = `${CLI_STATE_DIR}/prompt.md`
const STREAM_FILE = `${CLI_STATE_DIR}/stream.jsonl`
const STDERR_FILE = `${CLI_STATE_DIR}/stderr.log`
const HOME_DIR = `${CLI_STATE_DIR}/home`

/**
 * A terminal coding agent ({@link CliProfile}) headless in the task sandbox: the prompt in a file, its JSON event stream
 * to another, teammates' messages through files the harness polls ({@link TeammateRelay}); status, tokens, cost and the
 * trajectory come from the stream. Limits: the CLI's own flags where it has them, a kill otherwise.
 */
export class CliAgent implements Agent {
  readonly specificationVersion = 'agent-v1' as const
  readonly name: string
  private readonly env: Readonly<Record<string, string | undefined>>
  /** Prompt templates by path, read once: the file checked before the run is the one every pair renders. */
  private readonly templates = new Map<string, Promise<ReferencePromptTemplate>>()

  constructor(
    readonly profile: CliProfile,
    private readonly deps: CliAgentDeps = {},
  ) {
    this.name = profile.name
    this.env = deps.env ?? process.env
  }

  /** Before any sandbox starts: the key, network, a cost limit the CLI can keep, the CLI installed, and last a base URL that answers HTTP. */
  async preflight(setup: {
    model: string
    modelBaseUrl?: string | null
    options: Record<string, unknown>
    limits: AgentLimits
    backend?: { name: string; network: boolean }
  }): Promise<void> {
    this.profile.credentials(this.env)
    if (setup.backend?.network === false) throw noNetworkError(this.profile, setup.backend.name)
    const options = this.resolve(setup.options)
    checkCostLimit(this.profile, setup.limits)
    await this.promptTemplate(options)
    // With the option `binary` the CLI is the sandbox's own (an image that has it); else it is this machine's.
    if (options.binary === null && findHostBinary(this.profile, this.deps) === null) throw notInstalledError(this.profile)
    const baseUrl = setup.modelBaseUrl ?? options.model_base_url
    if (baseUrl === null) return
    await checkModelAnswers({
      agent: this.profile.name,
      baseUrl,
      setBy: setup.modelBaseUrl ? '--model-base-url' : `agents.${this.profile.name}.model_base_url`,
      ...(setup.backend ? { backend: setup.backend.name } : {}),
      ...(this.deps.modelAnswerTimeoutMs === undefined ? {} : { timeoutMs: this.deps.modelAnswerTimeoutMs }),
    })
  }

  async run(ctx: AgentRunContext): Promise<AgentResult> {
    const options = this.resolve(ctx.options)
    return new CliRun(this.profile, ctx, options, await this.promptTemplate(options), this.env, this.deps).run()
  }

  private resolve(options: Record<string, unknown>): ResolvedCliOptions {
    checkProtocolOptions(this.profile.name, parseCliAgentOptions(options), this.profile.reference !== undefined)
    return resolveCliOptions(options, this.profile.reference?.wallClockSeconds ?? 0)
  }

  /** The user's template under `protocol: reference` (read and checked once), else null. */
  private promptTemplate(options: ResolvedCliOptions): Promise<ReferencePromptTemplate | null> {
    if (options.protocol !== 'reference' || options.prompt_template === null) return Promise.resolve(null)
    const path = options.prompt_template
    let loading = this.templates.get(path)
    if (loading === undefined) {
      loading = loadReferencePromptTemplate(path)
      loading.catch(() => this.templates.delete(path))
      this.templates.set(path, loading)
    }
    return loading
  }
}

function findHostBinary(profile: CliProfile, deps: CliAgentDeps): string | null {
  return (deps.hostBinary ?? (() => hostBinary(profile)))()
}

/** The CLI calls its model from the sandbox: without network it would wait silently until the wall clock ends the pair (25+ minutes). */
function noNetworkError(profile: CliProfile, backend: string): CooperbenchError {
  const fix =
    backend === 'local'
      ? "Set backends.local.network: true in the config file (cooperbench.config.json), so sandboxes share this machine's network"
      : backend === 'docker'
        ? 'Set backends.docker.network to bridge (or host for a model server on this machine) in the config file'
        : `Give backend ${backend}'s sandboxes network in the config file (backends.${backend}), or run on the local backend with backends.local.network: true`
  return new CooperbenchError(
    'CONFIG_INVALID',
    `${profile.name} calls its model from inside the sandbox, and backend ${backend}'s sandboxes have no network: it could never reach the model`,
    { hint: `${fix}, then run again` },
  )
}

/** A cost limit on a CLI that reports no cost could never fire: refused rather than silently ignored. */
function checkCostLimit(profile: CliProfile, limits: AgentLimits): void {
  if (limits.costUsd > 0 && !profile.reportsCost) {
    throw new CooperbenchError('CONFIG_INVALID', `${profile.name} reports no cost, so a cost limit ($${limits.costUsd}) cannot be enforced`, {
      hint: `Drop --cost-limit (or agents.${profile.name}.cost_limit) and bound the run with --step-limit or --agent-timeout`,
    })
  }
}

/** Upstream's `wait_for_message` declaration, which the reference's server serves as it is: without it there is no tool to offer. */
function referenceWaitTool(waitForMessages: { declaration: Record<string, unknown> | null }): Record<string, unknown> {
  if (waitForMessages.declaration) return waitForMessages.declaration
  throw new CooperbenchError(
    'CONFIG_INVALID',
    "protocol: reference offers upstream's wait_for_message tool here, and the run has no declaration of it to serve",
    {
      hint:
        "The setting that gives this seat its wait tool supplies upstream's declaration of it (docs/reproducing-the-paper.md#the-team-setting " +
        'says how for the team setting), or switch that wait tool off.',
    },
  )
}

/** Why the harness stopped a CLI that was still running: a limit (LimitsExceeded) or a model it cannot reach (Error). */
interface Stop {
  status: 'LimitsExceeded' | 'Error'
  reason: string
}

/** One run of a CLI in one sandbox; owns the stop controller, the poll loop and the wall-clock timer. */
class CliRun {
  private readonly stop = new AbortController()
  private readonly signal: AbortSignal
  private stopped: Stop | null = null
  /** The prompt the CLI was given (the task with its briefing), once written: the trajectory's user message. */
  private prompted: string | null = null
  private readonly follower: StreamFollower

  constructor(
    private readonly profile: CliProfile,
    private readonly ctx: AgentRunContext,
    private readonly options: ResolvedCliOptions,
    /** Set under `protocol: reference`: the prompt comes from it and the patch from `patch.txt`. */
    private readonly template: ReferencePromptTemplate | null,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly deps: CliAgentDeps,
  ) {
    this.signal = AbortSignal.any([ctx.signal, this.stop.signal])
    this.follower = new StreamFollower(profile, STREAM_FILE)
  }

  async run(): Promise<AgentResult> {
    const { ctx, options } = this
    const wall = options.wall_time_limit_seconds
    const timer = wall > 0 ? setTimeout(() => this.halt('LimitsExceeded', `wall time limit of ${wall} s reached`), wall * 1000) : undefined
    let relay: TeammateRelay | null = null
    try {
      const credentials = this.profile.credentials(this.env)
      checkCostLimit(this.profile, ctx.limits)
      const messaging = ctx.mailbox !== null && ctx.peers.length > 0
      // Ours with messaging; the reference's whenever the seat asks for it, as upstream registered it.
      const wait = ctx.coordination.waitForMessages
      const waitTool = wait !== null && (messaging || this.template !== null) && this.profile.mcpConfig !== undefined
      const reference = waitTool && this.template !== null ? referenceWaitTool(wait) : null
      const scripts = {
        ...(messaging ? this.commandScripts() : {}),
        ...(waitTool ? { [MCP_WAIT_COMMAND]: mcpWaitServerScript({ reference }) } : {}),
      }
      // The seat's commands come after ours on PATH, in the CLI's shell and in a login shell it starts.
      const bins = ctx.coordination.commandDir === null ? CLI_BIN_DIR : `${CLI_BIN_DIR}:${ctx.coordination.commandDir}`
      await writeSandboxFiles(
        ctx.sandbox,
        new Map([
          ...Object.entries(scripts).map(([name, text]) => [`${CLI_BIN_DIR}/${name}`, text] as const),
          ...Object.entries(homeProfileFiles(HOME_DIR, bins)),
        ]),
      )
      await this.exec(prepareStateCommand(Object.keys(scripts)))
      const { binary, node } = await this.locateBinary()
      this.prompted = await this.prompt(messaging, waitTool)
      const invocation = this.invocation({
        binary,
        promptFile: PROMPT_FILE,
        model: ctx.model,
        baseUrl: ctx.modelBaseUrl ?? options.model_base_url,
        credentials,
        home: HOME_DIR,
        stepLimit: ctx.limits.steps,
        costLimit: ctx.limits.costUsd,
      })
      const mcpFiles = waitTool && this.profile.mcpConfig ? this.profile.mcpConfig([mcpWaitServer()], { home: HOME_DIR, invocation }) : {}
      await writeSandboxFiles(ctx.sandbox, new Map([[PROMPT_FILE, this.prompted], ...Object.entries(mcpFiles)]))
      const args = invocation.args.map((arg) => (arg === '{prompt}' ? `"$(cat ${PROMPT_FILE})"` : shellQuote(arg))).join(' ')
      const launcher = node === null ? shellQuote(binary) : `${shellQuote(node)} ${shellQuote(binary)}`
      const command = `export PATH=${bins}:"$PATH"; cd ${SANDBOX_REPO_DIR} && exec ${launcher} ${args} < /dev/null > ${STREAM_FILE} 2> ${STDERR_FILE}`
      await ctx.recorder.save([{ role: 'user', content: `(${this.profile.name}) ${ctx.instructions}` }])
      relay = new TeammateRelay(ctx, this.follower, {
        pollMs: options.poll_seconds * 1000,
        signal: ctx.signal,
        onProgress: (s) => this.onProgress(s, invocation.enforces),
        ...(this.template === null ? {} : { inbox: { entry: referenceInboxEntry, notes: false } }),
      })
      const running = this.exec(command, { env: invocation.env })
      relay.start(running)
      const exit = await running
      // A kill by the harness (Ctrl+C, its wall clock) ends the run here; `catch` tells which.
      ctx.signal.throwIfAborted()
      await relay.finish()
      return await this.result(exit.exitCode)
    } catch (error) {
      await relay?.finish().catch(() => {})
      // An interruption wins over a limit that fired at the same time: the harness writes nothing for it.
      if (ctx.signal.aborted && !isTimeout(ctx.signal)) throw error
      if (isTimeout(ctx.signal)) return this.finish('LimitsExceeded', 'the harness wall-clock limit was reached')
      if (this.stopped !== null) return this.finishStopped(this.stopped)
      throw error
    } finally {
      clearTimeout(timer)
      this.stop.abort()
    }
  }

  /** Ours: send_message, broadcast, check_messages; the reference's: coop-send, coop-recv, …, as its prompt names them. */
  private commandScripts(): Record<string, string> {
    const { ctx } = this
    if (this.template === null) return teammateCommandScripts(ctx.peers)
    const agents = [ctx.agentId, ...ctx.peers].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    return referenceCommandScripts(ctx.agentId, agents)
  }

  /** Ours: the task, the briefing (with `wait_for_message` when offered) and early messages; the reference's: the user's template (messages wait in the inbox). */
  private async prompt(messaging: boolean, waitForMessage: boolean): Promise<string> {
    const { ctx } = this
    const gitRemote = ctx.git?.remote ?? null
    if (this.template !== null) {
      const { briefing } = ctx.coordination
      return renderReferencePrompt(this.template, { task: ctx.instructions, agentId: ctx.agentId, partners: ctx.peers, messaging, gitRemote, briefing })
    }
    const early = messaging && ctx.mailbox ? (await ctx.mailbox.receive()).map((m) => `[Message from ${m.from}]: ${m.content}`) : []
    return buildCliPrompt({
      agentId: ctx.agentId,
      peers: ctx.peers,
      instructions: ctx.instructions,
      messaging,
      gitRemote,
      earlyMessages: early,
      sections: ctx.coordination.briefing.sections,
      waitForMessage,
    })
  }

  /** The profile's command line, or the reference's under `protocol: reference`; `input.model` is the run's `-m`. */
  private invocation(input: CliInvocationInput): CliInvocation {
    const reference = this.template === null ? undefined : this.profile.reference
    if (reference !== undefined) return reference.invocation({ ...input, model: reference.modelId(input.model) })
    return this.profile.invocation({ ...input, model: this.profile.modelId(input.model) })
  }

  /** Under `protocol: reference`, `patch.txt` read as the reference reads it, whatever the ending ('' without one); else nothing (the harness's diff). */
  private async submittedPatch(): Promise<{ submittedPatch?: string }> {
    if (this.template === null) return {}
    try {
      return { submittedPatch: referencePatchText(await this.ctx.sandbox.readFile(REFERENCE_PATCH_FILE)) }
    } catch {
      return { submittedPatch: '' }
    }
  }

  private exec(command: string, extra: { env?: Record<string, string> } = {}) {
    return this.ctx.sandbox.exec(command, { ...extra, signal: this.signal, maxOutputBytes: 64 * 1024 })
  }

  /** Stops the CLI; `run` then ends with `status`. The first reason wins. */
  private halt(status: Stop['status'], reason: string): void {
    if (this.stopped !== null) return
    this.stopped = { status, reason }
    this.stop.abort(new Error(reason))
  }

  /** On every poll: limits the CLI does not enforce, and a model it cannot connect to (Codex retries for ever): an error, not the harness's bound. */
  private onProgress(summary: CliStreamSummary, enforces: { steps: boolean; cost: boolean }): void {
    const { steps, costUsd: cost } = this.ctx.limits
    if (!enforces.steps && steps > 0 && summary.steps > steps) this.halt('LimitsExceeded', `step limit of ${steps} reached`)
    if (!enforces.cost && cost > 0 && summary.cost > cost) this.halt('LimitsExceeded', `cost limit of $${cost} reached`)
    const failures = summary.connectionFailures ?? 0
    if (failures >= (this.deps.connectionFailureLimit ?? CONNECTION_FAILURE_LIMIT)) {
      const url = this.ctx.modelBaseUrl ?? this.options.model_base_url
      const at = url === null ? '' : ` at ${redactUrlCredentials(url)}`
      this.halt(
        'Error',
        `${this.profile.name} cannot reach its model${at}: ${failures} connection attempt${failures === 1 ? '' : 's'} in a row failed (last: ${summary.error})`,
      )
    }
  }

  /**
   * The CLI in the sandbox, the first it can run: the option's path; else this machine's npm-installed binary, shown to a
   * local sandbox wherever it lies (`shareHostPath`: under `/tmp` too), then the image layer's (a container's).
   */
  private async locateBinary(): Promise<{ binary: string; node: string | null }> {
    const node = this.profile.npm.runtime === 'node' ? await this.locateNode() : null
    const candidates = this.options.binary !== null ? [this.options.binary] : await this.binaryCandidates()
    const test = node === null ? '[ -x' : '[ -f'
    const probe = candidates.map((path) => `if ${test} ${shellQuote(path)} ]; then echo ${shellQuote(path)}; exit 0; fi`).join('\n')
    const found = (await this.exec(`${probe}\nexit 1`)).stdout.trim()
    if (found !== '') return { binary: found, node }
    const pinned = `${this.profile.npm.package}@${this.profile.npm.version}`
    throw new CooperbenchError('SANDBOX_FAILED', `${this.profile.name}: the ${pinned} binary is not in the sandbox (looked at ${candidates.join(', ')})`, {
      hint:
        this.profile.npm.runtime === 'node'
          ? `Run ${this.profile.name} on the local backend (it runs the CLI installed on this machine), or set the agent option binary`
          : `Build task images with the CLI layer (cooperbench images build --agent ${this.profile.name}), or run on the local backend`,
    })
  }

  private async binaryCandidates(): Promise<string[]> {
    const host = findHostBinary(this.profile, this.deps)
    // No layer holds a JavaScript CLI: a file at the layer's path would be a leftover, not this CLI.
    const layer = this.profile.npm.runtime === 'node' ? [] : [layerBinaryPath(this.profile)]
    if (host === null) {
      if (layer.length === 0) throw notInstalledError(this.profile)
      return layer
    }
    return [await this.shownToSandbox(host, hostPackageDir(this.profile, host)), ...layer]
  }

  /** Node.js for a CLI written in JavaScript: the option's, else the one running cooperbench, shown to the sandbox. */
  private async locateNode(): Promise<string> {
    const node = this.options.node ?? (await this.shownToSandbox(process.execPath, process.execPath))
    const check = await this.exec(`[ -x ${shellQuote(node)} ]`)
    if (check.exitCode === 0) return node
    throw new CooperbenchError('SANDBOX_FAILED', `${this.profile.name}: Node.js (${node}) is not in the sandbox, and ${this.profile.npm.package} needs it`, {
      hint: `Run ${this.profile.name} on the local backend, or set the agent option node to Node.js 22 inside the sandbox`,
    })
  }

  /** Where the sandbox sees `path` (inside `dir` on this machine): `dir` shared when it can be, else `path` as is (a container lacks it: next candidate). */
  private async shownToSandbox(path: string, dir: string): Promise<string> {
    if (this.ctx.sandbox.shareHostPath === undefined) return path
    const shown = await this.ctx.sandbox.shareHostPath(dir)
    return path === dir ? shown : `${shown}${path.slice(dir.length)}`
  }

  private async result(exitCode: number): Promise<AgentResult> {
    const summary = this.follower.summary()
    if (this.stopped !== null) return this.finishStopped(this.stopped)
    if (summary.outcome === 'limit') return this.finish('LimitsExceeded', summary.error ?? 'the CLI stopped at its limit')
    if (summary.outcome === 'success' && exitCode === 0) return this.finish('Submitted', null)
    const ended = exitCode === 0 ? 'the CLI ended without a final result' : `the CLI exited with code ${exitCode}`
    return this.failed({ error: summary.error, ended })
  }

  private finishStopped(stop: Stop): Promise<AgentResult> {
    return stop.status === 'Error' ? this.failed({ error: stop.reason, ended: 'stopped by the harness' }) : this.finish(stop.status, stop.reason)
  }

  /** Ends with `Error`, the real error first ({@link cliErrorText}); `infra` or `agent` by {@link classifyFailure}. */
  private async failed(failure: { error: string | null; ended: string }): Promise<AgentResult> {
    const text = cliErrorText(failure, await this.stderr(), this.profile.stderrNoise ?? [])
    return this.finish('Error', text, classifyFailure(text, this.follower.summary()))
  }

  private async stderr(): Promise<string> {
    try {
      return Buffer.from(await this.ctx.sandbox.readFile(STDERR_FILE)).toString('utf8')
    } catch {
      return ''
    }
  }

  /** The CLI's session logs (its own record of the session), by path; empty when it wrote none or the sandbox is gone. */
  private async sessionLogs(): Promise<Record<string, string>> {
    const globs = this.profile.sessionLogs ?? []
    if (globs.length === 0 || this.ctx.signal.aborted) return {}
    const logs: Record<string, string> = {}
    try {
      const listing = await this.ctx.sandbox.exec(`cd ${HOME_DIR} && ls -1d ${globs.join(' ')} 2>/dev/null | head -n 20`, { timeoutMs: 30_000 })
      for (const path of listing.stdout.split('\n').filter((line) => line.trim() !== '')) {
        logs[path] = Buffer.from(await this.ctx.sandbox.readFile(`${HOME_DIR}/${path}`)).toString('utf8')
      }
    } catch {
      // the logs are a record, not the result: a sandbox that cannot show them leaves them out
    }
    return logs
  }

  private async finish(status: 'Submitted' | 'LimitsExceeded' | 'Error', error: string | null, failure?: FailureOrigin): Promise<AgentResult> {
    const summary = this.follower.summary()
    // The CLI's own event stream and session logs are kept whole beside the messages read from them.
    const cli = `${this.profile.npm.package}@${this.profile.npm.version}`
    const exit = {
      role: 'exit',
      content: error ?? '',
      exit_status: status,
      extra: { cli, cli_stream: this.follower.rawLines(), cli_session_logs: await this.sessionLogs() },
    }
    const messages: unknown[] = [{ role: 'user', content: this.prompted ?? this.ctx.instructions }, ...summary.messages, exit]
    await this.ctx.recorder.save(messages).catch(() => {})
    return {
      status,
      cost: summary.cost,
      // A model turn whose cost the CLI did not report is never $0.
      ...(summary.steps > 0 && (summary.costUnknown || !this.profile.reportsCost) ? { costUnknown: true } : {}),
      steps: summary.steps,
      input_tokens: summary.input_tokens,
      output_tokens: summary.output_tokens,
      cache_read_tokens: summary.cache_read_tokens,
      cache_write_tokens: summary.cache_write_tokens,
      messages,
      error,
      ...(failure === undefined ? {} : { failure }),
      ...(await this.submittedPatch()),
    }
  }
}
