import { join } from 'node:path'
import { isObject, readJsonChecked, RunFiles } from '@cooperbench/results'

/** A share with its Wilson 95% interval, as analysis.json stores each failure category. */
export interface CategoryShare {
  category: string
  count: number
  share: number
  ci: { low: number; high: number }
}

/** The means analysis.json keeps over a run's evaluated coop pairs: signals computed without a model. */
export interface AnalysisSignalsSummary {
  messages_per_pair: number
  /** Mean over the pairs with model steps; null when no pair had any (the oracle agent). */
  messaging_step_share: number | null
  /** Mean over the pairs with recorded tokens; null when none had any. */
  messaging_token_share: number | null
  unanswered_questions_per_pair: number
  pairs_with_shared_files: number
  broken_promises: number
}

/** One pair of analysis.json as `report` and `view` read it. */
export interface StoredPairAnalysis {
  repo: string
  task_id: number
  features: number[]
  outcome: string
  signals: { messaging_step_share: number | null; messages: number }
  judgement: { category: string; reason: string; evidence: Array<{ source: string; quote: string; found: boolean }>; model?: string } | null
  judge_error: string | null
}

/** What `report` and `view` read of analysis.json (`cooperbench analyze`; the CLI types the full record): judge, category shares, signals. */
export interface StoredAnalysis {
  analyzedAt: string | null
  judge: { model: string; prompt_version: string } | null
  pairs: StoredPairAnalysis[]
  failed: number
  judged: number
  categories: CategoryShare[]
  signals: AnalysisSignalsSummary
}

/** A run's analysis.json, or null without one; a file that is not an analysis record is a problem, never "no analysis". */
export async function readRunAnalysis(runDirectory: string): Promise<{ analysis: StoredAnalysis | null; problem: string | null }> {
  const path = join(runDirectory, RunFiles.analysis)
  const read = await readJsonChecked<Record<string, unknown>>(path)
  if (read.problem) return { analysis: null, problem: `${path} ${read.problem}` }
  if (read.value === null) return { analysis: null, problem: null }
  const analysis = parseAnalysis(read.value)
  return typeof analysis === 'string' ? { analysis: null, problem: `${path} is not an analysis record: ${analysis}` } : { analysis, problem: null }
}

/** The analysis, or what keeps the record from being one. */
function parseAnalysis(value: Record<string, unknown>): StoredAnalysis | string {
  if (!isObject(value)) return 'it is not a JSON object'
  const summary = value.summary as Record<string, unknown> | undefined
  const pairs = value.pairs
  if (!Array.isArray(pairs)) return '"pairs" is not a list'
  if (!isObject(summary)) return '"summary" is not an object'
  if (!isObject(summary.categories) || !isObject(summary.signals)) return '"summary" lacks its "categories" or "signals" object'
  const categories: CategoryShare[] = []
  for (const [category, entry] of Object.entries(summary.categories)) {
    if (!isObject(entry) || typeof entry.count !== 'number' || typeof entry.share !== 'number' || !isObject(entry.ci)) {
      return `category "${category}" has no count, share and interval`
    }
    categories.push({ category, count: entry.count, share: entry.share, ci: { low: Number(entry.ci.low), high: Number(entry.ci.high) } })
  }
  const judge = isObject(value.judge) ? { model: String(value.judge.model), prompt_version: String(value.judge.prompt_version) } : null
  return {
    analyzedAt: typeof value.analyzed_at === 'string' ? value.analyzed_at : null,
    judge,
    pairs: pairs.filter(isObject).filter((p) => Array.isArray(p.features) && isObject(p.signals)) as unknown as StoredPairAnalysis[],
    failed: Number(summary.failed ?? 0),
    judged: Number(summary.judged ?? 0),
    categories,
    signals: summary.signals as unknown as AnalysisSignalsSummary,
  }
}

/** `repo/task/f1_f2` of an analysed pair, the same key `pairKey` gives a pair folder. */
export function analysedPairKey(pair: Pick<StoredPairAnalysis, 'repo' | 'task_id' | 'features'>): string {
  return `${pair.repo}/${pair.task_id}/${[...pair.features].sort((a, b) => a - b).join('_')}`
}
