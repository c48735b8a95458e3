import type { Deficit, SettingReport } from '../../../src/model.ts'
import type { RateBar } from '../charts/RateChart.tsx'
import { type AgreementCell, comparisonParam } from '../comparison.ts'
import { pairsHref } from '../router.ts'

/** A report row's setting as shown: `coop`, or `coop ×3` for teams of three. */
export const rowName = (row: SettingReport) => `${row.setting}${row.pairSize > 2 ? ` ×${row.pairSize}` : ''}`

/** The pair list's pair size filter for a row: none for teams of two. */
export const size = (row: { pairSize: number }) => (row.pairSize === 2 ? undefined : String(row.pairSize))

/** The pair list of a comparison's common pairs, or of one cell of its agreement table. */
export const comparisonHref = (d: Pick<Deficit, 'soloRun' | 'coopRun' | 'pairSize' | 'setting'>, cell?: AgreementCell) =>
  pairsHref({ cmp: comparisonParam(d), cell })

/** Pass rate per run and setting, one bar per report row. */
export function overallBars(rows: SettingReport[], partial: (row: SettingReport) => boolean): RateBar[] {
  return rows.map((row) => ({
    ...rateBar(row, row, partial(row), rows),
    note: `${rowName(row)}${row.interrupted ? ' · interrupted' : ''}${partial(row) ? ' · partial, run unfinished' : ''}`,
  }))
}

/** Pass rate per repository: each repository's bars (one per row that has it) under its heading. */
export function perRepoBars(rows: SettingReport[], partial: (row: SettingReport) => boolean): RateBar[] {
  const repos = [...new Set(rows.flatMap((r) => r.perRepo.map((p) => p.repo)))].sort()
  return repos.flatMap((repo) =>
    rows.flatMap((row, i) => {
      const r = row.perRepo.find((p) => p.repo === repo)
      if (!r) return []
      const first = rows.findIndex((other) => other.perRepo.some((p) => p.repo === repo)) === i
      return [{ ...rateBar(row, r, partial(row), rows, repo), note: rowName(row), ...(first ? { group: repo } : {}) }]
    }),
  )
}

/** A report row's bar of `counts` (the row's own, or those of one of its repositories), linking to its pairs. */
function rateBar(
  row: SettingReport,
  counts: Pick<RateBar, 'rate' | 'ci' | 'passed'> & { failed: number },
  partial: boolean,
  rows: SettingReport[],
  repo?: string,
): RateBar {
  const { rate, ci, passed, failed } = counts
  const href = pairsHref({ run: row.runs[0], setting: row.setting, repo, size: size(row) })
  return { label: row.runs[0]!, rate, ci, passed, judged: passed + failed, tone: toneOf(row.setting, rows), partial, href }
}

/** A row's colour: solo's, coop's, else one of two by the order its setting comes in the rows (the first other setting, the second, …). */
function toneOf(setting: string, rows: SettingReport[]) {
  if (setting === 'solo' || setting === 'coop') return setting
  const others = [...new Set(rows.map((r) => r.setting).filter((s) => s !== 'solo' && s !== 'coop'))]
  return `other-${others.indexOf(setting) % 2}`
}
