import type { EvalRecord, EvaluationPolicy, ScriptedJobRunner, Task } from '@cooperbench/spec'
import { evalErrorRecord, isoNow } from '@cooperbench/spec-utils/records'
import type { Scope } from '../plugin/container.js'
import { type EvalVerdict, verdictOf } from '../results/eval-summary.js'
import type { PairFolder } from '../results/scan-run.js'
import type { RunFolderRecords } from '../results/run-folder-records.js'
import { evaluateScripted, type ScriptedRun } from './evaluate-scripted.js'
import type { ScopeSinks } from './services.js'

/** The pairs one `cooperbench eval` judges, and whom it tells of each verdict. */
export interface PendingEvaluations {
  scope: Scope
  /** The run folder's records, which verdicts are written through. */
  records: RunFolderRecords
  /** The run scope's results sinks. */
  sinks: ScopeSinks
  pending: PairFolder[]
  /** The dataset's tasks by `repo/taskId`. */
  taskOf: Map<string, Task>
  signal: AbortSignal
  evalFinished(pair: PairFolder, verdict: EvalVerdict, record: EvalRecord): void
  /** Batch backends only: evaluations per state as the platform reports them. */
  batchProgress?(counts: Record<string, number>): void
  /** Where verdicts go (eval.json, or a re-score's `eval.<policy>.json`) and the policy they are made under. */
  evalFile: string
  policy?: EvaluationPolicy | undefined
}

/**
 * The error verdict of a pair judged outside its evaluator (its task missing, a failure around the
 * evaluation, agents that worked on another task text), with its `cause` when it is known.
 */
export function pairErrorRecord(work: Pick<PendingEvaluations, 'policy'>, pair: PairFolder, message: string, cause?: EvalRecord['error_cause']): EvalRecord {
  const identity = { repo: pair.repo, task_id: pair.taskId, features: pair.features, setting: pair.setting }
  return evalErrorRecord(identity, message, isoNow(), { policy: work.policy, error_cause: cause })
}

/**
 * A batch platform runs every evaluation at once; the evaluator still decides each verdict. A pair
 * whose task is not in the dataset gets an error verdict first.
 */
export async function evaluateAsBatch(work: PendingEvaluations, runner: ScriptedJobRunner, judge: Pick<ScriptedRun, 'evaluator' | 'plan'>): Promise<void> {
  const { pending, taskOf } = work
  const pairs = pending.flatMap((pair) => {
    const task = taskOf.get(`${pair.repo}/${pair.taskId}`)
    return task ? [{ pair, task }] : []
  })
  for (const pair of pending.filter((p) => !taskOf.has(`${p.repo}/${p.taskId}`))) {
    const record = pairErrorRecord(work, pair, `task ${pair.repo}/task${pair.taskId} is not in the dataset`)
    await work.records.write(pair.dir, work.evalFile, record)
    work.evalFinished(pair, verdictOf(record), record)
  }
  await evaluateScripted(
    { scope: work.scope, records: work.records, ...judge },
    {
      pairs,
      runner,
      signal: work.signal,
      finished: (pair, record) => work.evalFinished(pair, verdictOf(record), record),
      ...(work.batchProgress ? { progress: work.batchProgress } : {}),
    },
  )
}
