import { basename } from 'node:path'
import type { EvalInput, EvaluationPolicy, Evaluator, EvalRecord, FeatureEvalRecord } from '@cooperbench/spec'
import {
  type EvaluationJob,
  markerPlaceholder,
  type ScriptedStep,
  SANDBOX_PATCHES_DIR,
  type Sandbox,
  errorMessage,
  DEFAULT_EVALUATION_POLICY,
} from '@cooperbench/spec'
import { isTestRunPassed, parseTestOutput } from '../parsers/index.js'
import { abortError, throwIfAborted } from './abort.js'
import { loadTestsPatches, prepareAgentPatch, testsPatchPaths, type PreparedPatch } from './inputs.js'
import {
  type CoopOutcome,
  type EvalRecordContext,
  type EvalRecordExtras,
  evalErrorRecord,
  evalSuccessRecord,
  featureEvalRecord,
  isoNow,
} from '@cooperbench/spec-utils/records'
import { setupDetail } from './markers.js'
import { agentBranch, buildCoopSetupScript, buildSoloSetupScript, PATCH_FILES, testsIndexOf } from './setup-script.js'
import { SETUP_DONE_MARKER, parseSetupReport, setupPreambleProblem, type SetupReport } from './setup-report.js'
import { MERGED_HEAD_BYTES, buildFeatureTestScript, type FeatureTestScriptSpec } from './shell.js'

/** The error text of a union merge that still conflicts (docs/reference-compatibility.md#evaluation). */
export const UNION_FAILED_ERROR = 'Both naive and union merge strategies failed. Naive: conflicts. Union: Union merge still has conflicts'

/** Branch setup and merging are git-only; this bounds a hung command, not a normal run. */
const SETUP_TIMEOUT_MS = 10 * 60_000

/**
 * The reference's evaluation (docs/reference-compatibility.md#evaluation): per-agent branches from the base, a naive merge with a
 * union fallback, then each feature's hidden tests on the merged tree (coop) or on the one patch (solo). Infrastructure problems
 * become an error record; only an aborted `signal` rejects (`AbortError`). One sandbox, always terminated: one `exec` for the
 * setup, one per feature, some in sandboxes of their own when the input grants idle cores (`testRunSlots`).
 */
export function createDefaultEvaluator(): Evaluator {
  return {
    specificationVersion: 'evaluator-v1',
    name: 'default',
    evaluate: (input, signal) => evaluatePair(input, signal),
    plan: (input) => planEvaluation(input),
  }
}

/** A known failure whose message becomes the record's `error` (and, when known, whose defect it is). */
class EvalFailure extends Error {
  constructor(
    message: string,
    readonly cause_?: EvalRecord['error_cause'],
  ) {
    super(message)
  }
}

/** Milliseconds per phase, for the additive `timings` key. */
class PhaseClock {
  private readonly started = Date.now()
  private last = this.started
  readonly timings: Record<string, number> = {}

  mark(phase: string): void {
    const now = Date.now()
    this.timings[phase] = now - this.last
    this.last = now
  }

  /** A phase timed by its caller (test runs that overlap). */
  record(phase: string, ms: number): void {
    this.timings[phase] = ms
  }

  finish(): Record<string, number> {
    return { ...this.timings, total: Date.now() - this.started }
  }
}

/** The checks and files every evaluation starts with, or the record of a pair that fails them. */
type Prepared = { failed: EvalRecord } | Started
type Started = { features: number[]; ctx: EvalRecordContext; extras: EvalRecordExtras; clock: PhaseClock; prepared: PreparedFiles; policy: EvaluationPolicy }

async function prepareEvaluation(input: Omit<EvalInput, 'createSandbox'>): Promise<Prepared> {
  const clock = new PhaseClock()
  const features = [...input.features].sort((a, b) => a - b)
  const ctx: EvalRecordContext = {
    repo: input.task.repo,
    task_id: input.task.taskId,
    features,
    setting: input.setting,
    merged: input.patches.rule === 'merge',
  }
  const extras: EvalRecordExtras = { policy: input.policy ?? DEFAULT_EVALUATION_POLICY }
  const failed = (message: string) => ({ failed: evalErrorRecord(ctx, message, isoNow(), { ...extras, timings: clock.finish() }) })

  if (features.length < 2) {
    return failed(`A pair has at least two features; got [${features.join(', ')}]`)
  }
  if (input.patches.rule === 'merge' && input.patches.agents.length !== features.length) {
    return failed(`A pair of ${features.length} features needs ${features.length} agent patches; got ${input.patches.agents.length}`)
  }
  let prepared: PreparedFiles
  try {
    const tests = await loadTestsPatches(input.task, features)
    if ('error' in tests) return failed(tests.error)
    prepared = prepareFiles(
      input.patches,
      tests.patches.map((t) => t.bytes),
      testsPatchPaths(tests.patches),
    )
  } catch (error) {
    return failed(errorMessage(error))
  }
  extras.patch_filter = prepared.patchFilter
  clock.mark('prepare')
  return { features, ctx, extras, clock, prepared, policy: extras.policy! }
}

/** The same evaluation as a scripted job: the patch files, the setup, each feature's test run once it finished, the merged patch's head. */
async function planEvaluation(input: Omit<EvalInput, 'createSandbox'>): Promise<{ job: EvaluationJob } | { record: EvalRecord }> {
  const start = await prepareEvaluation(input)
  if ('failed' in start) return { record: start.failed }
  const { prepared, features, policy } = start
  const base = markerPlaceholder('base')
  const merged = input.patches.rule === 'merge'
  const testedPatch = merged ? PATCH_FILES.merged : prepared.single
  const steps: ScriptedStep[] = [{ script: setupScript(merged, prepared, policy), timeoutMs: SETUP_TIMEOUT_MS }]
  features.forEach((_, index) => {
    const script = buildFeatureTestScript({ base, testsPatch: PATCH_FILES.tests(index + 1), featurePatch: testedPatch })
    steps.push({ script, timeoutMs: input.testTimeoutMs, when: SETUP_DONE_MARKER })
  })
  return {
    job: {
      files: new Map([...prepared.files].map(([name, bytes]) => [`${SANDBOX_PATCHES_DIR}/${name}`, bytes])),
      steps,
      keep: merged ? [{ path: `${SANDBOX_PATCHES_DIR}/${PATCH_FILES.merged}`, bytes: MERGED_HEAD_BYTES }] : [],
    },
  }
}

async function evaluatePair(input: EvalInput, signal?: AbortSignal): Promise<EvalRecord> {
  throwIfAborted(signal)
  const start = await prepareEvaluation(input)
  if ('failed' in start) return start.failed
  const { features, ctx, extras, clock, prepared } = start

  let sandbox: Sandbox | undefined
  let record: EvalRecord
  let lanes: ExtraTestLanes | undefined
  try {
    sandbox = await input.createSandbox()
    clock.mark('sandbox')
    throwIfAborted(signal)
    await writePatchFiles(sandbox, prepared.files)
    clock.mark('write')

    const merged = input.patches.rule === 'merge'
    const setupRun = await runSetup(sandbox, merged, start, input.task.source.baseCommit, signal)
    const setup = merged ? await coopSetup(sandbox, prepared, start.policy, setupRun) : soloSetup(prepared, setupRun)
    clock.mark('setup')

    const testedPatch = merged ? PATCH_FILES.merged : prepared.single
    const runFeature = async (where: Sandbox, index: number): Promise<FeatureEvalRecord> => {
      const started = Date.now()
      const featureId = features[index]!
      const run =
        setup.testedPatchSize === 0
          ? emptyPatchRun(featureId, setup.fallback === 'none' ? LEAD_DID_NOT_APPLY : `${testedPatch} is empty`)
          : await runFeatureTests(where, {
              base: setup.base,
              featureId,
              testsPatch: PATCH_FILES.tests(index + 1),
              featurePatch: testedPatch,
              timeoutMs: input.testTimeoutMs,
              signal,
            })
      clock.record(`feature${index + 1}`, Date.now() - started)
      return run
    }
    // Each sandbox takes the next free feature; the main one at once, extra ones (idle cores only) once tests ran as long as a
    // sandbox took to create: shorter tests finish sooner in the main sandbox alone.
    const results: FeatureEvalRecord[] = []
    const queue = features.map((_, index) => index)
    const work = async (where: Sandbox): Promise<void> => {
      for (let index = queue.shift(); index !== undefined; index = queue.shift()) results[index] = await runFeature(where, index)
    }
    const main = sandbox
    if (setup.testedPatchSize !== 0) {
      const testsPatches = new Map(features.map((_, index) => [PATCH_FILES.tests(index + 1), prepared.files.get(PATCH_FILES.tests(index + 1))!]))
      lanes = new ExtraTestLanes(input, () => queue.length)
      // As long as the main sandbox took to create: what a lane would cost before it could run anything.
      lanes.startAfter(clock.timings.sandbox!, () => main.readFile(`${SANDBOX_PATCHES_DIR}/${testedPatch}`), testedPatch, testsPatches, work)
    }
    await work(main)
    await lanes?.finished()
    clock.mark('tests')
    const verdict = setup.fallback === null ? { coop: setup.coop, results } : leadAloneVerdict(setup.coop!, results)
    record = evalSuccessRecord(ctx, verdict.coop, verdict.results, isoNow(), { ...extras, timings: clock.timings })
  } catch (error) {
    if (signal?.aborted === true) throw abortError(signal)
    const cause = error instanceof EvalFailure ? error.cause_ : undefined
    record = evalErrorRecord(ctx, errorMessage(error), isoNow(), { ...extras, timings: clock.finish(), error_cause: cause })
  } finally {
    await lanes?.close()
    if (sandbox !== undefined) {
      await sandbox.terminate().catch(() => undefined)
      clock.mark('remove')
    }
  }
  record.timings = clock.finish()
  return record
}

/**
 * One evaluation's extra sandboxes, one per test-run slot granted, each staged with the main setup's tested patch and every tests
 * patch. A lane that cannot be created or staged is dropped (its feature stays queued for the main sandbox).
 */
class ExtraTestLanes {
  private readonly releases: Array<() => void> = []
  private readonly lanes: Array<Promise<Sandbox | null>> = []
  /** The lanes' work on features they took. */
  private readonly taken = new Set<Promise<void>>()
  private timer: ReturnType<typeof setTimeout> | undefined
  private closed = false

  constructor(
    private readonly input: EvalInput,
    /** How many features no sandbox has taken yet. */
    private readonly waiting: () => number,
  ) {}

  /** After `delayMs`, takes idle slots (one per waiting feature at most) and stages a lane each, which then works the queue. */
  startAfter(
    delayMs: number,
    readTested: () => Promise<Uint8Array>,
    testedPatch: string,
    testsPatches: ReadonlyMap<string, Uint8Array>,
    work: (lane: Sandbox) => Promise<void>,
  ): void {
    this.timer = setTimeout(() => {
      for (let i = 0; i < this.waiting(); i++) {
        const release = this.input.testRunSlots?.tryAcquire() ?? null
        if (release === null) break
        this.releases.push(release)
      }
      if (this.releases.length === 0) return
      const tested = readTested()
      // Each lane that gets a sandbox awaits it; one read that fails fails only the lanes.
      tested.catch(() => undefined)
      for (const _ of this.releases) {
        const lane = this.stage(tested, testedPatch, testsPatches)
        this.lanes.push(lane)
        void lane.then((ready) => {
          // Staged after the queue emptied (the main sandbox was quicker): nothing to run.
          if (ready === null || this.closed || this.waiting() === 0) return
          const working = work(ready)
          // Awaited by `finished`; a lane terminated under an evaluation that already failed is not news.
          working.catch(() => undefined)
          this.taken.add(working)
        })
      }
    }, delayMs)
  }

  private async stage(tested: Promise<Uint8Array>, testedPatch: string, testsPatches: ReadonlyMap<string, Uint8Array>): Promise<Sandbox | null> {
    let lane: Sandbox
    try {
      lane = await this.input.createSandbox()
    } catch {
      return null
    }
    try {
      await writePatchFiles(lane, new Map([[testedPatch, await tested], ...testsPatches]))
      return lane
    } catch {
      await lane.terminate().catch(() => undefined)
      return null
    }
  }

  /** Once the queue is empty: resolves when the lanes' features are done (rejects as their runs do). */
  async finished(): Promise<void> {
    clearTimeout(this.timer)
    this.closed = true
    await Promise.all(this.taken)
  }

  /** Terminates every lane (those still being created once they exist) and gives their slots back. */
  async close(): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    await Promise.all(this.lanes.map(async (lane) => (await lane)?.terminate().catch(() => undefined)))
    for (const release of this.releases) release()
  }
}

interface PreparedFiles {
  /** File name in `/patches` → exact bytes. */
  files: Map<string, Uint8Array>
  patchFilter: Record<string, string[]>
  /** Coop: per agent, whether a quote-repaired variant was written. */
  repaired: boolean[]
  soloRepaired: boolean
  /** The patch tested against every feature, as staged (`solo.patch`, or the judged file's name); under the merge rule the merged one's. */
  single: string
}

function prepareFiles(patches: EvalInput['patches'], tests: Uint8Array[], protectedPaths: Set<string>): PreparedFiles {
  const files = new Map<string, Uint8Array>()
  const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'))
  const add = (name: string, p: PreparedPatch, repairedName: string): boolean => {
    files.set(name, utf8(p.patch))
    if (p.repaired !== null) files.set(repairedName, utf8(p.repaired))
    return p.repaired !== null
  }
  let result: PreparedFiles
  if (patches.rule === 'merge') {
    const agents = patches.agents.map((patch) => prepareAgentPatch(patch, protectedPaths))
    result = {
      files,
      patchFilter: Object.fromEntries(agents.map((agent, i) => [agentBranch(i + 1), agent.dropped])),
      repaired: agents.map((agent, i) => add(PATCH_FILES.agent(i + 1), agent, PATCH_FILES.agentRepaired(i + 1))),
      soloRepaired: false,
      single: PATCH_FILES.merged,
    }
  } else {
    const solo = prepareAgentPatch(patches.patch, protectedPaths)
    const single = basename(patches.file ?? PATCH_FILES.solo)
    result = { files, patchFilter: { solo: solo.dropped }, repaired: [], soloRepaired: add(single, solo, PATCH_FILES.repaired(single)), single }
  }
  // Tests patches go in byte-exact, as shipped.
  tests.forEach((bytes, i) => files.set(PATCH_FILES.tests(i + 1), bytes))
  return result
}

/** Stages the patch files in `/patches`: in one transfer where the sandbox offers it, else file by file. */
async function writePatchFiles(sandbox: Sandbox, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  if (sandbox.writeFiles) {
    const inPatches = new Map([...files].map(([name, bytes]) => [`${SANDBOX_PATCHES_DIR}/${name}`, bytes]))
    try {
      await sandbox.writeFiles(inPatches)
    } catch (error) {
      throw new EvalFailure(`Failed to write ${[...files.keys()].join(', ')}: ${errorMessage(error)}`)
    }
    return
  }
  await Promise.all(
    [...files].map(async ([name, bytes]) => {
      try {
        await sandbox.writeFile(`${SANDBOX_PATCHES_DIR}/${name}`, bytes)
      } catch (error) {
        throw new EvalFailure(`Failed to write ${name}: ${errorMessage(error)}`)
      }
    }),
  )
}

interface SetupOutcome {
  base: string
  /** Size of the patch the runner is given (merged.patch or solo.patch); 0 short-circuits the tests. */
  testedPatchSize: number
  coop: CoopOutcome | null
  /** cooperbench-0.0.16: the merge failed, and merged.patch is agent1's patch (`agent1`) or empty (`none`). */
  fallback: 'agent1' | 'none' | null
}

/** The note of a feature that fails because agent1's patch did not apply after the merge failed (cooperbench-0.0.16). */
const LEAD_DID_NOT_APPLY = "the merge failed and agent1's patch did not apply: under cooperbench-0.0.16 nothing else is tested"

/**
 * cooperbench-0.0.16's lead-alone rule (upstream `test_merged`): agent1's patch, tested as the merge failed, counts (`solo-agent1`)
 * only if it passes every feature; else every feature fails, its run kept behind a note.
 */
function leadAloneVerdict(coop: CoopOutcome, results: FeatureEvalRecord[]): { coop: CoopOutcome; results: FeatureEvalRecord[] } {
  if (results.length > 0 && results.every((r) => r.passed)) return { coop: { ...coop, merge: { ...coop.merge, strategy: 'solo-agent1' } }, results }
  const note =
    "[cooperbench] the merge failed and agent1's patch alone did not pass every feature: under cooperbench-0.0.16 every feature fails. The run of agent1's patch follows.\n"
  return { coop, results: results.map((r) => ({ ...r, passed: false, test_output: r.passed ? `${note}${r.test_output}` : r.test_output })) }
}

/** The setup script of a pair: the coop one (the merge rule) or the solo one. */
function setupScript(merged: boolean, prepared: PreparedFiles, policy: EvaluationPolicy): string {
  const files = [...prepared.files.keys()]
  return merged
    ? buildCoopSetupScript({ files, repaired: prepared.repaired, policy })
    : buildSoloSetupScript({ files, patch: prepared.single, repaired: prepared.soloRepaired })
}

/** A setup script that ran and reported its files and a base commit as expected. */
interface SetupRun {
  report: SetupReport
  base: string
  /** The error of a setup that stopped early, with its output. */
  setupError: () => Error
}

/** Runs the setup script and checks what every one reports first: the written files, the base commit, the tests patches applying. */
async function runSetup(sandbox: Sandbox, merged: boolean, start: Started, expectedBase: string | null, signal?: AbortSignal): Promise<SetupRun> {
  const result = await sandbox.exec(setupScript(merged, start.prepared, start.policy), { timeoutMs: SETUP_TIMEOUT_MS, signal })
  throwIfAborted(signal)
  const output = result.stdout + result.stderr
  const report = parseSetupReport(output)
  const setupError = (): Error => new EvalFailure(`${merged ? 'Branch setup' : 'Setup'} failed: ${setupDetail(output, result.timedOut, SETUP_TIMEOUT_MS)}`)
  if (report.base !== null) start.extras.base_commit = report.base
  const problem = setupPreambleProblem(report, start.prepared.files, expectedBase)
  if (problem === 'not-started') throw setupError()
  if (problem !== null) throw new EvalFailure(problem)
  const broken = report.markers.get('tests_broken') ?? []
  if (broken.length > 0) {
    const features = broken.map((name) => `feature ${start.features[testsIndexOf(name) - 1] ?? name}`)
    throw new EvalFailure(
      `dataset defect: the tests patch of ${features.join(' and ')} does not apply to the base commit ${report.base}; no verdict (check with \`cooperbench dataset validate --deep\`)`,
      'dataset',
    )
  }
  return { report, base: report.base!, setupError }
}

async function coopSetup(sandbox: Sandbox, prepared: PreparedFiles, policy: EvaluationPolicy, { report, base, setupError }: SetupRun): Promise<SetupOutcome> {
  if (report.union === 'conflicts') throw new EvalFailure(UNION_FAILED_ERROR)
  if (!report.done) {
    if (report.failedStep === 'diff') throw new EvalFailure(`Failed to create merged.patch (strategy: ${report.strategy ?? 'naive'})`)
    throw setupError()
  }
  const branches = prepared.repaired.map((_, i) => agentBranch(i + 1))
  const mergedSize = report.mergedSize
  // Identical patches (0.0.16) make no branches: each agent's patch is the one applied once, as upstream records it.
  const applied = report.identical
    ? branches.map(() => (report.identicalApplied ? ('applied' as const) : ('failed' as const)))
    : branches.map((branch) => report.apply.get(branch))
  if (applied.some((a) => a === undefined) || (!report.identical && report.naive === null) || mergedSize === null) throw setupError()
  if (policy === 'cooperbench-0.0.16' && report.strategy === null) throw setupError()
  const status = report.identical ? 'identical' : applied.includes('failed') ? 'missing_input' : report.naive === 'conflicts' ? 'conflicts' : 'clean'
  const strategy = report.strategy ?? (report.union === 'clean' ? 'union' : 'naive')
  const diffHead =
    report.mergedHead ??
    (mergedSize > 0 ? (await sandbox.readFile(`${SANDBOX_PATCHES_DIR}/${PATCH_FILES.merged}`)).subarray(0, MERGED_HEAD_BYTES) : new Uint8Array())
  return {
    base,
    testedPatchSize: mergedSize,
    coop: {
      apply_status: Object.fromEntries(branches.map((branch, i) => [branch, applied[i]!])),
      merge: { status, strategy, diff: new TextDecoder('utf-8').decode(diffHead) },
    },
    fallback: report.fallback,
  }
}

function soloSetup(prepared: PreparedFiles, { report, base, setupError }: SetupRun): SetupOutcome {
  if (!report.done) throw setupError()
  const useRepaired = report.variants.get('solo') === 'repaired'
  const solo = prepared.files.get(useRepaired ? PATCH_FILES.repaired(prepared.single) : prepared.single)
  return { base, testedPatchSize: solo?.byteLength ?? 0, coop: null, fallback: null }
}

/** The line appended to a test output when its run was killed by the timeout. */
function timeoutLine(timeoutMs: number): string {
  const seconds = Math.round(timeoutMs / 100) / 10
  return `[cooperbench] test run killed after ${seconds} s (timeout)`
}

interface FeatureRunSpec extends FeatureTestScriptSpec {
  featureId: number
  timeoutMs: number
  signal?: AbortSignal | undefined
}

/** One feature's test run (docs/reference-compatibility.md#evaluation); a timeout is a failing run, not an error. */
async function runFeatureTests(sandbox: Sandbox, spec: FeatureRunSpec): Promise<FeatureEvalRecord> {
  const result = await sandbox.exec(buildFeatureTestScript(spec), { timeoutMs: spec.timeoutMs, signal: spec.signal })
  throwIfAborted(spec.signal)
  let output = result.stdout + result.stderr
  if (result.timedOut) output = `${output}${output === '' || output.endsWith('\n') ? '' : '\n'}${timeoutLine(spec.timeoutMs)}\n`
  const exitCode = result.timedOut ? -1 : result.exitCode
  const counts = parseTestOutput(output)
  return featureEvalRecord(spec.featureId, {
    exitCode,
    testsPassed: counts.passed,
    testsFailed: counts.failed,
    output,
    passed: !result.timedOut && isTestRunPassed(exitCode, counts),
  })
}

/** An empty tested patch: every runner would fail to apply it, so the run is skipped as a failure. */
function emptyPatchRun(featureId: number, why: string): FeatureEvalRecord {
  return featureEvalRecord(featureId, {
    exitCode: 1,
    testsPassed: 0,
    testsFailed: 0,
    output: `[cooperbench] ${why}: nothing to test, the feature fails (runner.sh would fail to apply an empty patch)\n`,
    passed: false,
  })
}
