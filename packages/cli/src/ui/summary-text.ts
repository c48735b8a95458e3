import { type EvalSummaryRecord, errorsText, type PairFolder, type RunSummaryRecord } from '@cooperbench/results'
import { formatTokens } from './progress-lines.js'

/** What the summary adds to summary.json's numbers, from the result.json files of its pairs. */
export interface RunTotals {
  /** Pairs whose model had no known price: their recorded cost is 0 without meaning $0. */
  unknownCostPairs: number
  inputTokens: number
  outputTokens: number
}

/** The tokens of every agent of `pairs` of one setting (the invocation's pairs: reused ones included, like the cost). */
export function tokenTotals(pairs: readonly PairFolder[], setting: string): Pick<RunTotals, 'inputTokens' | 'outputTokens'> {
  const totals = { inputTokens: 0, outputTokens: 0 }
  for (const pair of pairs) {
    const result = pair.result
    if (pair.setting !== setting || !result) continue
    for (const agent of result.setting === 'solo' ? [result.agent] : Object.values(result.agents ?? {})) {
      totals.inputTokens += agent?.input_tokens ?? 0
      totals.outputTokens += agent?.output_tokens ?? 0
    }
  }
  return totals
}

/** `run`'s closing lines: a cost with unpriced pairs is unknown, never $0, and the cost limit was off (it cannot stop calls it cannot price). */
export function formatRunSummary(summary: RunSummaryRecord, folder: string, totals: RunTotals): string {
  const lines = [
    '',
    `${summary.interrupted ? 'interrupted' : 'finished'}: ${summary.run_name}`,
    `  pairs      ${summary.total_tasks} (completed ${summary.completed}, reused ${summary.skipped}, ${summary.interrupted ? 'unfinished or failed' : 'failed'} ${summary.failed})`,
  ]
  const missing = summary.subset_entries_missing ?? []
  // The run covers fewer pairs than its subset: said beside the pairs, not counted among them.
  if (missing.length > 0) lines.push(`  subset     entries not in the dataset, not run: ${missing.join(', ')}`)
  if (summary.eval) {
    const e = summary.eval
    lines.push(`  evaluated  ${e.total_evaluated}: passed ${e.passed}, failed ${e.failed}, ${errorsText(e.errors, e.error_causes)}`)
    const rate = e.passed + e.failed > 0 ? `${(e.pass_rate * 100).toFixed(1)}%` : 'n/a'
    lines.push(`  pass rate  ${rate} (every feature of the pair passed; errors excluded)`)
  }
  const tokens = `${formatTokens(totals.inputTokens + totals.outputTokens)} (input ${formatTokens(totals.inputTokens)}, output ${formatTokens(totals.outputTokens)})`
  lines.push(
    `  tokens     ${tokens}`,
    `  cost       ${costText(summary, totals.unknownCostPairs)}`,
    `  time       ${summary.total_time_seconds.toFixed(1)}s`,
    `  results    ${folder}`,
  )
  return lines.join('\n')
}

function costText(summary: RunSummaryRecord, unknown: number) {
  const money = `$${summary.total_cost.toFixed(4)}`
  if (unknown === 0) return money
  const why = 'no price is known for the model, so the cost limit was off'
  // Nothing priced (every pair that ran, when an interrupted run left others unrun): "≥ $0" would say nothing.
  if (unknown >= summary.total_tasks || summary.total_cost === 0) return `unknown (${why})`
  return `≥ ${money} (unknown for ${unknown} of ${summary.total_tasks} pairs: ${why})`
}

export function formatEvalSummary(summary: EvalSummaryRecord): string {
  return [
    '',
    summary.interrupted
      ? `evaluation of ${summary.run_name} interrupted: ${summary.total_runs} pair(s); those it did not reach keep their earlier verdict (reused) or have none`
      : `evaluation of ${summary.run_name}: ${summary.total_runs} pair(s)${summary.policy ? `, evaluation policy ${summary.policy}` : ''}`,
    `  passed ${summary.passed}, failed ${summary.failed}, ${errorsText(summary.errors, summary.error_causes)}, not evaluated ${summary.not_evaluated} (reused ${summary.skipped})`,
    // A rate of nothing judged is no rate: 0.0 % would read as every pair failing.
    summary.passed + summary.failed === 0 ? '  pass rate n/a (no pair judged)' : `  pass rate ${(summary.pass_rate * 100).toFixed(1)}%`,
  ].join('\n')
}
