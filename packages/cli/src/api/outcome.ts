import type { SettingName as Setting } from '@cooperbench/core'
import type { EvalSummaryRecord, EvalVerdict, RunSummaryRecord } from '@cooperbench/results'
import { wilsonInterval } from '@cooperbench/report/run-summary'

/** A pass rate: both (all) features passed over passed + failed; errors excluded. */
export interface PassRate {
  passed: number
  failed: number
  errors: number
  /** null when nothing was evaluated with a verdict. */
  rate: number | null
  /** Wilson 95% interval of `rate`. */
  ci: { low: number; high: number } | null
}

/** One pair of a `run()`. */
export interface RunPairOutcome {
  /** `repo/task/ids`. */
  label: string
  setting: Setting
  /** done: run now; skip: reused from an earlier invocation; failed: no result; error: the pair threw. */
  status: 'done' | 'skip' | 'failed' | 'error'
  error: string | null
  /** USD from the pair's result.json; null without one. 0 with `costUnknown` means unknown, not free. */
  cost: number | null
  /** An agent of the pair called a model with no known price: its calls added 0 to `cost`. */
  costUnknown: boolean
  /** The evaluation verdict, or null without auto-eval. */
  eval: EvalVerdict | null
}

/** What `run()` returns. */
export interface RunResult {
  runName: string
  /** The run folder. */
  folder: string
  setting: Setting
  /** True when `signal` aborted the run (finished pairs are kept; a rerun resumes). */
  interrupted: boolean
  /** The pairs this invocation selected (`status` says how each ended), not the run folder's others (other selections, the other setting). */
  pairs: RunPairOutcome[]
  /** Over `pairs`; null without auto-eval. */
  passRate: PassRate | null
  /** USD over `pairs`' result.json; a lower bound when `costUnknownPairs` > 0, none when it is `pairs.length` (say "unknown", never $0, as the CLI). */
  cost: number
  /** Pairs whose agents called a model with no known price (`costUnknown`): their cost is unknown, not $0. */
  costUnknownPairs: number
  timeSeconds: number
  /** The summary.json record, as written; null when no pair matched (nothing is written then). */
  summary: RunSummaryRecord | null
}

/** What `evaluate()` returns. */
export interface EvaluateResult {
  runName: string
  folder: string
  interrupted: boolean
  passRate: PassRate
  /** The eval_summary.json record, as written. */
  summary: EvalSummaryRecord
  /** Selected pairs of the run without result.json (it was stopped): `run` with its options resumes them; nothing evaluates them until then. */
  unfinished: number
}

function passRate(passed: number, failed: number, errors: number): PassRate {
  const n = passed + failed
  return { passed, failed, errors, rate: n > 0 ? passed / n : null, ci: n > 0 ? wilsonInterval(passed, n) : null }
}

/** `unknownCost`: labels of the pairs whose cost is unknown (`unknownCostLabels`). */
export function runResultOf(
  summary: RunSummaryRecord | null,
  folder: string,
  runName: string,
  setting: Setting,
  interrupted: boolean,
  unknownCost: ReadonlySet<string> = new Set(),
): RunResult {
  if (!summary) return { runName, folder, setting, interrupted, pairs: [], passRate: null, cost: 0, costUnknownPairs: 0, timeSeconds: 0, summary: null }
  const pairs = summary.results.map((r) => ({
    label: r.task,
    setting: r.setting,
    status: r.status,
    error: r.error ?? null,
    cost: r.cost ?? null,
    costUnknown: unknownCost.has(r.task),
    eval: r.eval ?? null,
  }))
  return {
    runName: summary.run_name,
    folder,
    setting: summary.setting,
    interrupted,
    pairs,
    passRate: summary.eval ? passRate(summary.eval.passed, summary.eval.failed, summary.eval.errors) : null,
    cost: summary.total_cost,
    costUnknownPairs: pairs.filter((p) => p.costUnknown).length,
    timeSeconds: summary.total_time_seconds,
    summary,
  }
}

export function evaluateResultOf(summary: EvalSummaryRecord, folder: string, interrupted: boolean, unfinished = 0): EvaluateResult {
  return { runName: summary.run_name, folder, interrupted, passRate: passRate(summary.passed, summary.failed, summary.errors), summary, unfinished }
}
