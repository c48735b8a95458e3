import type { Ablation, RefusedAblation } from '../../model/ablation.js'
import { percentNumber } from '../labels.js'
import { count, fraction, interval, rate, rateOf, type TableSection, text } from './section-model.js'

/** Coop runs of one configuration with and without messaging or git: success, merge conflicts and steps on messaging, on the pairs judged in every run. */
export function ablationSection(a: Ablation, index: number, of: number): TableSection {
  const teams = a.teamSize === 2 ? '' : `teams of ${a.teamSize}: `
  const dropped = a.dropped ? `; dropped: ${a.dropped} not judged in every run` : ''
  const title = `Communication ablation (${teams}${a.pairs} pairs judged in every run${dropped})`
  return {
    id: `ablation${of > 1 ? `-${index + 1}` : ''}`,
    title,
    caption: 'Conflicts: the naive merge of the patches conflicted (the union merge was then tested).',
    latexCaption:
      `${title}: coop runs of the same agent, model, limits and prompts with and without messaging or the shared git remote, ` +
      'on the pairs judged in every run. Success: all features pass; conflicts: the naive merge conflicted; ' +
      'messaging: mean share of steps spent sending or reading messages. 95% Wilson intervals.',
    columns: [
      { label: 'coop run', align: 'left', header: { latex: 'Run' } },
      { label: 'communication', align: 'left' },
      { label: 'passed', align: 'right', only: ['text'] },
      { label: 'success', align: 'right', only: ['text', 'latex'], header: { latex: 'Success (%)' } },
      { label: 'success', align: 'right', only: ['md'] },
      { label: '95% CI', align: 'left' },
      { label: 'conflicts', align: 'right', only: ['text'] },
      { label: 'rate', align: 'right', only: ['text', 'latex'], header: { latex: 'Conflicts (%)' } },
      { label: 'merge conflicts', align: 'right', only: ['md'] },
      { label: '95% CI', align: 'left' },
      { label: 'steps on messaging', align: 'right', only: ['text', 'md'] },
      { label: 'messaging', align: 'right', only: ['latex'], header: { latex: 'Messaging (%)' } },
    ],
    rows: a.variants.map((v) => [
      text(v.run),
      text(v.mode),
      fraction(v.success.count, a.pairs),
      rate(v.success.rate),
      rateOf(v.success.rate, v.success.count, a.pairs),
      interval(v.success.ci),
      fraction(v.conflicts.count, a.pairs),
      rate(v.conflicts.rate),
      rateOf(v.conflicts.rate, v.conflicts.count, a.pairs),
      interval(v.conflicts.ci),
      text(v.messagingShare === null ? 'unknown (no analysis.json)' : `${percentNumber(v.messagingShare)}% (${v.messagingSharePairs} pairs)`),
      rate(v.messagingShare),
    ]),
    notes: [],
    source: { kind: 'ablation', ablation: a, group: `ablation ${index + 1}` },
  }
}

/** Coop runs of different communication modes whose configurations differ: no ablation, and why. */
export function refusedAblationsSection(refused: RefusedAblation[]): TableSection {
  return {
    id: 'ablation_not_compared',
    title: 'Communication ablation: not compared',
    caption: 'Coop runs of different communication modes whose configurations differ otherwise: their rates are in the tables above, never compared.',
    columns: [
      { label: 'runs', align: 'left', csv: 'run' },
      { label: 'setting', align: 'left', csv: 'setting', only: ['csv'] },
      { label: 'team size', align: 'right', csv: 'team_size' },
      { label: 'why', align: 'left', csv: 'note' },
    ],
    rows: refused.map((r) => [text(r.runs.join(' vs ')), text('coop'), count(r.teamSize), text(r.reasons.join('; '))]),
    notes: [],
  }
}
