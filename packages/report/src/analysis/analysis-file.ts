import type { AnalysisSignalsSummary } from '../readers/run-analysis.js'
import { wilsonInterval } from '../statistics/confidence.js'
import { CATEGORIES, type Category, type Judgement } from './judge.js'
import type { PairSignals } from './signals.js'

/** `analysis.json` in a coop run's folder, written by `cooperbench analyze`. */
export interface AnalysisRecord {
  run_name: string
  analyzed_at: string
  /** The judge behind the categories (part of the analysis' fingerprint); null when no judge ran. */
  judge: { model: string; prompt_version: string } | null
  pairs: PairAnalysis[]
  summary: AnalysisSummary
}

/** How a pair ended: `error` is an evaluation that did not judge it (never a fail); `unreadable`: result.json or eval.json unreadable. */
export type PairOutcome = 'passed' | 'failed' | 'error' | 'unevaluated' | 'unreadable'

export interface PairAnalysis {
  repo: string
  task_id: number
  features: number[]
  outcome: PairOutcome
  signals: PairSignals
  /** Failed pairs only, once judged. */
  judgement: (Judgement & { model: string; input_sha256: string }) | null
  /** Why a failed pair has no judgement (the model's answer did not fit, the call failed). */
  judge_error: string | null
  /** Outcome `unreadable` only: each file that cannot be read, with why. */
  unreadable?: string[]
}

export interface AnalysisSummary {
  pairs: number
  failed: number
  judged: number
  /** Pairs whose records cannot be read, when there are any: in no other count. */
  unreadable?: number
  /** Share of judged failed pairs per category, with Wilson 95 % intervals. */
  categories: Record<Category, { count: number; share: number; ci: { low: number; high: number } }>
  /** Means over every evaluated coop pair (the shape `report` and `view` read back). */
  signals: AnalysisSignalsSummary
}

export function summarise(pairs: PairAnalysis[]): AnalysisSummary {
  const judged = pairs.filter((p) => p.judgement !== null)
  const categories = Object.fromEntries(
    CATEGORIES.map((category) => {
      const count = judged.filter((p) => p.judgement!.category === category).length
      return [category, { count, share: judged.length === 0 ? 0 : count / judged.length, ci: wilsonInterval(count, judged.length) }]
    }),
  ) as AnalysisSummary['categories']
  const evaluated = pairs.filter((p) => p.outcome === 'passed' || p.outcome === 'failed')
  const mean = (value: (p: PairAnalysis) => number) => (evaluated.length === 0 ? 0 : evaluated.reduce((sum, p) => sum + value(p), 0) / evaluated.length)
  // A share is averaged over the pairs that have one: pairs without model steps (the oracle) have none.
  const meanShare = (value: (p: PairAnalysis) => number | null) => {
    const known = evaluated.map(value).filter((x) => x !== null)
    return known.length === 0 ? null : known.reduce((sum, x) => sum + x, 0) / known.length
  }
  return {
    pairs: pairs.length,
    failed: pairs.filter((p) => p.outcome === 'failed').length,
    judged: judged.length,
    ...((n) => (n > 0 ? { unreadable: n } : {}))(pairs.filter((p) => p.outcome === 'unreadable').length),
    categories,
    signals: {
      messages_per_pair: mean((p) => p.signals.messages),
      messaging_step_share: meanShare((p) => p.signals.messaging_step_share),
      messaging_token_share: meanShare((p) => p.signals.messaging_token_share),
      unanswered_questions_per_pair: mean((p) => p.signals.unanswered_questions.length),
      pairs_with_shared_files: evaluated.filter((p) => p.signals.files_both_edited.length > 0).length,
      broken_promises: evaluated.reduce((sum, p) => sum + p.signals.broken_promises.length, 0),
    },
  }
}
