import type { Ablation } from '../model/ablation.js'
import type { Deficit } from '../model/deficit.js'
import type { LeaderboardRow } from '../model/leaderboard.js'
import { showsPolicies } from '../model/policy-rates.js'
import { type RateRow, type RunAnalysisReport, type RunReport, type SettingReport, round6 } from '../model/report.js'
import { CSV_COLUMNS } from './csv-columns.js'
import { cellValues } from './sections/cells.js'
import { type Cell, type CsvColumn, columnsIn, type OwnLayouts, ownLayout, type TableSection } from './sections/section-model.js'
import { tableSections } from './table-sections.js'

type Field = string | number | boolean | null

/**
 * One tidy table, RFC 4180 (CRLF line ends, fields with a comma, quote or line break quoted,
 * quotes doubled). A row per run, setting, team size and scope:
 * - `overall` (repo empty) and one `repo` row per repository; strict rate on overall rows;
 * - coop and team, `merge_clean` / `merge_union` / `merge_missing_input` (`merge_lead_alone` under 0.0.16): judged pairs with that
 *   merge outcome and their pass rate;
 * - per compared solo and coop (or team) run (run `<solo run> vs <coop run>`, setting `solo-coop` or `solo-team`, pairs = common pairs):
 *   `relative_deficit` (rate = (solo − coop) / solo, ci = Jeffreys interval; empty when solo passed nothing, `note` says why),
 *   `deficit_points` (rate = solo − coop, ci = Newcombe's paired interval) and `strict_relative_deficit` (Jeffreys ci),
 *   each with the agreement table, McNemar's exact p and the pairs dropped, and `passes_by_strategy` (measure = strategy,
 *   count = passes of the coop or team run on the common pairs, rate = share of its passes);
 * - the leaderboard (run `<solo run> vs <coop run>`, setting `solo-coop` or `solo-team`, agent, model, `communication` (team
 *   rows: `team, <features>, <communication>`), pairs = common pairs): `leaderboard_solo`, `leaderboard_coop` (the coop or
 *   team run), `leaderboard_strict` (Wilson ci), `leaderboard_relative_deficit` (Jeffreys ci), `leaderboard_passes_by_strategy`
 *   (as `passes_by_strategy`) and `leaderboard_failure_share` (measure = category, count, rate = share, Wilson ci);
 * - coop and team, `policy` (measure = the evaluation policy): the same pairs judged under it (eval.json or a re-score's
 *   `eval.<policy>.json`, named in `note` with the passes per merge strategy), rate with errors excluded and
 *   value = the rate with errors counted in; `policy_note` rows (first, after the header) say when coop runs of different policies meet;
 * - `not_compared`: a solo × coop combination whose configurations differ, the differences in `note`;
 * - per coop run with an analysis.json: `failure_category` rows (measure = category, count of judged failed pairs,
 *   pairs = judged failed pairs, rate = share, ci = Wilson) and `analysis_signal` rows (measure = signal, value);
 * - per communication ablation (note `ablation <n>`): `ablation_success`, `ablation_conflicts` (count, rate = count / pairs,
 *   Wilson ci) and `ablation_messaging_share` (rate = mean share of steps on messaging, count = pairs it covers; empty
 *   without an analysis.json) per coop run, `communication` naming its mode; `ablation_not_compared` rows name why not;
 * - `unreadable`: a pair's file that could not be read (run, note = why); its pair is in no count;
 * - the other sections (`tableSections`), a row per table row with scope = the section's id and its
 *   notes as `<id>_note` rows: `timing` (value = median seconds per pair, count = wall seconds), `team_run` (measure = the
 *   features, note = the passes by strategy, count = tasks done, value = median seconds to the first claim), `team_ablation`
 *   (measure = the flag, pairs = common pairs, count = the baseline's passes on them, passed, rate = Δ ablated − baseline,
 *   ci = Newcombe's paired interval, mcnemar_p, dropped) and `team_ablation_not_compared` (measure = the baseline, note = why).
 * Cost is on overall rows only: empty when no pair's cost is known (a model without a price), a lower bound when
 * `cost_unknown_pairs` > 0. Rates and bounds are proportions (0–1); an empty rate means no pair was judged.
 */
export function renderCsv(report: RunReport): string {
  const rows: Field[][] = [[...CSV_COLUMNS], ...report.policyNotes.map((note) => record({ scope: 'policy_note', note }))]
  for (const section of deficitsBeforeLeaderboard(tableSections(report))) rows.push(...(ownLayout(CSV_LAYOUTS, section)?.() ?? sectionRows(section)))
  return rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n'
}

/** The tidy table has always listed the deficits before the leaderboard made of them. */
function deficitsBeforeLeaderboard(sections: TableSection[]): TableSection[] {
  const rest = sections.filter((s) => s.id !== 'leaderboard')
  const after = rest.findIndex((s) => s.id === 'deficit') + 1
  return after === 0 ? sections : [...rest.slice(0, after), ...sections.filter((s) => s.id === 'leaderboard'), ...rest.slice(after)]
}

/** One measure per row: each run's overall, per-repo, merge-outcome and policy rows together, a row per deficit, leaderboard, analysis and ablation measure. */
const CSV_LAYOUTS: OwnLayouts<Field[][]> = {
  runs: ({ settings }) => settings.flatMap(runRows),
  merge: () => [],
  policies: () => [],
  'per-repo': () => [],
  deficits: ({ deficits }) => deficits.flatMap(deficitRows),
  leaderboard: ({ rows }) => rows.flatMap(leaderboardRows),
  analysis: ({ analysis }) => analysisRows(analysis),
  ablation: ({ ablation, group }) => ablationRows(ablation, group),
}

/** A run's overall row, then its per-repo, merge-outcome and (when it shows them) policy rows. */
function runRows(s: SettingReport): Field[][] {
  const rows = [settingRow(s, 'overall', '', s, s.cost), ...s.perRepo.map((r) => settingRow(s, 'repo', r.repo, r, null))]
  for (const m of s.byMerge) {
    const counts = { pairs: m.pairs, evaluated: m.pairs, passed: m.passed, failed: m.pairs - m.passed, rate: m.rate }
    rows.push(record({ ...settingHead(s), scope: `merge_${m.outcome}`, ...counts }))
  }
  for (const p of showsPolicies(s) ? s.policies : []) {
    const counts = { pairs: p.pairs, evaluated: p.evaluated, passed: p.passed, failed: p.failed, errors: p.errors, rate: p.rate }
    const mix = Object.entries(p.passesBy).map(([strategy, n]) => `${strategy}=${n}`)
    rows.push(
      record({ ...settingHead(s), scope: 'policy', measure: p.policy, value: p.rateWithErrors, ...counts, note: `${p.file}; passes by ${mix.join(' ')}` }),
    )
  }
  return rows
}

type Fields = Partial<Record<CsvColumn, Field>>

/** A row from named fields; the others are empty. */
function record(fields: Fields): Field[] {
  return CSV_COLUMNS.map((c) => fields[c] ?? null)
}

function settingHead(s: SettingReport) {
  return { run: s.runs.join(', '), agent: s.agent, model: s.model, setting: s.setting, team_size: s.teamSize, interrupted: s.interrupted }
}

function settingRow(s: SettingReport, scope: 'overall' | 'repo', repo: string, row: RateRow, cost: number | null): Field[] {
  const overall = scope === 'overall'
  return record({
    ...settingHead(s),
    scope,
    repo,
    pairs: row.pairs,
    evaluated: row.evaluated,
    passed: row.passed,
    failed: row.failed,
    errors: row.errors,
    ...rateFields(row.rate, row.ci),
    strict_rate: overall ? s.strict.rate : null,
    strict_ci_low: overall ? (s.strict.ci?.low ?? null) : null,
    strict_ci_high: overall ? (s.strict.ci?.high ?? null) : null,
    // No sum when no pair's cost is known: an empty cost, never 0.
    cost: cost !== null && s.costUnknownPairs >= s.pairs ? null : cost,
    cost_unknown_pairs: overall ? s.costUnknownPairs : null,
  })
}

/** A section of the section model: a row per table row, its cells in the columns the section names, then its notes. */
function sectionRows(s: TableSection): Field[][] {
  const rows = s.rows.map((cells) => {
    const fields: Fields = { scope: s.id }
    for (const { column, index } of columnsIn(s, 'csv')) {
      const targets = column.csv === undefined ? [] : Array.isArray(column.csv) ? column.csv : [column.csv]
      const values = cellValues(cells[index] as Cell)
      targets.forEach((target, j) => {
        fields[target] = values[j] ?? null
      })
    }
    return record(fields)
  })
  return [...rows, ...s.notes.map((note) => record({ scope: `${s.id}_note`, note }))]
}

/** The strategies behind a multi-agent run's passes, a row each: count and share of its passes. */
function strategyRows(head: Fields, scope: string, mix: Deficit['passesBy']): Field[][] {
  const total = Object.values(mix).reduce((a, b) => a + b, 0)
  return Object.entries(mix)
    .filter(([, n]) => n > 0)
    .map(([strategy, n]) => record({ ...head, scope, measure: strategy, count: n, rate: n / total }))
}

function deficitRows(d: Deficit): Field[][] {
  const a = d.agreement
  const dropped = d.dropped.soloOnly + d.dropped.coopOnly + d.dropped.notJudgedInBoth
  const head = {
    run: `${d.soloRun} vs ${d.coopRun}`,
    setting: `solo-${d.setting}`,
    team_size: d.teamSize,
    pairs: d.pairs,
    both_pass: a.bothPass,
    solo_only: a.soloOnly,
    coop_only: a.coopOnly,
    neither: a.neither,
    mcnemar_p: d.mcnemar.pValue,
    dropped,
    note: d.notes.join('; ') || null,
  }
  return [
    record({
      ...head,
      scope: 'relative_deficit',
      ...relativeFields(d.relative),
      note: [d.relative.notEstimable, ...d.notes].filter(Boolean).join('; ') || null,
    }),
    record({ ...head, scope: 'deficit_points', ...rateFields(d.difference, d) }),
    record({ ...head, scope: 'strict_relative_deficit', ...relativeFields(d.strict.relative) }),
    ...strategyRows({ run: head.run, setting: head.setting, team_size: d.teamSize, pairs: d.pairs }, 'passes_by_strategy', d.passesBy),
  ]
}

/** A rate (or an estimate) with its interval, empty where there is none. */
function rateFields(rate: number | null, ci: { low: number | null; high: number | null } | null): Fields {
  return { rate, ci_low: ci?.low ?? null, ci_high: ci?.high ?? null }
}

function relativeFields(r: Deficit['relative']): Fields {
  return rateFields(r.value, r)
}

/** A failure category's row: the judged failed pairs in it, and their share with its interval. */
function categoryRow(head: Fields, scope: string, c: RunAnalysisReport['categories'][number]): Field[] {
  return record({ ...head, scope, measure: c.category, count: c.count, ...rateFields(c.share, c.ci) })
}

function leaderboardRows(l: LeaderboardRow): Field[][] {
  const head = {
    run: `${l.soloRun} vs ${l.coopRun}`,
    agent: l.agent,
    model: l.model,
    setting: `solo-${l.setting}`,
    team_size: l.teamSize,
    communication: l.setting === 'team' ? `team, ${l.features ?? 'features unknown'}, ${l.communication ?? '?'}` : l.communication,
    pairs: l.pairs,
  }
  const rate = (scope: string, r: LeaderboardRow['solo']) => record({ ...head, scope, ...rateFields(r.rate, r) })
  return [
    rate('leaderboard_solo', l.solo),
    rate('leaderboard_coop', l.coop),
    record({ ...head, scope: 'leaderboard_relative_deficit', ...relativeFields(l.relative), note: l.relative.notEstimable }),
    rate('leaderboard_strict', l.strict),
    ...strategyRows(head, 'leaderboard_passes_by_strategy', l.passesBy),
    ...(l.analysis?.categories ?? []).map((c) => categoryRow(head, 'leaderboard_failure_share', c)),
  ]
}

function analysisRows(a: RunAnalysisReport): Field[][] {
  const head = { run: a.run, setting: 'coop', pairs: a.judged, note: a.judge ? `judge ${a.judge.model} (${a.judge.prompt_version})` : null }
  const categories = a.judge === null ? [] : a.categories.map((c) => categoryRow(head, 'failure_category', c))
  const signals = Object.entries(a.signals).map(([measure, value]) =>
    record({ run: a.run, setting: 'coop', pairs: a.pairsAnalyzed, scope: 'analysis_signal', measure, value }),
  )
  return [...categories, ...signals]
}

type AblationMeasure = Ablation['variants'][number]['success']

function ablationRows(a: Ablation, group: string): Field[][] {
  return a.variants.flatMap((v) => {
    const head = { run: v.run, setting: 'coop', team_size: a.teamSize, pairs: a.pairs, dropped: a.dropped, communication: v.mode, note: group }
    const measure = (scope: string, m: AblationMeasure) => record({ ...head, scope, count: m.count, ...rateFields(m.rate, m.ci) })
    return [
      measure('ablation_success', v.success),
      measure('ablation_conflicts', v.conflicts),
      record({ ...head, scope: 'ablation_messaging_share', count: v.messagingSharePairs, rate: v.messagingShare }),
    ]
  })
}

/** A field as RFC 4180 wants it: quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string | number | boolean | null): string {
  const text = value === null ? '' : typeof value === 'number' ? String(round6(value)) : String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

export { CSV_COLUMNS }
