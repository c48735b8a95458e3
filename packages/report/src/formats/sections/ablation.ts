import type { Ablation, RefusedAblation } from '../../model/ablation.js'
import { type ReportCell, type ColumnOf, count, csvRecords, fraction, interval, rate, rateFields, rateOf } from './section-model.js'
import { percentNumber, type SectionFormat, type ReportSection, tableOf, text } from './section-model.js'

/** Coop runs of one configuration with and without messaging or git: success, merge conflicts and steps on messaging, on the pairs judged in every run. */
export function ablationSection(a: Ablation, index: number, of: number): ReportSection {
  const size = a.pairSize === 2 ? '' : `pairs of ${a.pairSize} features: `
  const dropped = a.dropped ? `; dropped: ${a.dropped} not judged in every run` : ''
  const title = `Communication ablation (${size}${a.pairs} pairs judged in every run${dropped})`
  // Text: passed and rate; Markdown: the rate with its count; LaTeX: the rate.
  const withCount = (m: { count: number; rate: number | null }) => rateOf(m.rate, m.count, a.pairs)
  const textLatex: SectionFormat[] = ['text', 'latex']
  const columns: Array<ColumnOf<Variant>> = [
    { label: 'coop run', header: { latex: 'Run' }, cell: (v) => text(v.run) },
    { label: 'communication', cell: (v) => text(v.mode) },
    { label: 'passed', align: 'right', only: ['text'], cell: (v) => fraction(v.success.count, a.pairs) },
    { label: 'success', align: 'right', only: textLatex, header: SUCCESS_HEADER, cell: (v) => rate(v.success.rate) },
    { label: 'success', align: 'right', only: ['md'], cell: (v) => withCount(v.success) },
    { label: '95% CI', cell: (v) => interval(v.success.ci) },
    { label: 'conflicts', align: 'right', only: ['text'], cell: (v) => fraction(v.conflicts.count, a.pairs) },
    { label: 'rate', align: 'right', only: textLatex, header: CONFLICTS_HEADER, cell: (v) => rate(v.conflicts.rate) },
    { label: 'merge conflicts', align: 'right', only: ['md'], cell: (v) => withCount(v.conflicts) },
    { label: '95% CI', cell: (v) => interval(v.conflicts.ci) },
    { label: 'steps on messaging', align: 'right', only: ['text', 'md'], cell: messagingText },
    { label: 'Messaging (%)', align: 'right', only: ['latex'], cell: (v) => rate(v.messagingShare) },
  ]
  return {
    id: `ablation${of > 1 ? `-${index + 1}` : ''}`,
    title,
    caption: 'Conflicts: the naive merge of the patches conflicted (the union merge was then tested).',
    latexCaption:
      `${title}: coop runs of the same agent, model, limits and prompts with and without messaging or the shared git remote, ` +
      'on the pairs judged in every run. Success: all features pass; conflicts: the naive merge conflicted; ' +
      'messaging: mean share of steps spent sending or reading messages. 95% Wilson intervals.',
    ...tableOf(columns, a.variants),
    notes: [],
    // CSV has a record per run and measure (`ablationRecords`).
    only: ['text', 'md', 'latex'],
  }
}

/** CSV: per run of the ablation, its success, its merge conflicts (each with its Wilson interval) and its share of steps on messaging. */
export function ablationRecords(a: Ablation, index: number): ReportSection[] {
  return a.variants.flatMap((v) => {
    const head = {
      run: v.run,
      setting: 'coop',
      pair_size: a.pairSize,
      pairs: a.pairs,
      dropped: a.dropped,
      communication: v.mode,
      note: `ablation ${index + 1}`,
    }
    const measure = (id: string, m: Variant['success']) => csvRecords(id, [v], () => ({ ...head, count: m.count, ...rateFields(m.rate, m.ci) }))
    return [
      measure('ablation_success', v.success),
      measure('ablation_conflicts', v.conflicts),
      csvRecords('ablation_messaging_share', [v], () => ({ ...head, count: v.messagingSharePairs, rate: v.messagingShare })),
    ]
  })
}

type Variant = Ablation['variants'][number]

const SUCCESS_HEADER = { latex: 'Success (%)' }
const CONFLICTS_HEADER = { latex: 'Conflicts (%)' }

/** The mean share of steps on messaging and the pairs it covers. */
function messagingText(v: Variant): ReportCell {
  if (v.messagingShare === null) return text('unknown (no analysis.json)')
  return text(`${percentNumber(v.messagingShare)}% (${v.messagingSharePairs} pairs)`)
}

/** Coop runs of different communication modes whose configurations differ: no ablation, and why. */
export function refusedAblationsSection(refused: RefusedAblation[]): ReportSection {
  return {
    id: 'ablation_not_compared',
    title: 'Communication ablation: not compared',
    caption: 'Coop runs of different communication modes whose configurations differ otherwise: their rates are in the tables above, never compared.',
    columns: [
      { label: 'runs', csv: 'run' },
      { label: 'setting', csv: 'setting', only: ['csv'] },
      { label: 'pair size', align: 'right', csv: 'pair_size' },
      { label: 'why', csv: 'note' },
    ],
    rows: refused.map((r) => [text(r.runs.join(' vs ')), text('coop'), count(r.pairSize), text(r.reasons.join('; '))]),
    notes: [],
  }
}
