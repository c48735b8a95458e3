import { PairFiles } from '@cooperbench/core/results'
import { strategyMixText } from '../../model/policy-rates.js'
import type { SettingReport } from '../../model/report.js'
import type { RefusedTeamAblation, TeamAblation } from '../../model/team-ablation.js'
import type { TeamRowReport } from '../../model/team-row.js'
import { featuresText } from '../../model/team-features.js'
import { rowName, runList, teamsOf } from '../labels.js'
import { type Cell, type ColumnOf, count, duration, fraction, NONE, points, pointsInterval, pValue, type TableSection, tableOf, text } from './section-model.js'

/** Median time per pair and each run's wall time, for every row. */
export function timingSection(rows: SettingReport[]): TableSection {
  const columns: Array<ColumnOf<SettingReport>> = [
    { label: 'run', csv: 'run', cell: (s) => text(runList(s)) },
    { label: 'setting', csv: 'setting', cell: (s) => text(s.setting) },
    { label: 'team size', align: 'right', csv: 'team_size', cell: (s) => count(s.teamSize) },
    { label: 'pairs', align: 'right', csv: 'pairs', cell: (s) => count(s.pairs) },
    { label: 'median per pair', align: 'right', csv: 'value', cell: (s) => duration(s.timing.medianPairSeconds) },
    { label: 'wall time', align: 'right', csv: 'count', cell: (s) => duration(s.timing.wallSeconds) },
  ]
  return {
    id: 'timing',
    title: 'Time',
    caption:
      "Median time per pair (the agents' run, result.json duration_seconds, without evaluation) and the run's wall time " +
      "(first pair's start to last pair's end: pairs run side by side, and a resumed run's pause counts).",
    ...tableOf(columns, rows),
    notes: [],
  }
}

/** A cell of the task board's metrics, `–` for a row none of whose pairs has them (the task list was off). */
function metric(cell: (m: TeamRowReport['metrics']) => Cell): (s: SettingReport) => Cell {
  return (s) => (s.team!.metrics.pairs === 0 ? NONE : cell(s.team!.metrics))
}

/** Per team row: lead, features, how its passes were made, and the task board's metrics. */
export function teamRunsSection(rows: SettingReport[]): TableSection {
  const firstClaim = metric((m) => duration(m.medianSecondsToFirstClaim))
  const columns: Array<ColumnOf<SettingReport>> = [
    { label: 'run', csv: 'run', cell: (s) => text(runList(s)) },
    { label: 'team', align: 'right', csv: 'team_size', cell: (s) => count(s.teamSize) },
    { label: 'lead', cell: (s) => text(s.team!.lead ?? '?') },
    { label: 'features', csv: 'measure', cell: (s) => text(featuresText(s.team!.features, s.team!.featuresMixed)) },
    { label: 'passes by strategy', csv: 'note', cell: (s) => text(ownPassesText(s)) },
    { label: 'tasks done', align: 'right', csv: 'count', cell: metric((m) => fraction(m.tasksDone, m.tasksTotal)) },
    { label: 'unowned at end', align: 'right', cell: metric((m) => count(m.unownedAtEnd)) },
    { label: 'median to first claim', align: 'right', csv: 'value', cell: firstClaim },
    { label: 'claims / updates', align: 'right', cell: metric((m) => fraction(m.claims, m.updates)) },
  ]
  return {
    id: 'team_run',
    title: 'Team runs',
    caption:
      "Lead, features and the task board's metrics (result.json metrics, summed over the pairs that have them; none when the task list was off). " +
      "Passes by strategy: under cooperbench-0.0.16 a conflicted merge is scored by the lead's patch alone (solo-agent1), a pass that says nothing of the merge.",
    ...tableOf(columns, rows),
    notes: rows
      .filter((s) => s.team!.metrics.pairs > 0 && s.team!.metrics.pairsWithoutClaim > 0)
      .map((s) => `${rowName(s)}: ${s.team!.metrics.pairsWithoutClaim} pair(s) with no claim at all`),
  }
}

/** `eval-0.0.16: 3 union, 1 solo-agent1`: the passes of a row's own verdicts (eval.json) by merge strategy. */
function ownPassesText(s: SettingReport): string {
  const own = s.policies.find((p) => p.file === PairFiles.eval)
  return own ? `${own.policy}: ${strategyMixText(own.passesBy)}` : 'not evaluated'
}

/** The one-feature-off ablation: the baseline, then a row per flag, each paired with the baseline on the pairs both judged. */
export function teamAblationSection(a: TeamAblation, suffix: string): TableSection {
  const columns: Array<ColumnOf<TeamAblation['rows'][number]>> = [
    { label: 'flag', csv: 'measure', cell: (r) => text(r.flag) },
    { label: 'run', csv: 'run', cell: (r) => text(r.run) },
    { label: 'pairs', align: 'right', csv: 'pairs', cell: (r) => count(r.pairs) },
    { label: 'baseline passed', align: 'right', csv: 'count', cell: (r) => count(r.baselinePassed) },
    { label: 'passed', align: 'right', csv: 'passed', cell: (r) => count(r.passed) },
    { label: 'Δ (points)', align: 'right', csv: 'rate', cell: (r) => points(r.delta) },
    { label: '95% CI', csv: ['ci_low', 'ci_high'], cell: pointsInterval },
    { label: 'McNemar p', align: 'right', csv: 'mcnemar_p', cell: (r) => pValue(r.mcnemar.pValue) },
    { label: 'dropped', align: 'right', csv: 'dropped', cell: (r) => count(r.dropped) },
  ]
  const { rows } = tableOf(columns, a.rows)
  const { run, judged, passed } = a.baseline
  const baseline = [text('baseline (all on)'), text(run), count(judged), NONE, count(passed), NONE, NONE, NONE, NONE]
  return {
    id: `team_ablation${suffix.replace('-', '_')}`,
    title: `Team ablation, one feature off (baseline ${a.baseline.run}${teamsOf(a.teamSize)})`,
    caption:
      'Each run with one team feature off against the baseline (every feature on) of the same agent, model, limits, prompts, communication and evaluation policy, ' +
      "on the pairs both judged: passes, Δ = ablated − baseline in points with Newcombe's paired 95% interval, and McNemar's exact p.",
    columns,
    rows: [baseline, ...rows],
    notes: [
      ...a.rows.map(
        (r) =>
          `${r.flag}: both passed ${r.agreement.bothPass}, baseline only ${r.agreement.baselineOnly}, ` +
          `${r.run} only ${r.agreement.ablatedOnly}, neither ${r.agreement.neither}`,
      ),
      ...a.notes,
    ],
  }
}

/** Team runs with features off that are in no ablation table, and why. */
export function refusedTeamAblationSection(refused: RefusedTeamAblation[]): TableSection {
  return {
    id: 'team_ablation_not_compared',
    title: 'Team runs not in an ablation',
    caption:
      'Team runs with a feature off that no baseline of the same configuration could be set against: their rates are in the tables above, never compared.',
    columns: [
      { label: 'run', csv: 'run' },
      { label: 'team', align: 'right', csv: 'team_size' },
      { label: 'baseline', csv: 'measure' },
      { label: 'why', csv: 'note' },
    ],
    rows: refused.map((r) => [text(r.run), count(r.teamSize), text(r.baseline ?? '–'), text(r.reasons.join('; '))]),
    notes: [],
  }
}
