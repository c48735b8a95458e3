import { SANDBOX_LABELS, type EvalRecord, type Task, errorMessage } from '@cooperbench/spec'
import { openScopeFor, type Scope } from '../plugin/container.js'
import { Tokens } from '../plugin/tokens.js'
import { PairFiles, type RunFolderRecords } from '@cooperbench/results'
import { RunnerTokens } from './scope-services.js'
import type { ScopeSinks } from './services.js'
import { HARNESS_DEADLINES } from './deadlines.js'
import { supervise } from '../util/supervise.js'
import { pairLabel } from '@cooperbench/spec-utils'
import { evalErrorRecord, isoNow } from '@cooperbench/spec-utils/records'
import { evalInputsDigest } from './eval-inputs.js'
import type { EvalPlan } from './plan.js'
import { machineTestRunSlots, type TestRunSlots } from './test-run-slots.js'
import { judgedByMerge, judgedPatchesOf } from './judging.js'
import { type PairPatches, readPairPatches } from './pair-patches.js'

export interface PairToEvaluate {
  setting: string
  task: Task
  features: number[]
  dir: string
}

/** What an evaluation takes from its pair scope, once, when the scope opens. */
const EVALUATION_NEEDS = { evaluator: Tokens.Evaluator, plan: Tokens.EvalPlan, sandboxes: RunnerTokens.Sandboxes, sinks: RunnerTokens.Sinks }

/**
 * Evaluates a finished pair folder with its pair scope's evaluator (a child of `run.scope`, which owns the sandbox) and writes eval.json
 * through `records`; test runs use idle cores of `slots`. An interrupted one writes nothing.
 */
export async function evaluatePairFolder(
  run: { scope: Scope; records: RunFolderRecords },
  pair: PairToEvaluate,
  signal: AbortSignal,
  slots: TestRunSlots = machineTestRunSlots,
): Promise<EvalRecord> {
  const context = { pair: { task: pair.task, features: pair.features }, dir: pair.dir, runId: null }
  const { scope, services } = await openScopeFor(run.scope, 'pair', [[Tokens.Pair, context]], EVALUATION_NEEDS)
  const { evaluator, plan, sandboxes, sinks } = services
  let releaseCore: (() => void) | undefined
  try {
    const { patches, lost } = await judgedPatchesIn(run.scope, pair)
    const inputsDigest = await evalInputsDigest(pair.task, pair.features)
    if (lost !== null) {
      // The agents' work is not in the folder: no evaluator judges the pair; it is the harness's error.
      const record = lostPatchRecord({ ...pair, merged: await judgedByMerge(run.scope, pair.setting, pair.features) }, lost, plan.policy)
      await writeEvalRecord({ records: run.records, sinks }, evaluator.name, pair.dir, record, inputsDigest, plan.evalFile)
      return record
    }
    // The harness bounds the evaluator too: its fixed part plus every test run's own timeout.
    const deadlineMs = HARNESS_DEADLINES.evaluationBaseMs + pair.features.length * (plan.testTimeoutMs + 60_000)
    // This evaluation's own sandbox takes a core; idle cores beyond it take more test runs at once.
    releaseCore = slots.hold()
    const evaluated = await supervise({
      run: (s, clock) =>
        evaluator.evaluate(
          {
            task: pair.task,
            features: pair.features,
            setting: pair.setting,
            patches,
            testTimeoutMs: plan.testTimeoutMs,
            testRunSlots: slots,
            ...(plan.policy === undefined ? {} : { policy: plan.policy }),
            createSandbox: () =>
              sandboxes.create(pair.task, 'eval', { [SANDBOX_LABELS.pair]: pairLabel(pair.task.repo, pair.task.taskId, pair.features) }, s, { clock }),
          },
          s,
        ),
      timeoutMs: deadlineMs,
      graceMs: HARNESS_DEADLINES.graceMs,
      signal,
    })
    if (signal.aborted) throw signal.reason ?? new Error('interrupted')
    if (evaluated.kind === 'rejected' && evaluated.aborted === null) throw evaluated.error
    const merged = patches.rule === 'merge'
    const record = evaluated.kind === 'fulfilled' ? evaluated.value : abandonedEvalRecord({ ...pair, merged }, evaluator.name, deadlineMs)
    await writeEvalRecord({ records: run.records, sinks }, evaluator.name, pair.dir, record, inputsDigest, plan.evalFile)
    return record
  } finally {
    releaseCore?.()
    await scope.dispose()
  }
}

/** The error verdict of an evaluator abandoned at the harness's bound. */
function abandonedEvalRecord(pair: PairToEvaluate & { merged: boolean }, evaluatorName: string, deadlineMs: number): EvalRecord {
  return evalErrorRecord(
    { repo: pair.task.repo, task_id: pair.task.taskId, features: pair.features, setting: pair.setting, merged: pair.merged },
    `evaluator ${evaluatorName} did not finish within the harness's bound of ${Math.round(deadlineMs / 1000)} s; its sandbox was terminated`,
    isoNow(),
  )
}

/** The error verdict of a pair whose patch files result.json records are gone (`readPairPatches`): the harness's records, so `infra`. */
export function lostPatchRecord(
  pair: Pick<PairToEvaluate, 'setting' | 'task' | 'features'> & { merged: boolean },
  lost: string,
  policy: EvalPlan['policy'],
): EvalRecord {
  const identity = { repo: pair.task.repo, task_id: pair.task.taskId, features: pair.features, setting: pair.setting, merged: pair.merged }
  return evalErrorRecord(identity, lost, isoNow(), { error_cause: 'infra', ...(policy === undefined ? {} : { policy }) })
}

/** The patches a pair folder's setting judges, or why they cannot be (lost, or no such setting installed). */
export async function judgedPatchesIn(scope: Scope, pair: Pick<PairToEvaluate, 'setting' | 'features' | 'dir'>): Promise<PairPatches> {
  try {
    return await readPairPatches(pair.dir, await judgedPatchesOf(scope, pair.setting, pair.features))
  } catch (error) {
    return { patches: null, lost: errorMessage(error) }
  }
}

const DEFAULT_EVALUATOR = 'default'

/** eval.json (naming a non-default evaluator, with the inputs' digest), told to `sinks`; another policy's goes to `file`, untold. */
export async function writeEvalRecord(
  { records, sinks }: { records: RunFolderRecords; sinks: ScopeSinks },
  evaluatorName: string,
  dir: string,
  record: EvalRecord,
  inputsDigest: string,
  file: string = PairFiles.eval,
): Promise<void> {
  if (evaluatorName !== DEFAULT_EVALUATOR && record.evaluator === undefined) record.evaluator = evaluatorName
  record.inputs_digest = inputsDigest
  await records.write(dir, file, record)
  if (file === PairFiles.eval) await sinks.notify((sink) => sink.evalWritten, { dir, record })
}

/** The evaluator that wrote an eval.json: its `evaluator` key, absent for the default one. */
export function evaluatorOf(record: EvalRecord): string {
  return typeof record.evaluator === 'string' ? record.evaluator : DEFAULT_EVALUATOR
}
