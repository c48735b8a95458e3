import type { Deficit, RateRow, RunReport, SettingReport } from '@cooperbench/core/results'

/**
 * One tidy table, RFC 4180 (CRLF line ends, fields with a comma, quote or line break quoted,
 * quotes doubled). A row per run, setting, team size and scope: `overall` (repo empty) and one
 * `repo` row per repository. Each coordination deficit is a `deficit` row: run is
 * `<solo run> vs <coop run>`, setting `solo-coop`, rate the difference (solo − coop) and
 * ci_low/ci_high Newcombe's interval; its count and cost fields are empty. Cost is on overall
 * rows only (the report has no cost per repository). Rates and bounds are
 * proportions (0–1); an empty rate means no pair was judged.
 */
export function renderCsv(report: RunReport): string {
  const rows: Array<Array<string | number | boolean | null>> = [[...CSV_COLUMNS]]
  for (const s of report.settings) {
    rows.push(settingRow(s, 'overall', '', s, s.cost))
    for (const r of s.perRepo) rows.push(settingRow(s, 'repo', r.repo, r, null))
  }
  for (const d of report.deficits) rows.push(deficitRow(d))
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n'
}

export const CSV_COLUMNS = [
  'run', 'setting', 'team_size', 'scope', 'repo', 'pairs', 'evaluated', 'passed', 'failed', 'errors', 'rate', 'ci_low', 'ci_high', 'cost', 'interrupted',
] as const

/** A field as RFC 4180 wants it: quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string | number | boolean | null): string {
  const text = value === null ? '' : typeof value === 'number' ? String(round6(value)) : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

function settingRow(s: SettingReport, scope: 'overall' | 'repo', repo: string, row: RateRow, cost: number | null) {
  return [
    s.runs.join(', '), s.setting, s.teamSize, scope, repo,
    row.pairs, row.evaluated, row.passed, row.failed, row.errors, row.rate, row.ci?.low ?? null, row.ci?.high ?? null,
    cost, s.interrupted,
  ]
}

function deficitRow(d: Deficit) {
  return [`${d.soloRun} vs ${d.coopRun}`, 'solo-coop', d.teamSize, 'deficit', '', null, null, null, null, null, d.difference, d.low, d.high, null, null]
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6
}
