import type { EvalRecord, ResultRecord } from '@cooperbench/spec'
import type { Pair } from '@cooperbench/spec'
import type { EvalVerdict } from '../results/eval-summary.js'
import type { PairOutcome } from '../results/run-summary.js'

/** What a run reports while it goes; the CLI turns these into a progress bar or plain lines. */
export interface RunEvents {
  planned?(info: { total: number; toRun: number; reused: number; toEvaluate: number }): void
  pairStarted?(pair: Pair): void
  pairFinished?(pair: Pair, outcome: PairOutcome, result: ResultRecord | null): void
  evalStarted?(pair: Pair): void
  evalFinished?(pair: Pair, verdict: EvalVerdict, record: EvalRecord | null): void
  warning?(message: string): void
}
