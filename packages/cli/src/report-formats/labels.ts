import type { Deficit, MergeOutcomeClass, RateRow, RunReport, SettingReport } from '@cooperbench/core/results'

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

/**
 * A setting row's cost as text: `unknown` when no pair's cost is known (a model without a price),
 * `≥ $1.20 (3 of 10 unknown)` when some are unknown, else the sum; never `$0` for a cost nobody knows.
 */
export function costCell(s: SettingReport, money: (x: number) => string, atLeast = '≥ '): string {
  if (s.costUnknownPairs === 0) return money(s.cost)
  if (s.costUnknownPairs >= s.pairs) return 'unknown'
  return `${atLeast}${money(s.cost)} (${s.costUnknownPairs} of ${s.pairs} unknown)`
}

/** `solo-run vs coop-run`, or the run's name alone when one run holds both settings. */
export function comparisonName(d: { soloRun: string; coopRun: string }): string {
  return d.soloRun === d.coopRun ? d.soloRun : `${d.soloRun} vs ${d.coopRun}`
}

/** What was left out of a paired comparison, or null when nothing was: `2 only in solo, 1 not judged in both`. */
export function droppedText(d: Deficit): string | null {
  const parts = [
    d.dropped.soloOnly ? `${d.dropped.soloOnly} only in solo` : null,
    d.dropped.coopOnly ? `${d.dropped.coopOnly} only in coop` : null,
    d.dropped.notJudgedInBoth ? `${d.dropped.notJudgedInBoth} not judged in both (evaluation error or not evaluated)` : null,
  ].filter((p): p is string => p !== null)
  return parts.length ? parts.join(', ') : null
}

/** A p value as papers print it: `0.052`, `< 0.001`. */
export function pValueText(p: number): string {
  return p < 0.001 ? '< 0.001' : p.toFixed(3)
}

/** `p = 0.052`, or `p < 0.001`. */
export function pEquals(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`
}

/** Why a relative deficit has no value: the ratio needs a solo pass. */
export const UNDEFINED_RELATIVE = 'undefined (solo passed no pair)'

/** The merge outcome of a pass-rate-by-merge row, as a reader says it. */
export const MERGE_OUTCOME_NAMES: Record<MergeOutcomeClass, string> = {
  clean: 'clean merge',
  union: 'conflicts, union-merged',
  missing_input: 'a patch did not apply',
}
