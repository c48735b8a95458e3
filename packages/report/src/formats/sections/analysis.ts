import type { RunAnalysisReport } from '../../model/report.js'
import { shareText } from '../labels.js'
import { type ReportCell, type ColumnOf, count, csvRecords, formatOnly, fraction, interval, rate, rateFields, seq } from './section-model.js'
import { categoryName, type ReportSection, tableOf, text } from './section-model.js'

/** A coop run's analysis.json: its failure categories with their shares and intervals (when judged), and the signals computed without a model. */
export function analysisSection(a: RunAnalysisReport): ReportSection {
  const stale = a.coopPairs > a.pairsAnalyzed ? ` (rerun cooperbench analyze -n ${a.run} for the rest)` : ''
  const judge =
    a.judge === null
      ? `categories not judged (cooperbench analyze -n ${a.run} -m MODEL)`
      : `judge ${a.judge.model} (${a.judge.prompt_version}), ${a.judged} of ${a.failed} failed pairs judged; a model's judgement, not ground truth`
  const s = a.signals
  const messaging =
    s.messaging_step_share === null
      ? 'steps on messaging n/a (no model steps)'
      : `${shareText(s.messaging_step_share)} of steps on messaging (${shareText(s.messaging_token_share)} of tokens)`
  const columns: Array<ColumnOf<RunAnalysisReport['categories'][number]>> = [
    { label: 'category', cell: (c) => text(categoryName(c.category)) },
    { label: 'failed pairs', align: 'right', cell: (c) => count(c.count) },
    { label: 'share', align: 'right', cell: (c) => rate(c.share) },
    { label: '95% CI', cell: (c) => interval(c.ci) },
  ]
  return {
    id: 'failure_categories',
    title: `Failure analysis (${a.run}): ${a.pairsAnalyzed} of ${a.coopPairs} coop pairs analysed${stale}; ${judge}`,
    caption:
      `Signals (no model): ${s.messages_per_pair.toFixed(2)} messages per pair, ${messaging}, ${s.unanswered_questions_per_pair.toFixed(2)} unanswered questions per pair, ` +
      `${s.pairs_with_shared_files} pairs editing a common file, ${s.broken_promises} broken promise${s.broken_promises === 1 ? '' : 's'}.`,
    ...tableOf(columns, a.judge === null ? [] : a.categories),
    notes: [],
    // LaTeX has a column for the run (`analysisTable`), CSV a record per category and signal (`analysisRecords`).
    only: ['text', 'md'],
  }
}

const CATEGORY_CAPTION =
  "Failure categories of the failed coop pairs, as an LLM judge named them (a model's judgement, not ground truth): " +
  'share of judged failed pairs with a 95% Wilson interval, and the signals computed without a model.'

/** LaTeX: a coop run's failure categories (share, interval and count), then the signals computed without a model, in a column for the run. */
export function analysisTable(a: RunAnalysisReport, index: number, of: number): ReportSection {
  const s = a.signals
  const rows: ReportCell[][] = [
    [text('Judged failed pairs'), fraction(a.judged, a.failed)],
    ...(a.judge === null ? [] : a.categories).map((c) => [
      text(categoryName(c.category)),
      seq(rate(c.share), text(' '), interval(c.ci), text(` (${c.count})`)),
    ]),
    [text('Messages per pair'), text(s.messages_per_pair.toFixed(2))],
    [text('Steps on messaging (%)'), rate(s.messaging_step_share)],
    [text('Unanswered questions per pair'), text(s.unanswered_questions_per_pair.toFixed(2))],
    [text('Pairs editing a common file'), count(s.pairs_with_shared_files)],
    [text('Broken promises'), count(s.broken_promises)],
  ]
  const columns = [{ label: '' }, { label: a.run, align: 'right' as const, header: { latex: a.run } }]
  return formatOnly('latex', `failure-categories${of > 1 ? `-${index + 1}` : ''}`, { columns, rows, caption: CATEGORY_CAPTION })
}

/** CSV: a record per judged failure category (its share with the Wilson interval), then one per signal. */
export function analysisRecords(a: RunAnalysisReport): ReportSection[] {
  const note = a.judge ? `judge ${a.judge.model} (${a.judge.prompt_version})` : null
  const categories = a.judge === null ? [] : a.categories
  return [
    csvRecords('failure_category', categories, (c) => ({
      run: a.run,
      setting: 'coop',
      pairs: a.judged,
      note,
      measure: c.category,
      count: c.count,
      ...rateFields(c.share, c.ci),
    })),
    csvRecords('analysis_signal', Object.entries(a.signals), ([measure, value]) => ({ run: a.run, setting: 'coop', pairs: a.pairsAnalyzed, measure, value })),
  ]
}
