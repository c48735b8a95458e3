import type { RefusedComparison } from '../../model/deficit.js'
import { count, type ReportSection, text } from './section-model.js'

/** Solo × coop (or team) runs of the same pair size whose configurations differ: not compared, and why. */
export function refusedComparisonsSection(refused: RefusedComparison[]): ReportSection {
  return {
    id: 'not_compared',
    title: 'Not compared',
    caption: 'Solo and coop (or team) runs whose configurations differ: their rates are in the tables above, never set against each other.',
    columns: [
      { label: 'runs', csv: 'run' },
      { label: 'settings', csv: 'setting' },
      { label: 'pair size', align: 'right', csv: 'pair_size' },
      { label: 'why', csv: 'note' },
    ],
    rows: refused.map((r) => [text(`${r.soloRun} vs ${r.coopRun}`), text(`solo-${r.setting}`), count(r.pairSize), text(r.reasons.join('; '))]),
    notes: [],
  }
}
