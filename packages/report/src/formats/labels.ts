import type { Deficit } from '../model/deficit.js'
import type { MergeOutcomeClass } from '../model/strict.js'
import type { RateRow, SettingReport } from '../model/report.js'
import type { RelativeDeficitEstimate } from '../statistics/relative-deficit.js'
import { percentNumber } from '@cooperbench/spec-utils/report'

/** `, pairs of 3 features`, or nothing for 2: the pair size where it is not 2. */
function sizeOf(pairSize: number) {
  return pairSize === 2 ? '' : `, pairs of ${pairSize} features`
}

/** `coop`, or `coop, pairs of 3 features`: the setting of a row and, when it is not 2, its pair size. */
export function settingName(s: Pick<SettingReport, 'setting' | 'pairSize'>): string {
  return `${s.setting}${sizeOf(s.pairSize)}`
}

/** The runs a setting row pools, `a, b`. */
export function runList(s: Pick<SettingReport, 'runs'>): string {
  return s.runs.join(', ')
}

/** `a, b (coop, pairs of 3 features)`: a setting row named in a note or a column group. */
export function rowName(s: SettingReport): string {
  return `${runList(s)} (${settingName(s)})`
}

/** Every repository of any setting row, sorted: the rows of a per-repo table. */
export function reposOf(settings: SettingReport[]): string[] {
  return [...new Set(settings.flatMap((s) => s.perRepo.map((r) => r.repo)))].sort()
}

/** The counts of `repo` in setting row `s`, or null when that run has no pair of it. */
export function repoRow(s: SettingReport, repo: string): RateRow | null {
  return s.perRepo.find((r) => r.repo === repo) ?? null
}

/** Pairs with a pass or fail verdict: the denominator of a rate (errors are left out). */
export function judged(row: Pick<RateRow, 'passed' | 'failed'>): number {
  return row.passed + row.failed
}

/** `solo-run vs coop-run`, or the run's name alone when one run holds both settings. */
export function comparisonName(d: { soloRun: string; coopRun: string }): string {
  return d.soloRun === d.coopRun ? d.soloRun : `${d.soloRun} vs ${d.coopRun}`
}

/** What was left out of a paired comparison, or null when nothing was: `2 only in solo, 1 not judged in both`. */
export function droppedText(d: Deficit): string | null {
  const parts = [
    d.dropped.soloOnly ? `${d.dropped.soloOnly} only in solo` : null,
    d.dropped.coopOnly ? `${d.dropped.coopOnly} only in ${d.setting}` : null,
    d.dropped.notJudgedInBoth ? `${d.dropped.notJudgedInBoth} not judged in both (evaluation error or not evaluated)` : null,
  ].filter((p) => p !== null)
  return parts.length ? parts.join(', ') : null
}

/** `p = 0.052`, or `p < 0.001`. */
export function pEquals(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`
}

/** How the relative deficit's interval is made, for a report's footnote. */
export function relativeMethodText(r: RelativeDeficitEstimate): string {
  return `Jeffreys interval: Dirichlet posterior of the agreement table, ${r.draws} draws, seed ${r.seed}`
}

/** What a row says of the subset entries its run skipped because the dataset lacked them (`subsetEntriesMissing`, not empty). */
export function subsetEntriesMissingText(s: Pick<SettingReport, 'subsetEntriesMissing'>): string {
  return `subset entries not in the dataset: ${s.subsetEntriesMissing.join(', ')} (not run: the rates cover fewer pairs than the subset)`
}

/** A row's model: its name, `none` for an agent that calls no model (the oracle), `?` when unknown or mixed. */
export function modelText(row: { model: string | null; usesModel: boolean }): string {
  return row.model ?? (row.usesModel ? '?' : 'none')
}

/** `solo vs coop-run, pairs of 3 features, solo vs team`: a deficit's runs, pair size and, when not coop, settings. */
export function deficitName(d: Deficit): string {
  return `${comparisonName(d)}${sizeOf(d.pairSize)}${d.setting === 'coop' ? '' : `, solo vs ${d.setting}`}`
}

/** The merge outcome of a pass-rate-by-merge row, as a reader says it. */
export const MERGE_OUTCOME_NAMES: Record<MergeOutcomeClass, string> = {
  clean: 'clean merge',
  union: 'conflicts, union-merged',
  lead_alone: "conflicts, agent1's patch alone",
  missing_input: 'a patch did not apply',
}

/** A messaging share as text: `n/a` for a share with nothing to divide (no model steps, no recorded tokens). */
export function shareText(x: number | null): string {
  return x === null ? 'n/a' : `${percentNumber(x)}%`
}

/** `team, no scratchpad, ` before a leaderboard row's communication; nothing for coop, the setting the leaderboard is of. */
export function settingAndVariant(row: { setting: string; variant: string | null }): string {
  return row.setting === 'coop' ? '' : `${row.setting}, ${row.variant === null ? '' : `${row.variant}, `}`
}
