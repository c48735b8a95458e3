import type { EvalSummaryRecord, RunSummaryRecord } from '@cooperbench/core/results'

/** The closing lines of `run`. */
export function formatRunSummary(summary: RunSummaryRecord, folder: string): string {
  const lines = [
    '',
    `${summary.interrupted ? 'interrupted' : 'finished'}: ${summary.run_name}`,
    `  pairs      ${summary.total_tasks} (completed ${summary.completed}, reused ${summary.skipped}, ${summary.interrupted ? 'unfinished or failed' : 'failed'} ${summary.failed})`,
  ]
  if (summary.eval) {
    const e = summary.eval
    lines.push(`  evaluated  ${e.total_evaluated}: passed ${e.passed}, failed ${e.failed}, errors ${e.errors}`)
    const rate = e.passed + e.failed > 0 ? `${(e.pass_rate * 100).toFixed(1)}%` : 'n/a'
    lines.push(`  pass rate  ${rate} (every feature of the pair passed; errors excluded)`)
  }
  lines.push(`  cost       $${summary.total_cost.toFixed(4)}`, `  time       ${summary.total_time_seconds.toFixed(1)}s`, `  results    ${folder}`)
  return lines.join('\n')
}

export function formatEvalSummary(summary: EvalSummaryRecord): string {
  return [
    '',
    `evaluation of ${summary.run_name}: ${summary.total_runs} pair(s)`,
    `  passed ${summary.passed}, failed ${summary.failed}, errors ${summary.errors}, not evaluated ${summary.not_evaluated} (reused ${summary.skipped})`,
    // A rate of nothing judged is no rate: 0.0 % would read as every team failing.
    summary.passed + summary.failed === 0 ? '  pass rate n/a (no pair judged)' : `  pass rate ${(summary.pass_rate * 100).toFixed(1)}%`,
  ].join('\n')
}
