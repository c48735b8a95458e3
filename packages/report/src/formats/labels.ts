import type { Ablation, AblationVariant, RefusedAblation } from '../model/ablation.js'
import type { Deficit } from '../model/deficit.js'
import type { LeaderboardRow } from '../model/leaderboard.js'
import type { MergeOutcomeClass } from '../model/strict.js'
import type { RateRow, RunAnalysisReport, RunReport, SettingReport } from '../model/report.js'
import type { RelativeDeficitEstimate } from '../statistics/relative-deficit.js'

/** `coop`, or `coop, teams of 3`: the setting of a row and, when it is not 2, its team size. */
function settingName(s: SettingReport): string {
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
    d.dropped.coopOnly ? `${d.dropped.coopOnly} only in ${d.setting}` : null,
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
const UNDEFINED_RELATIVE = 'not estimable (solo passed no pair)'

/** `-8.3%, 95% CI [-40.1%, 28.4%]` with the given percent format, or why there is no value. */
export function relativeText(r: RelativeDeficitEstimate, percent: (x: number) => string): string {
  if (r.value === null || r.low === null || r.high === null) return UNDEFINED_RELATIVE
  return `${percent(r.value)}, 95% CI [${percent(r.low)}, ${percent(r.high)}]`
}

/** How the relative deficit's interval is made, for a report's footnote. */
export function relativeMethodText(r: RelativeDeficitEstimate): string {
  return `Jeffreys interval: Dirichlet posterior of the agreement table, ${r.draws} draws, seed ${r.seed}`
}

/** `solo` for a solo row, else the coop row's communication mode (`messaging`, `git`, `messaging + git`, `none`). */
export function communicationName(s: Pick<SettingReport, 'setting' | 'communication'>): string {
  return s.setting === 'solo' ? '–' : (s.communication ?? '?')
}

/** A row's model: its name, `none` for an agent that calls no model (the oracle), `?` when unknown or mixed. */
export function modelText(row: { model: string | null; usesModel: boolean }): string {
  return row.model ?? (row.usesModel ? '?' : 'none')
}

/** `mini_swe_agent`, `gpt-5`, `messaging` or `team, all features, messaging` … : the key cells of a leaderboard row. */
export function leaderboardKey(row: LeaderboardRow): { agent: string; model: string; setup: string } {
  const teams = row.teamSize === 2 ? '' : `teams of ${row.teamSize}, `
  const team = row.setting === 'team' ? `team, ${row.features ?? 'features unknown'}, ` : ''
  return { agent: row.agent ?? '?', model: modelText(row), setup: `${teams}${team}${row.communication ?? '?'}` }
}

/** `solo vs coop`, `solo vs team`: which settings a deficit or leaderboard row sets against each other. */
export function versusName(d: { setting: 'coop' | 'team' }): string {
  return `solo vs ${d.setting}`
}

/** The analysis shares of a leaderboard row on one line: `no coordination failure 50.0% [15.0%, 85.0%]; …`, or `–`. */
export function leaderboardShares(row: LeaderboardRow, percent: (x: number) => string): string {
  if (!row.analysis || row.analysis.categories.length === 0) return '–'
  return row.analysis.categories.map((c) => `${categoryName(c.category)} ${percent(c.share)} [${percent(c.ci.low)}, ${percent(c.ci.high)}]`).join('; ')
}

/** The caption of every format's leaderboard: what a row is and where its numbers come from. */
export const LEADERBOARD_NOTE =
  'one row per agent × model (and team size, communication mode; team rows by their features), from one comparable solo × coop (or solo × team) run pair ' +
  'on their common judged pairs; rates with Wilson 95% intervals, the relative deficit (solo − coop) / solo with a Jeffreys 95% interval, ' +
  "strict: the coop (team) run's clean-merge rate; passes by strategy: how its passes were made (solo-agent1: the lead's patch alone); " +
  "shares: the coop run's failure categories (cooperbench analyze), a model's judgement"

/** The merge outcome of a pass-rate-by-merge row, as a reader says it. */
export const MERGE_OUTCOME_NAMES: Record<MergeOutcomeClass, string> = {
  clean: 'clean merge',
  union: 'conflicts, union-merged',
  lead_alone: "conflicts, agent1's patch alone",
  missing_input: 'a patch did not apply',
}

/** The paper's failure categories as a reader says them (analysis.json stores the identifiers). */
export function categoryName(category: string): string {
  return category === 'no_coordination_failure' ? 'no coordination failure' : category
}

/** `judge openai/gpt-4o (taxonomy-v1), 5 of 6 failed pairs judged`, or why there are no categories. */
export function judgeText(a: RunAnalysisReport): string {
  if (a.judge === null) return `categories not judged (cooperbench analyze -n ${a.run} -m MODEL)`
  return `judge ${a.judge.model} (${a.judge.prompt_version}), ${a.judged} of ${a.failed} failed pairs judged; a model's judgement, not ground truth`
}

/** `10 of 12 coop pairs analysed`, and a warning when the run has pairs the analysis has not seen. */
export function coverageText(a: RunAnalysisReport): string {
  const stale = a.coopPairs > a.pairsAnalyzed ? ` (rerun cooperbench analyze -n ${a.run} for the rest)` : ''
  return `${a.pairsAnalyzed} of ${a.coopPairs} coop pairs analysed${stale}`
}

/** A messaging share as text: `n/a` for a share with nothing to divide (no model steps, no recorded tokens). */
export function shareText(x: number | null): string {
  return x === null ? 'n/a' : `${percentNumber(x)}%`
}

/** The deterministic signals of an analysis on one line. */
export function signalsText(a: RunAnalysisReport): string {
  const s = a.signals
  const messaging =
    s.messaging_step_share === null
      ? 'steps on messaging n/a (no model steps)'
      : `${shareText(s.messaging_step_share)} of steps on messaging (${shareText(s.messaging_token_share)} of tokens)`
  return (
    `${s.messages_per_pair.toFixed(2)} messages per pair, ${messaging}, ${s.unanswered_questions_per_pair.toFixed(2)} unanswered questions per pair, ` +
    `${s.pairs_with_shared_files} pairs editing a common file, ${s.broken_promises} broken promise${s.broken_promises === 1 ? '' : 's'}`
  )
}

/** The messaging share of an ablation variant, or why it is unknown. */
export function messagingShareText(v: AblationVariant, percent: (x: number) => string): string {
  return v.messagingShare === null ? 'unknown (no analysis.json)' : `${percent(v.messagingShare)} (${v.messagingSharePairs} pairs)`
}

/** `teams of 3: ` for an ablation or refused pair of runs whose teams are not pairs. */
export function ablationHead(a: Pick<Ablation, 'teamSize'>): string {
  return a.teamSize === 2 ? '' : `teams of ${a.teamSize}: `
}

/** What was left out of an ablation, or null. */
export function ablationDroppedText(a: Ablation): string | null {
  return a.dropped ? `${a.dropped} not judged in every run` : null
}

/** The line of coop runs of different modes that are not compared. */
export function refusedAblationText(r: RefusedAblation): string {
  return `not compared (communication ablation): ${ablationHead(r)}${r.runs[0]} vs ${r.runs[1]}: ${r.reasons.join('; ')}`
}
