import type { EvalRecord, ResultRecord } from './records.js'

/**
 * Hears of every results file once on disk (to mirror results to a database or dashboard, post progress); register any number with
 * `api.service({ token: Tokens.ResultsSink, scope: 'run', create })`. A sink that throws is a warning, never a failed run or lost file.
 */
export interface ResultsSink {
  readonly specificationVersion: 'results-sink-v1'
  readonly name: string
  /** A pair's result.json was written (`dir` is the pair folder). */
  resultWritten?(event: { dir: string; record: ResultRecord }): void | Promise<void>
  /** A pair's eval.json was written. */
  evalWritten?(event: { dir: string; record: EvalRecord }): void | Promise<void>
  /** The run's summary.json (after `run`) and eval_summary.json were written. */
  summaryWritten?(event: { folder: string; summary: Record<string, unknown> | null; evalSummary: Record<string, unknown> }): void | Promise<void>
}
