import type { RunAnalysisReport } from '../../model/report.js'
import { categoryName, shareText } from '../labels.js'
import { type ColumnOf, count, interval, rate, type TableSection, tableOf, text } from './section-model.js'

/** A coop run's analysis.json: its failure categories with their shares and intervals (when judged), and the signals computed without a model. */
export function analysisSection(a: RunAnalysisReport, index: number, of: number): TableSection {
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
    source: { kind: 'analysis', analysis: a, label: `failure-categories${of > 1 ? `-${index + 1}` : ''}` },
  }
}
