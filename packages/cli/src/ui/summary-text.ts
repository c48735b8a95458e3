import type { EvalSummaryRecord, RunSummaryRecord } from '@cooperbench/core/results'

/**
 * The closing lines of `run`. `unknownCostPairs` counts pairs whose model had no known price: their
 * recorded cost is 0 without meaning $0, so the cost line says unknown (and a cost limit could not apply).
 */
export function formatRunSummary(summary: RunSummaryRecord, folder: string, unknownCostPairs = 0): string {
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
  lines.push(`  cost       ${costText(summary, unknownCostPairs)}`, `  time       ${summary.total_time_seconds.toFixed(1)}s`, `  results    ${folder}`)
  return lines.join('\n')
}

function costText(summary: RunSummaryRecord, unknown: number): string {
  const money = `$${summary.total_cost.toFixed(4)}`
  if (unknown === 0) return money
  const why = 'no price is known for the model, so a cost limit cannot apply'
  if (unknown >= summary.total_tasks) return `unknown (${why})`
  return `≥ ${money} (unknown for ${unknown} of ${summary.total_tasks} pairs: ${why})`
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
