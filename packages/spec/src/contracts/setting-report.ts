import type { EvalRecord, ResultRecord } from './records.js'
import type { ReportSection } from './report-section.js'

/**
 * What a setting adds to `cooperbench report` and the viewer's overview (beyond its rows, deficit against solo and leaderboard rows):
 * what tells its runs apart, and its own sections from its runs as plain data, rendered by every format.
 */
export interface SettingReporter {
  /** How a run is told apart from the setting's other runs (the team's `no scratchpad`): runs of two variants are never one leaderboard row. */
  variant?(run: ReportedRun): string
  /** Its own sections, after the report's common ones (none: return []). */
  sections?(runs: readonly ReportedRun[], tools: ReportTools): ReportSection[]
}

/** One run of the setting at one team size (a row of the report), as plain data. */
export interface ReportedRun {
  run: string
  teamSize: number
  /** The setting's fingerprint from the run's config.json; null without one. */
  fingerprint: Record<string, unknown> | null
  /** How its agents could talk (`messaging`, `git`, `messaging + git`, `none`), from the fingerprint; null without one. */
  communication: string | null
  /** Its pairs judged passed and failed (an evaluation error is neither). */
  passed: number
  failed: number
  /** The policies of its verdicts (eval.json), the first the headline's, each with how its passes were made (`naive 3 (75%)`). */
  policies: Array<{ policy: string; passesBy: string }>
  /** Its pairs with a result.json (an unreadable pair is in no row); `eval` null when not evaluated. */
  pairs: ReportedPair[]
}

export interface ReportedPair {
  repo: string
  taskId: number
  features: number[]
  result: ResultRecord
  eval: EvalRecord | null
}

/** The report's own comparisons, for a setting's sections. */
export interface ReportTools {
  /** Why two runs are not comparable: their fingerprints' agent, model, limits and prompts (else their records' agent and model) that differ; [] when they are. */
  mismatch(a: ReportedRun, b: ReportedRun): string[]
  /** Two runs on the pairs both judged (pass or fail), each pair its own control. */
  paired(first: ReportedRun, second: ReportedRun): PairedComparison
}

export interface PairedComparison {
  /** Pairs judged in both: the denominator. */
  pairs: number
  /** Pairs finished in one run only, or in both but not judged in both. */
  dropped: number
  agreement: { bothPass: number; firstOnly: number; secondOnly: number; neither: number }
  /** Second rate − first rate, with Newcombe's paired 95% interval (−1 to 1 without a common pair). */
  difference: number
  low: number
  high: number
  mcnemar: { discordant: number; pValue: number; method: 'exact binomial' }
}
