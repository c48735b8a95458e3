import type {
  Agent,
  AgentLimits,
  AgentResult,
  AgentRunContext,
  CommandTool,
  Coordination,
  Mailbox,
  Sandbox,
  SandboxSpec,
  SeatCoordination,
  Task,
  TrajectoryRecorder,
} from '@cooperbench/core'
import { CONFIG_DEFAULTS } from '@cooperbench/config'
import { silentLogger } from '@cooperbench/spec-utils'
import { readFeatureSpec, soloInstructions } from '@cooperbench/dataset'
import { coordinationOf, extractPatch, type ServedTools, serveTools } from '@cooperbench/core/runner'
import { startScriptedLlmServer } from '../llm-server/server.js'
import type { ChatCompletionRequestBody, LlmScript, RecordedRequest } from '../llm-server/types.js'
import { startScriptedAnthropicServer } from '../model-servers/anthropic-messages.js'
import type { AnthropicMessagesBody } from '../model-servers/anthropic-messages.js'
import type { WireScript } from '../model-servers/http.js'
import { type ResponsesBody, startScriptedResponsesServer } from '../model-servers/openai-responses.js'
import { ConformanceViolation, within as withinDeadline } from './check-support.js'
import type { CoordinationCheckOptions } from './agent-coordination-check.js'
import type { ConformanceFixture } from './fixture.js'

/** What a script is given to solve the conformance fixture's feature. */
export interface AgentFixtureFeature {
  /** The gold `feature.patch`: applying it to the base commit solves the feature. */
  goldPatch: string
  /** The feature's id (1). */
  feature: number
  /** In the team checks: the agent's part, for a script that plays the team's protocol. */
  team?: TeamScriptFacts
}

/** What a script of a team check may use to play the protocol (the model of a real run reads it from the commands and files). */
export interface TeamScriptFacts {
  role: 'lead' | 'member'
  agentId: string
  /** The id of the agent's own seeded task; null without the seeded list. */
  taskId: string | null
  /** The scratchpad's path; null when it is off. */
  scratchpad: string | null
  /**
   * The lead's tree once it integrated: the fixture's gold and the member's patch (left in the
   * scratchpad by the simulated member), as the task's `combined.patch` is every feature's gold at once.
   */
  combinedPatch: string
}

export interface AgentConformanceOptions {
  createAgent(): Agent | Promise<Agent>
  /**
   * Creates a sandbox of the fixture task, as the harness does before `run`: `/workspace/repo` at
   * the base commit, `runner.sh`, writable `/patches`. Pass any backend's, e.g.
   * `(task) => backend.createSandbox({ task, image, role: 'solo', labels: {} })`. The suite
   * terminates every sandbox it creates.
   */
  createSandbox(task: Task, spec?: SandboxExtras): Promise<Sandbox>
  /** Model id to pass in ctx.model; the suite starts a scripted OpenAI-compatible server and gives its URL. */
  model?: string
  /** How the agent is told the model endpoint, e.g. (url) => ({ model_base_url: url }); options merged into ctx.options. */
  modelOptions?(serverUrl: string): Record<string, unknown>
  /** Further ctx.options of every run (e.g. a step limit); `modelOptions` win over them. */
  options?: Record<string, unknown>
  /**
   * What the scripted model answers to make this agent solve the fixture feature and submit, when the agent
   * talks to a model (e.g. for a bash-tool agent: [toolCall(<apply the gold patch>), finalTurn()]).
   * Omit for agents that do not call a model (the oracle).
   */
  script?(fixture: AgentFixtureFeature): LlmScript
  /** The agent uses ctx.mailbox when present (coop messaging). */
  messaging?: boolean
  /**
   * What the generic check of the coordination surface expects of the agent (run for every agent; `false` skips it): the
   * briefing (or upstream's block) in its first model request, a command tool it can run, with `status` the seat's status
   * in every request. See {@link CoordinationCheckOptions}.
   */
  coordination?: false | CoordinationCheckOptions
  /**
   * The agent is run in the `team` setting as a team run runs it (the team's session: its task list, its seats' coordination
   * surface served, the scratchpad mounted, its mirror kept): checked, as the lead and as a member, to submit and never to name
   * a feature that is off; with `autoRefresh` (a loop agent showing `ctx.coordination.status`), to show the
   * `[Team task list]` summary in every model request; with `waitForMessage` (an agent that offers the tool, as the CLI
   * agents do), to name `wait_for_message` when `mcp` is on, never when off; with `protocol` (the agent, or its script,
   * plays the protocol), to do its part: a member claims its task, leaves its patch in the scratchpad and marks the task
   * done; the lead marks its task done and integrates the member's patch. `promptTemplate`: upstream's team template file
   * (`--team-prompt-template`), for an agent following upstream's prompts (`briefing.upstream`).
   */
  team?: { autoRefresh?: boolean; waitForMessage?: boolean; protocol?: boolean; promptTemplate?: string }
  /**
   * The wire protocol of the scripted model server: OpenAI Chat Completions (default, URL ends in
   * `/v1`), the OpenAI Responses API (URL ends in `/v1`) or the Anthropic Messages API (URL is
   * the origin, as `ANTHROPIC_BASE_URL` takes it).
   * The same scripted turns drive either.
   */
  wire?: ModelWire
  /** Skip the whole suite with this reason (e.g. no sandbox backend on this machine and not CI). */
  skip?: string | false
  /** Per-test timeout in ms. Default 60 000. */
  timeoutMs?: number
  /** How long `run` may take to settle after its signal fires, in ms. Default 5000. */
  settleMs?: number
}

/** Everything a check needs to run the agent under test against the conformance fixture. */
/** What a check adds to a sandbox it asks for: its role and the host folders it mounts (a team's scratchpad). Pass them on to the backend. */
export type SandboxExtras = Partial<Pick<SandboxSpec, 'role' | 'sharedDirs'>>

export interface AgentCheckSetup {
  agent: Agent
  fixture: ConformanceFixture
  createSandbox(task: Task, spec?: SandboxExtras): Promise<Sandbox>
  model?: string
  modelOptions?(serverUrl: string): Record<string, unknown>
  options?: Record<string, unknown>
  script?(fixture: AgentFixtureFeature): LlmScript
  /** How long `run` may take to settle after its signal fires, in ms. Default 5000. */
  settleMs?: number
  /** How long a whole run may take before the check fails (and aborts it), in ms. Default 45 000. */
  runMs?: number
  /** The scripted server's wire protocol (default `openai-chat`). */
  wire?: ModelWire
  /** The limits the agent gets (`ctx.limits`, preflight's `limits`); default {@link conformanceLimits}. */
  limits?: AgentLimits
}

/**
 * The limits of a run that sets none, with no cost limit: the scripted model has no price, and a
 * CLI that reports no cost refuses one.
 */
export function conformanceLimits(setup: Pick<AgentCheckSetup, 'limits'>): AgentLimits {
  return setup.limits ?? { steps: CONFIG_DEFAULTS.stepLimit, costUsd: 0, wallClockSeconds: null }
}

/** The wire protocols the conformance suite's scripted model server speaks. */
export type ModelWire = 'openai-chat' | 'anthropic-messages' | 'openai-responses'

/** A {@link TrajectoryRecorder} that keeps what it was given, for checks. */
export interface RecordingRecorder extends TrajectoryRecorder {
  /**
   * Every saved value, as a JSON round trip of what `save` received (only those that serialised);
   * an `append` adds the trajectory so far with the appended messages.
   */
  readonly saves: unknown[][]
  /** Every `save` or `append` call whose value was not an array or not JSON-serialisable, described. */
  readonly problems: string[]
}

/** What one run of the agent on the fixture produced; a check judges it. */
export interface AgentRunRecord {
  /** What `run` resolved with; null when it rejected. */
  result: AgentResult | null
  /** What `run` rejected with (undefined when it resolved). */
  rejection: unknown
  recorder: RecordingRecorder
  /** The harness's patch (`extractPatch`) of the sandbox after the run. */
  patch: string
  /** The scripted model's chat-completion requests (none for an agent without a model). */
  requests: Array<RecordedRequest & { body: ChatCompletionRequestBody }>
  durationMs: number
}

/** The model id given in ctx.model when the options name none. */
export const CONFORMANCE_DEFAULT_MODEL = 'scripted-model'

export const DEFAULT_SETTLE_MS = 5_000
export const DEFAULT_RUN_MS = 45_000
/** How long after the agent's first command is seen running the abort checks abort it. */
export const ABORT_AFTER_COMMAND_MS = 200
/** When the agent runs no command, the abort checks abort it this long after `run` started. */
export const ABORT_FALLBACK_MS = 3_000
/** The bound on `run` when every command throws. */
export const EXEC_FAILURE_BOUND_MS = 20_000

export function violation(message: string): never {
  throw new ConformanceViolation(message)
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

export function preview(text: string, max = 600): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text
}

/** Resolves like `promise`, or fails when it has not settled after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return withinDeadline(promise, ms, what, 'settle')
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown }

export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
}

/** `run`, called like the harness calls it: a synchronous throw counts as a rejection. */
export function callRun(agent: Agent, context: AgentRunContext): Promise<AgentResult> {
  try {
    return Promise.resolve(agent.run(context))
  } catch (error) {
    return Promise.reject(error)
  }
}

/**
 * A bash command that applies `patch` from a heredoc with `git apply`: what a scripted model
 * answers to make a bash-tool agent implement the fixture feature, e.g.
 * `script: ({ goldPatch }) => [toolCall(applyPatchCommand(goldPatch)), finalTurn()]`.
 */
export function applyPatchCommand(patch: string): string {
  let delimiter = 'COOPERBENCH_CONFORMANCE_PATCH'
  while (patch.split('\n').includes(delimiter)) delimiter += '_'
  return `git apply --whitespace=nowarn <<'${delimiter}'\n${patch.endsWith('\n') ? patch : `${patch}\n`}${delimiter}`
}

/**
 * A recorder that JSON-serialises every save, as the harness's recorder does, and keeps the result;
 * an `append` is kept as the save of everything so far.
 */
export function recordingRecorder(): RecordingRecorder {
  const saves: unknown[][] = []
  const problems: string[] = []
  const serialised = (call: string, messages: unknown[]): unknown[] | null => {
    const index = saves.length + problems.length
    if (!Array.isArray(messages)) {
      problems.push(`${call} #${index + 1} was given ${typeof messages}, not an array of messages`)
      return null
    }
    let json: string | undefined
    try {
      json = JSON.stringify(messages)
    } catch (error) {
      problems.push(`${call} #${index + 1}: the messages are not JSON-serialisable (${describeError(error)})`)
      return null
    }
    if (json === undefined) {
      problems.push(`${call} #${index + 1}: JSON.stringify returned nothing`)
      return null
    }
    return JSON.parse(json) as unknown[]
  }
  return {
    saves,
    problems,
    async save(messages: unknown[]) {
      const value = serialised('save', messages)
      if (value) saves.push(value)
    },
    async append(messages: unknown[]) {
      const value = serialised('append', messages)
      if (value) saves.push([...(saves.at(-1) ?? []), ...value])
    },
  }
}

export interface ModelSession {
  model: string
  /** The scripted server's URL, as `--model-base-url` would give it (ctx.modelBaseUrl). */
  modelBaseUrl: string | null
  options: Record<string, unknown>
  server: { url: string; close(): Promise<void> } | null
  requests(): Array<RecordedRequest & { body: ChatCompletionRequestBody }>
  close(): Promise<void>
}

/**
 * The model side of one check: a scripted server (when the agent talks to a model, that is when
 * it has a `script` or `modelOptions`) and the ctx.model / ctx.options pointing at it.
 */
export async function openModel(setup: AgentCheckSetup, script: LlmScript | null): Promise<ModelSession> {
  const needsServer = setup.script !== undefined || setup.modelOptions !== undefined
  const server = needsServer ? await startModelServer(setup.wire ?? 'openai-chat', script ?? []) : null
  return {
    model: setup.model ?? CONFORMANCE_DEFAULT_MODEL,
    modelBaseUrl: server?.url ?? null,
    options: { ...setup.options, ...(server && setup.modelOptions ? setup.modelOptions(server.url) : {}) },
    server,
    requests: () => server?.requests() ?? [],
    close: async () => {
      await server?.close()
    },
  }
}

/** A scripted server of `wire`; its requests are typed as chat requests (every protocol's body has the texts requestTexts reads). */
export async function startModelServer(
  wire: ModelWire,
  script: LlmScript,
): Promise<{ url: string; close(): Promise<void>; requests(): Array<RecordedRequest & { body: ChatCompletionRequestBody }> }> {
  if (wire === 'anthropic-messages') {
    const server = await startScriptedAnthropicServer({ script: script as unknown as WireScript<AnthropicMessagesBody> })
    return {
      url: server.url,
      close: () => server.close(),
      requests: () => server.modelRequests() as unknown as Array<RecordedRequest & { body: ChatCompletionRequestBody }>,
    }
  }
  if (wire === 'openai-responses') {
    const server = await startScriptedResponsesServer({ script: script as unknown as WireScript<ResponsesBody> })
    return {
      url: server.url,
      close: () => server.close(),
      requests: () => server.modelRequests() as unknown as Array<RecordedRequest & { body: ChatCompletionRequestBody }>,
    }
  }
  const server = await startScriptedLlmServer({ script })
  return { url: server.url, close: () => server.close(), requests: () => server.chatRequests() }
}

/** The script that solves the fixture's feature 1, or null for an agent without a model. */
export function solvingScript(setup: AgentCheckSetup, team?: TeamScriptFacts): LlmScript | null {
  return setup.script ? setup.script({ goldPatch: setup.fixture.featurePatch, feature: 1, ...(team ? { team } : {}) }) : null
}

export async function newSandbox(setup: AgentCheckSetup, spec?: SandboxExtras): Promise<Sandbox> {
  try {
    return await (spec ? setup.createSandbox(setup.fixture.task, spec) : setup.createSandbox(setup.fixture.task))
  } catch (error) {
    // Not the agent's fault: say so, so that a broken backend is not read as a broken agent.
    throw new Error(`createSandbox failed (a problem of the sandbox backend, not of the agent): ${describeError(error)}`, { cause: error })
  }
}

export interface RunPlan {
  sandbox: Sandbox
  session: ModelSession
  recorder: TrajectoryRecorder
  signal: AbortSignal
  mailbox?: Mailbox | null
  /** The agents it works beside (default: the mailbox's peers, else none: it works alone). */
  peers?: readonly string[]
  /** Its coordination surface (`ctx.coordination`; default: nothing beside its messages). */
  coordination?: Coordination
  /** The agent's id (default `agent1` beside peers, else `solo`). */
  agentId?: string
}

/** The context the harness would give the agent for the fixture's feature 1: alone (solo), or beside peers as agent1 (coop). */
export async function fixtureContext(setup: AgentCheckSetup, plan: RunPlan): Promise<AgentRunContext> {
  const { task } = setup.fixture
  const spec = await readFeatureSpec(task, 1)
  const peers = [...(plan.peers ?? plan.mailbox?.peers ?? [])]
  const beside = peers.length > 0
  return {
    agentId: plan.agentId ?? (beside ? 'agent1' : 'solo'),
    featureIds: [1],
    instructions: beside ? spec : soloInstructions([{ id: 1, text: spec }]),
    task,
    sandbox: plan.sandbox,
    peers,
    mailbox: plan.mailbox ?? null,
    git: null,
    coordination: plan.coordination ?? coordinationOf(),
    model: plan.session.model,
    modelBaseUrl: plan.session.modelBaseUrl,
    options: plan.session.options,
    limits: conformanceLimits(setup),
    recorder: plan.recorder,
    logger: silentLogger,
    signal: plan.signal,
  }
}

/** How {@link runAgentOnFixture} seats the agent. */
export interface FixtureRunOptions {
  /** Its mailbox (coop messaging); its peers are the mailbox's unless `peers` says otherwise. */
  mailbox?: Mailbox | null
  /** The agents it works beside (`ctx.peers`; default: the mailbox's peers, else none: solo). */
  peers?: readonly string[]
  /** Its id (default `agent1` beside peers, else `solo`); also the sandbox's role. */
  agentId?: string
  /**
   * What its seat coordinates with, as a setting gives it (`Seat.coordination`): the mounts go to the sandbox, the command tools
   * are installed in it and answered on the host as the harness does (`serveTools`), the variables set, and the agent gets
   * `ctx.coordination`.
   */
  coordination?: SeatCoordination
  /** What the script of a team check is told. */
  script?: TeamScriptFacts
  /** Changes the script the model plays (the coordination check runs a command first). */
  wrapScript?(script: LlmScript | null): LlmScript | null
  /** Looks at the sandbox after the run, as the agent got it (its command tools still answered), before it goes. */
  inspect?(sandbox: Sandbox): Promise<void>
}

/**
 * Runs the agent on the fixture's feature 1 as the harness does: a fresh sandbox, the scripted
 * model playing `setup.script`, a recording recorder; then takes the harness's patch of the
 * sandbox. Solo by default; beside peers (as `agent1`) with `mailbox` or `peers`; with a seat's
 * `coordination`, its tools served. A run that takes longer than `setup.runMs` is aborted and
 * fails the check. Judges nothing else.
 */
export async function runAgentOnFixture(setup: AgentCheckSetup, options: FixtureRunOptions = {}): Promise<AgentRunRecord> {
  const runMs = setup.runMs ?? DEFAULT_RUN_MS
  const script = solvingScript(setup, options.script)
  const session = await openModel(setup, options.wrapScript ? options.wrapScript(script) : script)
  let sandbox: Sandbox | undefined
  let served: ServedTools | undefined
  const controller = new AbortController()
  try {
    const { coordination } = options
    const peers = options.peers ?? options.mailbox?.peers ?? []
    const agentId = options.agentId ?? (peers.length > 0 ? 'agent1' : 'solo')
    const mounts = coordination?.mounts ?? []
    sandbox = await newSandbox(setup, coordination || options.agentId ? { role: agentId, sharedDirs: mounts } : undefined)
    const tools = (coordination?.tools ?? []).filter((tool): tool is CommandTool => tool.kind === 'command')
    served = coordination
      ? await serveTools(sandbox, tools, {
          agentId,
          env: coordination.env ?? {},
          logger: silentLogger,
          signal: controller.signal,
          hostSpoolDir: null,
          // Never into the image's /usr/local/bin: a sandbox of isolation `none` is this machine.
          linkCommands: false,
        })
      : undefined
    const recorder = recordingRecorder()
    const context = await fixtureContext(setup, {
      sandbox: served?.agentSandbox ?? sandbox,
      session,
      recorder,
      signal: controller.signal,
      mailbox: options.mailbox ?? null,
      peers,
      agentId,
      coordination: coordinationOf(coordination),
    })
    const started = Date.now()
    const outcome = settle(callRun(setup.agent, context))
    try {
      await within(outcome, runMs, `run (on the fixture's feature, ${peers.length > 0 ? `${agentId} beside ${peers.join(', ')}` : 'alone'})`)
    } catch (error) {
      controller.abort(new Error('the conformance check gave up on this run'))
      throw error
    }
    const settled = await outcome
    const durationMs = Date.now() - started
    await options.inspect?.(served?.agentSandbox ?? sandbox)
    await served?.stop()
    served = undefined
    const { patch } = await extractPatch(sandbox, setup.fixture.baseCommit)
    return {
      result: settled.ok ? settled.value : null,
      rejection: settled.ok ? undefined : settled.error,
      recorder,
      patch,
      requests: session.requests(),
      durationMs,
    }
  } finally {
    await served?.stop().catch(() => {})
    await sandbox?.terminate().catch(() => {})
    await session.close()
  }
}
