import type { Deficit, RefusedComparison } from '../../model/deficit.js'
import { count, type TableSection, text } from './section-model.js'

/** The solo × coop (and team) deficits: every format lays them out its own way (sentences, a column per comparison, tidy rows). */
export function deficitsSection(deficits: Deficit[]): TableSection {
  return {
    id: 'deficit',
    title: 'Coordination deficit',
    caption:
      'Coordination deficit on the pairs judged in both settings: relative deficit (solo − coop) / solo with a Jeffreys 95% interval ' +
      '(Dirichlet posterior of the agreement table; not estimable when solo passed no pair), ' +
      "the difference in points with Newcombe's paired 95% interval, the agreement counts (both pass / solo only / coop only / neither) " +
      "and McNemar's exact p.",
    columns: [],
    rows: [],
    notes: [],
    source: { kind: 'deficits', deficits },
  }
}

/** Solo × coop (or team) runs of the same team size whose configurations differ: not compared, and why. */
export function refusedComparisonsSection(refused: RefusedComparison[]): TableSection {
  return {
    id: 'not_compared',
    title: 'Not compared',
    caption: 'Solo and coop (or team) runs whose configurations differ: their rates are in the tables above, never set against each other.',
    columns: [
      { label: 'runs', csv: 'run' },
      { label: 'settings', csv: 'setting' },
      { label: 'team size', align: 'right', csv: 'team_size' },
      { label: 'why', csv: 'note' },
    ],
    rows: refused.map((r) => [text(`${r.soloRun} vs ${r.coopRun}`), text(`solo-${r.setting}`), count(r.teamSize), text(r.reasons.join('; '))]),
    notes: [],
  }
}
