import { randomBytes, randomInt } from 'node:crypto'
import { type Agent, type AgentResult, type AgentRunContext, type Mailbox, SANDBOX_PATCHES_DIR, SANDBOX_RUNNER_PATH, type Sandbox, silentLogger, type Task, type TrajectoryRecorder } from '@cooperbench/core'
import { readFeatureSpec, soloInstructions } from '@cooperbench/core/dataset'
import { parseTestOutput } from '@cooperbench/core/evaluator'
import { MemoryBus } from '@cooperbench/core/plugins'
import { extractPatch } from '@cooperbench/core/runner'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { startScriptedLlmServer } from '../llm-server/server.js'
import type { ChatCompletionRequestBody, LlmScript, RecordedRequest } from '../llm-server/types.js'
import { startScriptedAnthropicServer } from '../model-servers/anthropic-messages.js'
import type { AnthropicMessagesBody } from '../model-servers/anthropic-messages.js'
import type { WireScript } from '../model-servers/http.js'
import { type ResponsesBody, startScriptedResponsesServer } from '../model-servers/openai-responses.js'
import { ConformanceViolation } from './checks.js'
import { type ConformanceFixture, createConformanceFixture } from './fixture.js'
import { hostProcessListing, leftoverProcesses, PROCESS_LISTING_SCRIPT } from './processes.js'
import { skippedSuite } from './skip.js'

/** What a script is given to solve the conformance fixture's feature. */
export interface AgentFixtureFeature {
  /** The gold `feature.patch`: applying it to the base commit solves the feature. */
  goldPatch: string
  /** The feature's id (1). */
  feature: number
}

export interface AgentConformanceOptions {
  createAgent(): Agent | Promise<Agent>
  /**
   * Creates a sandbox of the fixture task, as the harness does before `run`: `/workspace/repo` at
   * the base commit, `runner.sh`, writable `/patches`. Pass any backend's, e.g.
   * `(task) => backend.createSandbox({ task, image, role: 'solo', labels: {} })`. The suite
   * terminates every sandbox it creates.
   */
  createSandbox(task: Task): Promise<Sandbox>
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
export interface AgentCheckSetup {
  agent: Agent
  fixture: ConformanceFixture
  createSandbox(task: Task): Promise<Sandbox>
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

const DEFAULT_SETTLE_MS = 5_000
const DEFAULT_RUN_MS = 45_000
/** How long after the agent's first command is seen running the abort checks abort it. */
const ABORT_AFTER_COMMAND_MS = 200
/** When the agent runs no command, the abort checks abort it this long after `run` started. */
const ABORT_FALLBACK_MS = 3_000
/** The bound on `run` when every command throws. */
const EXEC_FAILURE_BOUND_MS = 20_000

function violation(message: string): never {
  throw new ConformanceViolation(message)
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

function preview(text: string, max = 600): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text
}

/** Resolves like `promise`, or fails when it has not settled after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  promise.catch(() => {})
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ConformanceViolation(`${what} did not settle within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, deadline])
  } finally {
    clearTimeout(timer)
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown }

function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
}

/** `run`, called like the harness calls it: a synchronous throw counts as a rejection. */
function callRun(agent: Agent, context: AgentRunContext): Promise<AgentResult> {
  try {
    return Promise.resolve(agent.run(context))
  } catch (error) {
    return Promise.reject(error)
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

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

interface ModelSession {
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
async function openModel(setup: AgentCheckSetup, script: LlmScript | null): Promise<ModelSession> {
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
async function startModelServer(wire: ModelWire, script: LlmScript): Promise<{ url: string; close(): Promise<void>; requests(): Array<RecordedRequest & { body: ChatCompletionRequestBody }> }> {
  if (wire === 'anthropic-messages') {
    const server = await startScriptedAnthropicServer({ script: script as unknown as WireScript<AnthropicMessagesBody> })
    return { url: server.url, close: () => server.close(), requests: () => server.modelRequests() as unknown as Array<RecordedRequest & { body: ChatCompletionRequestBody }> }
  }
  if (wire === 'openai-responses') {
    const server = await startScriptedResponsesServer({ script: script as unknown as WireScript<ResponsesBody> })
    return { url: server.url, close: () => server.close(), requests: () => server.modelRequests() as unknown as Array<RecordedRequest & { body: ChatCompletionRequestBody }> }
  }
  const server = await startScriptedLlmServer({ script })
  return { url: server.url, close: () => server.close(), requests: () => server.chatRequests() }
}

/** The script that solves the fixture's feature 1, or null for an agent without a model. */
function solvingScript(setup: AgentCheckSetup): LlmScript | null {
  return setup.script ? setup.script({ goldPatch: setup.fixture.featurePatch, feature: 1 }) : null
}

async function newSandbox(setup: AgentCheckSetup): Promise<Sandbox> {
  try {
    return await setup.createSandbox(setup.fixture.task)
  } catch (error) {
    // Not the agent's fault: say so, so that a broken backend is not read as a broken agent.
    throw new Error(`createSandbox failed (a problem of the sandbox backend, not of the agent): ${describeError(error)}`, { cause: error })
  }
}

interface RunPlan {
  setting: 'solo' | 'coop'
  sandbox: Sandbox
  session: ModelSession
  recorder: TrajectoryRecorder
  signal: AbortSignal
  mailbox?: Mailbox | null
}

/** The context the harness would give the agent for the fixture's feature 1 (solo, or coop as agent1). */
async function fixtureContext(setup: AgentCheckSetup, plan: RunPlan): Promise<AgentRunContext> {
  const { task } = setup.fixture
  const spec = await readFeatureSpec(task, 1)
  const coop = plan.setting === 'coop'
  return {
    setting: plan.setting,
    agentId: coop ? 'agent1' : 'solo',
    featureIds: [1],
    instructions: coop ? spec : soloInstructions([{ id: 1, text: spec }]),
    task,
    sandbox: plan.sandbox,
    // The mailbox's peers when there is one (a team of three has two), else a pair's teammate.
    peers: coop ? [...(plan.mailbox?.peers ?? ['agent2'])] : [],
    mailbox: plan.mailbox ?? null,
    git: null,
    model: plan.session.model,
    modelBaseUrl: plan.session.modelBaseUrl,
    options: plan.session.options,
    recorder: plan.recorder,
    logger: silentLogger,
    signal: plan.signal,
  }
}

/**
 * Runs the agent on the fixture's feature 1 as the harness does: a fresh sandbox, the scripted
 * model playing `setup.script`, a recording recorder; then takes the harness's patch of the
 * sandbox. Solo by default; coop (as `agent1`, peer `agent2`) with `mailbox`. A run that takes
 * longer than `setup.runMs` is aborted and fails the check. Judges nothing else.
 */
export async function runAgentOnFixture(
  setup: AgentCheckSetup,
  options: { setting?: 'solo' | 'coop'; mailbox?: Mailbox | null } = {},
): Promise<AgentRunRecord> {
  const runMs = setup.runMs ?? DEFAULT_RUN_MS
  const session = await openModel(setup, solvingScript(setup))
  let sandbox: Sandbox | undefined
  const controller = new AbortController()
  try {
    sandbox = await newSandbox(setup)
    const recorder = recordingRecorder()
    const context = await fixtureContext(setup, {
      setting: options.setting ?? 'solo',
      sandbox,
      session,
      recorder,
      signal: controller.signal,
      mailbox: options.mailbox ?? null,
    })
    const started = Date.now()
    const outcome = settle(callRun(setup.agent, context))
    try {
      await within(outcome, runMs, `run (on the fixture's feature, ${context.setting})`)
    } catch (error) {
      controller.abort(new Error('the conformance check gave up on this run'))
      throw error
    }
    const settled = await outcome
    const durationMs = Date.now() - started
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
    await sandbox?.terminate().catch(() => {})
    await session.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Identity and preflight

/** `specificationVersion` is `'agent-v1'`, `name` a non-empty string, `run` (and `preflight`, if any) functions. */
export function checkAgentIdentity(agent: Agent): void {
  if (agent.specificationVersion !== 'agent-v1') violation(`specificationVersion: expected 'agent-v1', got ${JSON.stringify(agent.specificationVersion)}`)
  if (typeof agent.name !== 'string' || agent.name.trim() === '') violation(`name: expected a non-empty string, got ${JSON.stringify(agent.name)}`)
  if (typeof agent.run !== 'function') violation(`run: expected a function, got ${typeof agent.run}`)
  if (agent.preflight !== undefined && typeof agent.preflight !== 'function') violation(`preflight: expected a function or nothing, got ${typeof agent.preflight}`)
}

/**
 * `preflight`, when the agent has one, resolves for the configured model and options (the
 * scripted server's URL through `modelOptions`) and makes no model request: it must not spend
 * money. Returns false when the agent has no preflight.
 */
export async function checkPreflight(setup: AgentCheckSetup): Promise<boolean> {
  const { agent } = setup
  if (!agent.preflight) return false
  const session = await openModel(setup, [])
  try {
    try {
      await within(Promise.resolve().then(() => agent.preflight!({ model: session.model, options: session.options })), setup.runMs ?? DEFAULT_RUN_MS, 'preflight')
    } catch (error) {
      if (error instanceof ConformanceViolation) throw error
      violation(`preflight rejected for model ${JSON.stringify(session.model)} and options ${JSON.stringify(session.options)}: ${describeError(error)}`)
    }
    const requests = session.requests()
    if (requests.length > 0) violation(`preflight made ${requests.length} model request(s); it must check the setup without calling the model`)
    return true
  } finally {
    await session.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Results

const NUMBER_FIELDS = ['cost', 'steps', 'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens'] as const

/**
 * `result` is an {@link AgentResult} the harness can record: a non-empty string status; cost,
 * steps and the token counts finite and non-negative; `messages` a JSON-serialisable array;
 * `error` a string or null.
 */
export function checkResultShape(result: unknown, what = 'the result of run'): asserts result is AgentResult {
  if (typeof result !== 'object' || result === null) violation(`${what}: expected an AgentResult object, got ${String(result)}`)
  const record = result as Record<string, unknown>
  if (typeof record['status'] !== 'string' || record['status'] === '') violation(`${what}: status should be a non-empty string, got ${JSON.stringify(record['status'])}`)
  for (const field of NUMBER_FIELDS) {
    const value = record[field]
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      violation(`${what}: ${field} should be a finite, non-negative number, got ${String(value)}`)
    }
  }
  if (!Array.isArray(record['messages'])) violation(`${what}: messages should be an array, got ${typeof record['messages']}`)
  try {
    if (JSON.stringify(record['messages']) === undefined) throw new Error('JSON.stringify returned nothing')
  } catch (error) {
    violation(`${what}: messages are not JSON-serialisable (${describeError(error)})`)
  }
  if (record['error'] !== null && typeof record['error'] !== 'string') violation(`${what}: error should be a string or null, got ${typeof record['error']}`)
}

/** The run resolved (did not reject) with a well-formed result of status `Submitted`. */
export function checkSubmitted(run: AgentRunRecord, what = 'run on the fixture feature'): AgentResult {
  if (!run.result) violation(`${what} rejected: ${describeError(run.rejection)} (the harness records status Error)`)
  checkResultShape(run.result, `${what}: the result`)
  if (run.result.status !== 'Submitted') {
    violation(`${what}: expected status Submitted, got ${run.result.status}${run.result.error ? ` (error: ${run.result.error})` : ''}`)
  }
  return run.result
}

/** The agent saved its trajectory through ctx.recorder at least once, and every save was a JSON-serialisable array. */
export function checkRecorderSaves(recorder: RecordingRecorder): void {
  if (recorder.problems.length > 0) violation(`ctx.recorder.save was given values the harness cannot store: ${recorder.problems.join('; ')}`)
  if (recorder.saves.length === 0) violation('the agent never called ctx.recorder.save or append: the trajectory file would stay empty')
}

/**
 * The harness evaluates `patch` as it evaluates an agent's: in a fresh sandbox, the fixture's
 * hidden tests patch and `patch` are written to `/patches` and `runner.sh tests.patch
 * agent.patch` runs; both fixture tests must pass. Returns the parsed counts.
 */
export async function checkPatchPassesHiddenTests(
  createSandbox: (task: Task) => Promise<Sandbox>,
  fixture: Pick<ConformanceFixture, 'task' | 'testsPatch'>,
  patch: string,
): Promise<{ passed: number; failed: number }> {
  if (patch.trim() === '') violation("the harness's patch of the agent's sandbox is empty: the agent changed nothing in /workspace/repo")
  let sandbox: Sandbox
  try {
    sandbox = await createSandbox(fixture.task)
  } catch (error) {
    throw new Error(`createSandbox failed (a problem of the sandbox backend, not of the agent): ${describeError(error)}`, { cause: error })
  }
  try {
    await sandbox.writeFile(`${SANDBOX_PATCHES_DIR}/tests.patch`, fixture.testsPatch)
    await sandbox.writeFile(`${SANDBOX_PATCHES_DIR}/agent.patch`, patch)
    const run = await sandbox.exec(`bash ${SANDBOX_RUNNER_PATH} tests.patch agent.patch`, { timeoutMs: 120_000 })
    const output = `${run.stdout}\n${run.stderr}`
    const counts = parseTestOutput(output)
    if (run.exitCode !== 0 || counts.passed !== 2 || counts.failed !== 0) {
      violation(
        `the fixture's hidden tests with the agent's patch: expected exit code 0 and 2 passed, 0 failed; got exit code ${run.exitCode}, ` +
          `${counts.passed} passed, ${counts.failed} failed.\nrunner.sh output:\n${preview(output, 2_000)}\nagent patch:\n${preview(patch, 2_000)}`,
      )
    }
    return { passed: counts.passed, failed: counts.failed }
  } finally {
    await sandbox.terminate().catch(() => {})
  }
}

/**
 * The whole solo behaviour: given the fixture feature's spec, the agent (with `setup.script`
 * playing the model) resolves with status `Submitted` and a well-formed result, saved its
 * trajectory (JSON-serialisable) at least once, and the harness's patch of its sandbox makes the
 * hidden tests pass through `runner.sh`.
 */
export async function checkSolvesFixture(setup: AgentCheckSetup): Promise<AgentRunRecord> {
  const run = await runAgentOnFixture(setup)
  checkSubmitted(run)
  checkRecorderSaves(run.recorder)
  await checkPatchPassesHiddenTests(setup.createSandbox, setup.fixture, run.patch)
  return run
}

// ---------------------------------------------------------------------------------------------
// Abort

/** What an abort check saw. */
export interface AbortOutcome {
  /** Commands the agent started before the abort (each slowed down by a long `sleep`). */
  commandsBeforeAbort: number
  /** How long `run` took to settle after the abort, in ms. */
  settledInMs: number
  /** The status `run` resolved with, or `'rejected'`. */
  outcome: string
}

/** One command of the agent's that the abort check slowed down. */
interface SlowedCommand {
  command: string
  /** How it ended before the abort, when it did (it should have slept 30 s). */
  endedEarly: string | null
}

/**
 * The agent's sandbox for the abort checks: until `signal` aborts, every command first creates
 * `started`, then sleeps for 30 s (a unique, recognisable command line), all under the agent's
 * own exec options, so the abort finds the agent in the middle of a command. Afterwards commands
 * run unchanged, so the agent's own cleanup is not slowed.
 */
function slowedSandbox(
  sandbox: Sandbox,
  slow: { marker: string; started: string; signal: AbortSignal },
  onCommand: (command: SlowedCommand, done: Promise<unknown>) => void,
): Sandbox {
  const prefix = `: > ${slow.started}; sleep ${slow.marker}`
  return {
    id: sandbox.id,
    exec(command, options) {
      if (slow.signal.aborted) return sandbox.exec(command, options)
      const slowed = typeof command === 'string' ? `${prefix}\n${command}` : ['bash', '-c', `${prefix}; exec "$@"`, 'bash', ...command]
      const running = sandbox.exec(slowed, options)
      onCommand({ command: typeof command === 'string' ? command : JSON.stringify(command), endedEarly: null }, running)
      return running
    },
    writeFile: (path, data) => sandbox.writeFile(path, data),
    readFile: (path) => sandbox.readFile(path),
    terminate: () => sandbox.terminate(),
    ...(sandbox.exposePort ? { exposePort: (port: number) => sandbox.exposePort!(port) } : {}),
  }
}

/** Command lines containing `marker`, seen inside the sandbox or on this machine. */
async function runningWith(sandbox: Sandbox, marker: string): Promise<string[]> {
  const found = leftoverProcesses(await hostProcessListing(), marker)
  try {
    const listing = await sandbox.exec(PROCESS_LISTING_SCRIPT, { timeoutMs: 10_000 })
    found.push(...leftoverProcesses(listing.stdout, marker))
  } catch {
    // the sandbox may refuse commands now; the host's view is what is left
  }
  return found
}

/**
 * Aborting ctx.signal shortly after the start, while the agent's first command runs, makes
 * `run` settle within `setup.settleMs` (default 5 s): rejecting, or resolving with a status other
 * than `Submitted`; and no command the agent started is still running afterwards (in the
 * sandbox or on this machine). `reason: 'interrupt'` aborts like Ctrl+C does (an `AbortError`);
 * `'wall-clock'` like the harness's time limit (`AbortSignal.timeout`'s `TimeoutError`).
 *
 * Every command the agent starts before the abort is slowed down by a 30 s `sleep`; the abort
 * comes once the first one is seen running (or, should it end on its own, at once). An agent that
 * runs no command is aborted 3 s after the start.
 */
export async function checkAbort(setup: AgentCheckSetup, options: { reason?: 'interrupt' | 'wall-clock' } = {}): Promise<AbortOutcome> {
  const settleMs = setup.settleMs ?? DEFAULT_SETTLE_MS
  const reason = options.reason ?? 'interrupt'
  const session = await openModel(setup, solvingScript(setup))
  let real: Sandbox | undefined
  const controller = new AbortController()
  const timers: Array<ReturnType<typeof setTimeout>> = []
  try {
    real = await newSandbox(setup)
    const inner = real
    const marker = `30.${randomInt(100_000_000, 999_999_999)}`
    const started = `/tmp/cooperbench-conformance-${randomBytes(6).toString('hex')}.started`
    const slowed: SlowedCommand[] = []
    let abortedAt = 0
    let abortFired!: () => void
    const fired = new Promise<void>((resolve) => (abortFired = resolve))
    const abort = () => {
      if (controller.signal.aborted) return
      abortedAt = Date.now()
      controller.abort(reason === 'interrupt' ? undefined : new DOMException('The operation was aborted due to timeout', 'TimeoutError'))
      abortFired()
    }
    /** Aborts once the first slowed command is really running (the sandbox has started it), or after 10 s. */
    const abortWhenRunning = async () => {
      const deadline = Date.now() + 10_000
      while (!controller.signal.aborted && Date.now() < deadline) {
        if (await inner.readFile(started).then(() => true, () => false)) {
          await sleep(ABORT_AFTER_COMMAND_MS)
          break
        }
        await sleep(50)
      }
      abort()
    }
    const sandbox = slowedSandbox(inner, { marker, started, signal: controller.signal }, (command, done) => {
      slowed.push(command)
      // A slowed command that ends before the abort ended on its own (the sandbox failed it): abort
      // at once, so that the agent's next commands (its cleanup) are not slowed down too.
      done.then(
        (result) => {
          if (controller.signal.aborted) return
          const r = result as { exitCode: number; durationMs: number; stderr: string }
          command.endedEarly = `exit code ${r.exitCode} after ${r.durationMs} ms${r.stderr ? `: ${preview(r.stderr, 200)}` : ''}`
          abort()
        },
        (error: unknown) => {
          if (controller.signal.aborted) return
          command.endedEarly = `rejected: ${describeError(error)}`
          abort()
        },
      )
      if (slowed.length === 1) void abortWhenRunning()
    })
    const context = await fixtureContext(setup, { setting: 'solo', sandbox, session, recorder: recordingRecorder(), signal: controller.signal })
    const outcome = settle(callRun(setup.agent, context))
    timers.push(setTimeout(abort, ABORT_FALLBACK_MS))
    const notes = (early = slowed.filter((c) => c.endedEarly !== null)) =>
      `${slowed.length} command(s) started before the abort` +
      (early.length > 0 ? `; note: ${early.map((c) => `\`${preview(c.command, 80)}\` ended on its own (${c.endedEarly})`).join('; ')}` : '')

    const first = await Promise.race([outcome.then(() => 'settled' as const), fired.then(() => 'aborted' as const)])
    if (first === 'settled' && !controller.signal.aborted) {
      const result = await outcome
      violation(
        `run settled before the check could abort it (${notes()}): ` +
          `${result.ok ? `status ${result.value.status}${result.value.error ? ` (error: ${result.value.error})` : ''}` : `rejected: ${describeError(result.error)}`}`,
      )
    }
    const what = () => `run after ctx.signal was aborted (${reason === 'interrupt' ? 'interrupted' : 'wall-clock limit'}; ${notes()})`
    const settled = await within(outcome, settleMs, what())
    const settledInMs = Date.now() - abortedAt
    if (settled.ok) {
      checkResultShape(settled.value, `${what()}: the result`)
      if (settled.value.status === 'Submitted') violation(`${what()}: resolved with status Submitted; an aborted run must reject or end with another status`)
    }
    // The sandbox's kill may take a moment to be visible: wait up to settleMs for the commands to go.
    const deadline = Date.now() + settleMs
    for (;;) {
      const left = await runningWith(inner, marker)
      if (left.length === 0) break
      if (Date.now() > deadline) {
        violation(`${what()}: commands the agent started are still running ${settleMs} ms after run settled: ${left.join(' / ')} (pass ctx.signal to sandbox.exec)`)
      }
      await sleep(200)
    }
    return { commandsBeforeAbort: slowed.length, settledInMs, outcome: settled.ok ? settled.value.status : 'rejected' }
  } finally {
    for (const timer of timers) clearTimeout(timer)
    controller.abort()
    await real?.terminate().catch(() => {})
    await session.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * A sandbox whose `exec` always throws (writeFile and readFile still work) makes `run` reject (the
 * harness records status `Error`) or resolve with status `Error`, within 20 s: it never hangs and
 * never claims `Submitted`. Returns how many commands the agent tried and what run did.
 */
export async function checkExecFailureContained(setup: AgentCheckSetup, options: { withinMs?: number } = {}): Promise<{ attempts: number; outcome: string }> {
  const withinMs = options.withinMs ?? EXEC_FAILURE_BOUND_MS
  const session = await openModel(setup, solvingScript(setup))
  let real: Sandbox | undefined
  const controller = new AbortController()
  try {
    real = await newSandbox(setup)
    const inner = real
    let attempts = 0
    const broken: Sandbox = {
      id: inner.id,
      exec: async () => {
        attempts += 1
        throw new Error('conformance: this sandbox fails every command on purpose')
      },
      writeFile: (path, data) => inner.writeFile(path, data),
      readFile: (path) => inner.readFile(path),
      terminate: () => inner.terminate(),
    }
    const context = await fixtureContext(setup, { setting: 'solo', sandbox: broken, session, recorder: recordingRecorder(), signal: controller.signal })
    const what = `run with a sandbox whose exec always throws (${withinMs} ms allowed)`
    let settled: Settled<AgentResult>
    try {
      settled = await within(settle(callRun(setup.agent, context)), withinMs, what)
    } catch (error) {
      controller.abort(new Error('the conformance check gave up on this run'))
      throw error
    }
    if (settled.ok) {
      checkResultShape(settled.value, `${what}: the result`)
      if (settled.value.status !== 'Error') violation(`${what}: resolved with status ${settled.value.status}; expected a rejection or status Error (${attempts} exec call(s) failed)`)
    }
    return { attempts, outcome: settled.ok ? settled.value.status : 'rejected' }
  } finally {
    controller.abort()
    await real?.terminate().catch(() => {})
    await session.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Coop and messaging

/** What a coop check saw. */
export interface CoopOutcome {
  run: AgentRunRecord
  /** The message agent2 sent before the agent started. */
  message: { id: string; content: string }
  /** Its delivery state after the run: `read` when the agent drained its inbox. */
  deliveryState: string | null
  /** Every teammate's message and its delivery state (one per peer; agent2's first). */
  messages: Array<{ from: string; id: string; content: string; deliveryState: string | null }>
}

/**
 * The agent runs as `agent1` in coop (peer `agent2`, a {@link MemoryBus} mailbox) after agent2
 * queued a message for it. Always: a mailbox being present does not make `run` throw, and the
 * agent still submits. With `expectMessage` (agents that message): the agent received the
 * message (its delivery state became `read`) and passed it on: the scripted model's requests
 * contain `[Message from agent2]: <content>`, or, for an agent without a model, its trajectory
 * contains the content.
 */
export async function checkCoopWithMailbox(setup: AgentCheckSetup, options: { expectMessage?: boolean; teamSize?: number } = {}): Promise<CoopOutcome> {
  const bus = new MemoryBus()
  const namespace = `run:conformance-${randomBytes(6).toString('hex')}`
  const team = Array.from({ length: Math.max(2, options.teamSize ?? 2) }, (_, i) => `agent${i + 1}`)
  const mailbox = await bus.open(namespace, 'agent1', team.slice(1))
  const peers = await Promise.all(team.slice(1).map((id) => bus.open(namespace, id, team.filter((other) => other !== id))))
  const peer = peers[0]!
  try {
    const sends = await Promise.all(
      peers.map(async (p) => {
        const content = `Hello agent1, this is ${p.agentId}: I will not touch calc.py (conformance ${randomBytes(4).toString('hex')}).`
        return { from: p.agentId, content, sent: await p.send('agent1', content) }
      }),
    )
    const { content, sent } = sends[0]!
    let run: AgentRunRecord
    try {
      run = await runAgentOnFixture(setup, { setting: 'coop', mailbox })
    } finally {
      await mailbox.finish()
      await mailbox.close()
    }
    checkSubmitted(run, 'run in coop with a mailbox')
    const messages = await Promise.all(
      sends.map(async (s, i) => ({ from: s.from, id: s.sent.message.id, content: s.content, deliveryState: await peers[i]!.deliveryState(s.sent.message.id) })),
    )
    if (options.expectMessage) {
      for (const message of messages) {
        if (message.deliveryState !== 'read') {
          violation(`the message ${message.from} queued before the start was never received (delivery state ${String(message.deliveryState)}): the agent should drain ctx.mailbox`)
        }
        const expected = `[Message from ${message.from}]: ${message.content}`
        if (setup.script) {
          const seen = run.requests.some((request) => requestTexts(request.body).some((text) => text.includes(expected)))
          if (!seen) {
            violation(`no request to the model contains ${JSON.stringify(expected)} (${run.requests.length} request(s)): the agent received the message but did not show it to its model`)
          }
        } else {
          const trajectory = JSON.stringify([run.result?.messages ?? [], run.recorder.saves])
          if (!trajectory.includes(message.content)) violation(`the trajectory does not mention the message ${message.from} sent (${JSON.stringify(message.content)})`)
        }
      }
    }
    return { run, message: { id: sent.message.id, content }, deliveryState: messages[0]!.deliveryState, messages }
  } finally {
    for (const p of peers) await p.close().catch(() => {})
    await bus.clear(namespace).catch(() => {})
    await bus.close().catch(() => {})
  }
}

/**
 * Every text of a model request's messages: string contents and text parts, also nested ones
 * (Anthropic tool results) and the Responses API's `input` items.
 */
function requestTexts(body: ChatCompletionRequestBody): string[] {
  const texts: string[] = []
  const walk = (content: unknown): void => {
    if (typeof content === 'string') texts.push(content)
    else if (Array.isArray(content)) {
      for (const part of content as Array<{ text?: unknown; content?: unknown }>) {
        if (typeof part?.text === 'string') texts.push(part.text)
        if (part?.content !== undefined) walk(part.content)
      }
    }
  }
  const record = body as { messages?: unknown; input?: unknown }
  walk(record.messages)
  walk(record.input)
  return texts
}

// ---------------------------------------------------------------------------------------------
// The suite

/**
 * Defines a vitest suite, `agent conformance: <name>`, that checks an {@link Agent} against what
 * the harness relies on (`Agent`, `AgentRunContext` and `AgentResult` in `@cooperbench/core`;
 * `runAgentJob`, which creates the sandbox, calls `run`, turns a rejection into status `Error`
 * and takes the patch itself). Call it at the top level of a vitest test file:
 *
 * ```ts
 * import { applyPatchCommand, describeAgentConformance, finalTurn, toolCall } from '@cooperbench/testkit'
 *
 * describeAgentConformance('my-agent', {
 *   createAgent: () => new MyAgent(),
 *   createSandbox: (task) => backend.createSandbox({ task, image: 'unused', role: 'solo', labels: {} }),
 *   model: 'openai/scripted-model',
 *   modelOptions: (url) => ({ model_base_url: url }),
 *   script: ({ goldPatch }) => [toolCall(applyPatchCommand(goldPatch)), finalTurn()],
 *   messaging: true,
 * })
 * ```
 *
 * It builds the conformance fixture task (`createConformanceFixture`: a tiny Python repository,
 * one feature adding `sub`, hidden tests run by `runner.sh`), creates the agent once, and for
 * every run starts a fresh scripted OpenAI-compatible server playing `script` (when given) and
 * a fresh sandbox from `createSandbox`. Behaviours, one test each: identity
 * (`specificationVersion`, `name`); `preflight` (resolves, no model request); solo on the fixture
 * feature (status `Submitted`; a well-formed result; the trajectory saved through `ctx.recorder`,
 * JSON-serialisable; the harness's patch passes the hidden tests through `runner.sh` in a fresh
 * sandbox); abort mid-command, as Ctrl+C and as the wall-clock limit (settles within
 * `settleMs`, not `Submitted`, no command left running); a sandbox whose `exec` always throws
 * (reject or status `Error`, bounded); coop with a mailbox (no throw, still submits) and, with
 * `messaging`, a message from `agent2` queued before the start reaching the agent (and its
 * model).
 *
 * Each behaviour is also exported as a function (`checkSolvesFixture(setup)` and so on) that
 * throws a `ConformanceViolation` on a breach, for use outside this suite.
 */
export function describeAgentConformance(name: string, options: AgentConformanceOptions): void {
  const title = `agent conformance: ${name}`
  if (options.skip) {
    skippedSuite(title, options.skip)
    return
  }

  const timeout = options.timeoutMs ?? 60_000
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS
  let fixture: ConformanceFixture | undefined
  let agent: Agent | undefined

  const setup = (): AgentCheckSetup => {
    if (!fixture || !agent) throw new Error(`${title}: the suite's setup failed (see the beforeAll error)`)
    return {
      agent,
      fixture,
      createSandbox: options.createSandbox,
      ...(options.model === undefined ? {} : { model: options.model }),
      ...(options.modelOptions ? { modelOptions: options.modelOptions } : {}),
      ...(options.options ? { options: options.options } : {}),
      ...(options.script ? { script: options.script } : {}),
      ...(options.wire ? { wire: options.wire } : {}),
      settleMs,
      runMs: Math.max(10_000, timeout - 15_000),
    }
  }
  let solo: Promise<AgentRunRecord> | undefined
  /** The solo run several tests judge, made once. */
  const soloRun = (): Promise<AgentRunRecord> => (solo ??= runAgentOnFixture(setup()))

  describe(title, { timeout }, () => {
    beforeAll(async () => {
      fixture = await createConformanceFixture()
      agent = await options.createAgent()
    }, Math.max(timeout, 60_000))

    afterAll(async () => {
      await solo?.catch(() => {})
      await fixture?.cleanup()
    })

    describe('identity', () => {
      it("specificationVersion is 'agent-v1'", () => {
        const { agent } = setup()
        if (agent.specificationVersion !== 'agent-v1') violation(`expected 'agent-v1', got ${JSON.stringify(agent.specificationVersion)}`)
      })

      it('has a non-empty name, a run method and, if any, a preflight method', () => {
        checkAgentIdentity(setup().agent)
      })
    })

    describe('preflight', () => {
      it('resolves for the configured model and options, without calling the model', async ({ skip }) => {
        if (!setup().agent.preflight) skip('the agent has no preflight')
        await checkPreflight(setup())
      })
    })

    describe('solo run on the fixture feature', () => {
      it('resolves with status Submitted', async () => {
        checkSubmitted(await soloRun())
      })

      it('returns finite, non-negative numbers, an array of JSON-serialisable messages and a string-or-null error', async () => {
        const run = await soloRun()
        if (!run.result) violation(`run rejected: ${describeError(run.rejection)}`)
        checkResultShape(run.result)
      })

      it('saves its trajectory through ctx.recorder at least once, always JSON-serialisable', async () => {
        checkRecorderSaves((await soloRun()).recorder)
      })

      it("the harness's patch of its working tree passes the fixture's hidden tests through runner.sh", async () => {
        const { createSandbox, fixture } = setup()
        await checkPatchPassesHiddenTests(createSandbox, fixture, (await soloRun()).patch)
      })
    })

    describe('abort', () => {
      it(`aborting ctx.signal mid-command (Ctrl+C) settles run within ${settleMs} ms, not Submitted, with no command left running`, async () => {
        await checkAbort(setup(), { reason: 'interrupt' })
      })

      it(`the wall-clock limit firing ctx.signal (a TimeoutError) settles run within ${settleMs} ms, not Submitted, with no command left running`, async () => {
        await checkAbort(setup(), { reason: 'wall-clock' })
      })
    })

    describe('errors stay inside', () => {
      it('a sandbox whose exec always throws makes run reject or resolve with status Error, without hanging', async () => {
        await checkExecFailureContained(setup())
      })
    })

    describe('coop', () => {
      it('a mailbox in ctx does not make run throw: the agent still submits', async () => {
        await checkCoopWithMailbox(setup(), { expectMessage: false })
      })

      if (options.messaging) {
        it('a message agent2 queued before the start reaches the agent (and its model as [Message from agent2]: …)', async () => {
          await checkCoopWithMailbox(setup(), { expectMessage: true })
        })

        it('in a team of three, the messages of agent2 and agent3 both reach the agent, which sees both teammates', async () => {
          await checkCoopWithMailbox(setup(), { expectMessage: true, teamSize: 3 })
        })
      }
    })
  })
}
