import { type RunReport, reportRuns } from '@cooperbench/report'
import { logDirOf } from './log-dir.js'
import type { ReportOptions } from './options.js'

/**
 * The library form of `cooperbench report`: `@cooperbench/report`'s `reportRuns` (pass rates,
 * strict rates, merge outcomes, deficits, analyses, ablations, the leaderboard) in the log dir
 * `run` uses unless one is given. Reads the run folders only; rewrites each run's
 * eval_summary.json when `writeEvalSummary` is set.
 */
export async function report(options: ReportOptions): Promise<RunReport> {
  return reportRuns({ ...options, logDir: await logDirOf(options) })
}
