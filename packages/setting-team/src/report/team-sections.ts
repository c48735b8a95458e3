import type { ReportCell as Cell, ReportSection } from '@cooperbench/spec/report'
import { type ColumnOf, count, duration, fraction, NONE, points, pointsInterval, pValue, tableOf, text } from '@cooperbench/spec-utils/report'
import type { RefusedTeamAblation, TeamAblation } from './team-ablation.js'
import { featuresText } from './team-features.js'
import type { TeamRow } from './team-row.js'

/** `, 3 features a pair`, or nothing for two: the pair size where it is not 2. */
const pairsOf = (pairSize: number) => (pairSize === 2 ? '' : `, ${pairSize} features a pair`)

/** A cell of the task board's metrics, `–` for a row none of whose pairs has them (the task list was off). */
function metric(cell: (m: TeamRow['metrics']) => Cell): (row: TeamRow) => Cell {
  return (row) => (row.metrics.pairs === 0 ? NONE : cell(row.metrics))
}

/** Per team row: lead, features, how its passes were made, and the task board's metrics. */
export function teamRunsSection(rows: TeamRow[]): ReportSection {
  const firstClaim = metric((m) => duration(m.medianSecondsToFirstClaim))
  const columns: Array<ColumnOf<TeamRow>> = [
    { label: 'run', csv: 'run', cell: (r) => text(r.run.run) },
    { label: 'pair size', align: 'right', csv: 'pair_size', cell: (r) => count(r.run.pairSize) },
    { label: 'lead', cell: (r) => text(r.lead ?? '?') },
    { label: 'features', csv: 'measure', cell: (r) => text(featuresText(r)) },
    { label: 'passes by strategy', csv: 'note', cell: (r) => text(ownPassesText(r)) },
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
      .filter((r) => r.metrics.pairs > 0 && r.metrics.pairsWithoutClaim > 0)
      .map((r) => `${r.run.run} (team${pairsOf(r.run.pairSize)}): ${r.metrics.pairsWithoutClaim} pair(s) with no claim at all`),
  }
}

/** `cooperbench-0.0.16: naive 3 (38%), solo-agent1 1 (13%)`: the passes of a row's own verdicts (eval.json) by merge strategy. */
function ownPassesText(row: TeamRow): string {
  const own = row.run.policies[0]
  return own ? `${own.policy}: ${own.passesBy}` : 'not evaluated'
}

/** The one-feature-off ablation: the baseline, then a row per flag, each paired with the baseline on the pairs both judged. */
export function teamAblationSection(a: TeamAblation, suffix: string): ReportSection {
  const columns: Array<ColumnOf<TeamAblation['rows'][number]>> = [
    { label: 'flag', csv: 'measure', cell: (r) => text(r.flag) },
    { label: 'run', csv: 'run', cell: (r) => text(r.run) },
    { label: 'pairs', align: 'right', csv: 'pairs', cell: (r) => count(r.pairs) },
    { label: 'baseline passed', align: 'right', csv: 'count', cell: (r) => count(r.agreement.bothPass + r.agreement.firstOnly) },
    { label: 'passed', align: 'right', csv: 'passed', cell: (r) => count(r.agreement.bothPass + r.agreement.secondOnly) },
    { label: 'Δ (points)', align: 'right', csv: 'rate', cell: (r) => points(r.difference) },
    { label: '95% CI', csv: ['ci_low', 'ci_high'], cell: pointsInterval },
    { label: 'McNemar p', align: 'right', csv: 'mcnemar_p', cell: (r) => pValue(r.mcnemar.pValue) },
    { label: 'dropped', align: 'right', csv: 'dropped', cell: (r) => count(r.dropped) },
  ]
  const { rows } = tableOf(columns, a.rows)
  const { run, judged, passed } = a.baseline
  const baseline = [text('baseline (all on)'), text(run), count(judged), NONE, count(passed), NONE, NONE, NONE, NONE]
  return {
    id: `team_ablation${suffix.replace('-', '_')}`,
    title: `Team ablation, one feature off (baseline ${a.baseline.run}${pairsOf(a.pairSize)})`,
    caption:
      'Each run with one team feature off against the baseline (every feature on) of the same agent, model, limits, prompts, communication and evaluation policy, ' +
      "on the pairs both judged: passes, Δ = ablated − baseline in points with Newcombe's paired 95% interval, and McNemar's exact p.",
    columns,
    rows: [baseline, ...rows],
    notes: [
      ...a.rows.map(
        (r) =>
          `${r.flag}: both passed ${r.agreement.bothPass}, baseline only ${r.agreement.firstOnly}, ` +
          `${r.run} only ${r.agreement.secondOnly}, neither ${r.agreement.neither}`,
      ),
      ...a.notes,
    ],
  }
}

/** Team runs with features off that are in no ablation table, and why. */
export function refusedTeamAblationSection(refused: RefusedTeamAblation[]): ReportSection {
  return {
    id: 'team_ablation_not_compared',
    title: 'Team runs not in an ablation',
    caption:
      'Team runs with a feature off that no baseline of the same configuration could be set against: their rates are in the tables above, never compared.',
    columns: [
      { label: 'run', csv: 'run' },
      { label: 'pair size', align: 'right', csv: 'pair_size' },
      { label: 'baseline', csv: 'measure' },
      { label: 'why', csv: 'note' },
    ],
    rows: refused.map((r) => [text(r.run), count(r.pairSize), text(r.baseline ?? '–'), text(r.reasons.join('; '))]),
    notes: [],
  }
}
