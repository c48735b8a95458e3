import type { EvalRecord, ResultRecord } from './records.js'

/**
 * Hears about every results file the harness writes, after it is on disk: to mirror results to
 * a database or a dashboard, or to post progress. Register one with
 * `api.service({ token: Tokens.ResultsSink, scope: 'run', create })`; several may be registered.
 * A sink that throws is reported as a warning; it never fails the run or loses a file.
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
