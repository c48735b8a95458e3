import { type Agent, type AgentResult, SANDBOX_PATCHES_DIR, SANDBOX_RUNNER_PATH, type Sandbox, type Task } from '@cooperbench/core'
import { parseTestOutput } from '@cooperbench/evaluator-default'
import { ConformanceViolation } from './checks.js'
import type { ConformanceFixture } from './fixture.js'
import {
  type AgentCheckSetup,
  type RecordingRecorder,
  type AgentRunRecord,
  DEFAULT_RUN_MS,
  violation,
  describeError,
  preview,
  within,
  openModel,
  runAgentOnFixture,
  conformanceLimits,
} from './agent-run.js'

// Identity and preflight

/** `specificationVersion` is `'agent-v1'`, `name` a non-empty string, `run` (and `preflight`, if any) functions. */
export function checkAgentIdentity(agent: Agent): void {
  if (agent.specificationVersion !== 'agent-v1') violation(`specificationVersion: expected 'agent-v1', got ${JSON.stringify(agent.specificationVersion)}`)
  if (typeof agent.name !== 'string' || agent.name.trim() === '') violation(`name: expected a non-empty string, got ${JSON.stringify(agent.name)}`)
  if (typeof agent.run !== 'function') violation(`run: expected a function, got ${typeof agent.run}`)
  if (agent.preflight !== undefined && typeof agent.preflight !== 'function')
    violation(`preflight: expected a function or nothing, got ${typeof agent.preflight}`)
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
      await within(
        Promise.resolve().then(() => agent.preflight!({ model: session.model, options: session.options, limits: conformanceLimits(setup) })),
        setup.runMs ?? DEFAULT_RUN_MS,
        'preflight',
      )
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
  if (typeof record['status'] !== 'string' || record['status'] === '')
    violation(`${what}: status should be a non-empty string, got ${JSON.stringify(record['status'])}`)
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
