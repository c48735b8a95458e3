import type { EvalRecord, EvaluationPolicy, Task } from '@cooperbench/spec'
import { evalErrorRecord, isoNow } from '@cooperbench/spec-utils/records'
import type { Scope } from '../plugin/container.js'
import { type EvalVerdict, type PairFolder, PairFiles, type RunFolderRecords, verdictOf } from '@cooperbench/results'
import { judgedByMerge } from './judging.js'
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

/** The error verdict of a pair judged outside its evaluator (task missing, a failure around it, another task text), with any `cause`. */
export async function pairErrorRecord(
  work: Pick<PendingEvaluations, 'policy' | 'scope'>,
  pair: PairFolder,
  message: string,
  cause?: EvalRecord['error_cause'],
): Promise<EvalRecord> {
  const merged = await judgedByMerge(work.scope, pair.setting, pair.features)
  const identity = { repo: pair.repo, task_id: pair.taskId, features: pair.features, setting: pair.setting, merged }
  return evalErrorRecord(identity, message, isoNow(), { policy: work.policy, error_cause: cause })
}

/** Writes a {@link pairErrorRecord}, tells the sinks of an eval.json as for any verdict, and counts it as finished. */
export async function writePairError(
  work: Pick<PendingEvaluations, 'policy' | 'scope' | 'records' | 'sinks' | 'evalFile' | 'evalFinished'>,
  pair: PairFolder,
  message: string,
  cause?: EvalRecord['error_cause'],
): Promise<void> {
  const record = await pairErrorRecord(work, pair, message, cause)
  await work.records.write(pair.dir, work.evalFile, record)
  if (work.evalFile === PairFiles.eval) await work.sinks.notify((sink) => sink.evalWritten, { dir: pair.dir, record })
  work.evalFinished(pair, verdictOf(record), record)
}
