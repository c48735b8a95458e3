import { PairFiles } from '@cooperbench/core/results'
import { strategyMixText } from '../../model/policy-rates.js'
import type { SettingReport } from '../../model/report.js'
import type { RefusedTeamAblation, TeamAblation } from '../../model/team-ablation.js'
import { featuresText } from '../../model/team-features.js'
import { type Cell, count, duration, fraction, type TableSection, text } from './section-model.js'

function rowName(s: SettingReport): string {
  return `${s.runs.join(', ')} (${s.setting}${s.teamSize === 2 ? '' : `, teams of ${s.teamSize}`})`
}

/** Median time per pair and each run's wall time, for every row. */
export function timingSection(rows: SettingReport[]): TableSection {
  return {
    id: 'timing',
    title: 'Time',
    caption:
      "Median time per pair (the agents' run, result.json duration_seconds, without evaluation) and the run's wall time " +
      "(first pair's start to last pair's end: pairs run side by side, and a resumed run's pause counts).",
    columns: [
      { label: 'run', align: 'left', csv: 'run' },
      { label: 'setting', align: 'left', csv: 'setting' },
      { label: 'team size', align: 'right', csv: 'team_size' },
      { label: 'pairs', align: 'right', csv: 'pairs' },
      { label: 'median per pair', align: 'right', csv: 'value' },
      { label: 'wall time', align: 'right', csv: 'count' },
    ],
    rows: rows.map((s) => [
      text(s.runs.join(', ')),
      text(s.setting),
      count(s.teamSize),
      count(s.pairs),
      duration(s.timing.medianPairSeconds),
      duration(s.timing.wallSeconds),
    ]),
    notes: [],
  }
}

/** Per team row: lead, features, how its passes were made, and the task board's metrics. */
export function teamRunsSection(rows: SettingReport[]): TableSection {
  return {
    id: 'team_run',
    title: 'Team runs',
    caption:
      "Lead, features and the task board's metrics (result.json metrics, summed over the pairs that have them; none when the task list was off). " +
      "Passes by strategy: under cooperbench-0.0.16 a conflicted merge is scored by the lead's patch alone (solo-agent1), a pass that says nothing of the merge.",
    columns: [
      { label: 'run', align: 'left', csv: 'run' },
      { label: 'team', align: 'right', csv: 'team_size' },
      { label: 'lead', align: 'left' },
      { label: 'features', align: 'left', csv: 'measure' },
      { label: 'passes by strategy', align: 'left', csv: 'note' },
      { label: 'tasks done', align: 'right', csv: 'count' },
      { label: 'unowned at end', align: 'right' },
      { label: 'median to first claim', align: 'right', csv: 'value' },
      { label: 'claims / updates', align: 'right' },
    ],
    rows: rows.map((s) => {
      const t = s.team!
      const m = t.metrics
      const own = s.policies.find((p) => p.file === PairFiles.eval)
      const none = m.pairs === 0
      return [
        text(s.runs.join(', ')),
        count(s.teamSize),
        text(t.lead ?? '?'),
        text(featuresText(t.features, t.featuresMixed)),
        text(own ? `${own.policy}: ${strategyMixText(own.passesBy)}` : 'not evaluated'),
        none ? text('–') : fraction(m.tasksDone, m.tasksTotal),
        none ? text('–') : count(m.unownedAtEnd),
        none ? text('–') : duration(m.medianSecondsToFirstClaim),
        none ? text('–') : fraction(m.claims, m.updates),
      ]
    }),
    notes: rows
      .filter((s) => s.team!.metrics.pairs > 0 && s.team!.metrics.pairsWithoutClaim > 0)
      .map((s) => `${rowName(s)}: ${s.team!.metrics.pairsWithoutClaim} pair(s) with no claim at all`),
  }
}

/** The one-feature-off ablation: the baseline, then a row per flag, each paired with the baseline on the pairs both judged. */
export function teamAblationSection(a: TeamAblation, suffix: string): TableSection {
  const teams = a.teamSize === 2 ? '' : `, teams of ${a.teamSize}`
  return {
    id: `team_ablation${suffix.replace('-', '_')}`,
    title: `Team ablation, one feature off (baseline ${a.baseline.run}${teams})`,
    caption:
      'Each run with one team feature off against the baseline (every feature on) of the same agent, model, limits, prompts, communication and evaluation policy, ' +
      "on the pairs both judged: passes, Δ = ablated − baseline in points with Newcombe's paired 95% interval, and McNemar's exact p.",
    columns: [
      { label: 'flag', align: 'left', csv: 'measure' },
      { label: 'run', align: 'left', csv: 'run' },
      { label: 'pairs', align: 'right', csv: 'pairs' },
      { label: 'baseline passed', align: 'right', csv: 'count' },
      { label: 'passed', align: 'right', csv: 'passed' },
      { label: 'Δ (points)', align: 'right', csv: 'rate' },
      { label: '95% CI', align: 'left', csv: ['ci_low', 'ci_high'] },
      { label: 'McNemar p', align: 'right', csv: 'mcnemar_p' },
      { label: 'dropped', align: 'right', csv: 'dropped' },
    ],
    rows: [
      [
        text('baseline (all on)'),
        text(a.baseline.run),
        count(a.baseline.judged),
        text('–'),
        count(a.baseline.passed),
        text('–'),
        text('–'),
        text('–'),
        text('–'),
      ],
      ...a.rows.map((r) => [
        text(r.flag),
        text(r.run),
        count(r.pairs),
        count(r.baselinePassed),
        count(r.passed),
        { kind: 'points', value: r.delta } as Cell,
        { kind: 'interval', low: r.low, high: r.high, points: true } as Cell,
        { kind: 'p', value: r.mcnemar.pValue } as Cell,
        count(r.dropped),
      ]),
    ],
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
      { label: 'run', align: 'left', csv: 'run' },
      { label: 'team', align: 'right', csv: 'team_size' },
      { label: 'baseline', align: 'left', csv: 'measure' },
      { label: 'why', align: 'left', csv: 'note' },
    ],
    rows: refused.map((r) => [text(r.run), count(r.teamSize), text(r.baseline ?? '–'), text(r.reasons.join('; '))]),
    notes: [],
  }
}
