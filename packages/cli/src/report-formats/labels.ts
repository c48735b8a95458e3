import type { RateRow, RunReport, SettingReport } from '@cooperbench/core/results'

/** `coop`, or `coop, teams of 3`: the setting of a row and, when it is not 2, its team size. */
export function settingName(s: SettingReport): string {
  return s.teamSize === 2 ? s.setting : `${s.setting}, teams of ${s.teamSize}`
}

/** The setting cell of an overall table: the setting, and a warning when the run was interrupted. */
export function settingCell(s: SettingReport): string {
  return s.interrupted ? `${settingName(s)}, interrupted` : settingName(s)
}

/** `coop-run (coop)`: which run and setting one column group of a per-repo table shows. */
export function columnGroupLabel(s: SettingReport): string {
  return `${s.runs.join(', ')} (${settingName(s)})`
}

/** Pairs when every row counts pairs, else teams. */
export function unitName(report: RunReport): 'pairs' | 'teams' {
  return report.settings.every((s) => s.teamSize === 2) ? 'pairs' : 'teams'
}

/** Every repository of any setting row, sorted: the rows of a per-repo table. */
export function reposOf(report: RunReport): string[] {
  return [...new Set(report.settings.flatMap((s) => s.perRepo.map((r) => r.repo)))].sort()
}

/** The counts of `repo` in setting row `s`, or null when that run has no pair of it. */
export function repoRow(s: SettingReport, repo: string): RateRow | null {
  return s.perRepo.find((r) => r.repo === repo) ?? null
}

/** Pairs with a pass or fail verdict: the denominator of a rate (errors are left out). */
export function judged(row: RateRow): number {
  return row.passed + row.failed
}

/** A proportion as a percentage with one decimal, without the sign: 0.6667 → `66.7`. */
export function percentNumber(x: number): string {
  return (x * 100).toFixed(1)
}
