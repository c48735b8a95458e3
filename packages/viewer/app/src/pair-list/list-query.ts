import type { PairSummary } from '../../../src/model.ts'

/** Filters and sort of the pair list, kept in the URL (`#/pairs?repo=…&sort=cost`). */
export interface ListQuery {
  run?: string
  setting?: string
  repo?: string
  task?: string
  outcome?: string
  merge?: string
  messages?: string
  /** Features per pair (2 for pairs, 3 for teams of three). */
  size?: string
  /** A comparison, `solo run|coop run|pair size` (`|<setting>` for another setting's run): its common pairs (the multi-agent side), each with its solo twin. */
  cmp?: string
  /** With `cmp`: one cell of its agreement table. */
  cell?: string
  /** The failure category of analysis.json; `none` for pairs without one. */
  category?: string
  /** Text search over pair, run, repo, category, agents and feature results. */
  q?: string
  sort?: string
  /** 1-based page of PAGE_SIZE rows. */
  page?: string
}

/** Rows per page: a 652-pair run renders its list at once without laying out every row. */
export const PAGE_SIZE = 100

export const SORTS: Record<string, { label: string; compare: (a: PairSummary, b: PairSummary) => number }> = {
  pair: { label: 'pair', compare: (a, b) => a.run.localeCompare(b.run) || a.label.localeCompare(b.label, undefined, { numeric: true }) },
  'cost-desc': { label: 'cost, highest first', compare: (a, b) => b.cost - a.cost },
  'cost-asc': { label: 'cost, lowest first', compare: (a, b) => a.cost - b.cost },
  'steps-desc': { label: 'steps, most first', compare: (a, b) => b.steps - a.steps },
  'steps-asc': { label: 'steps, fewest first', compare: (a, b) => a.steps - b.steps },
  'messages-desc': { label: 'messages, most first', compare: (a, b) => b.messages - a.messages },
}

export function matches(pair: PairSummary, q: ListQuery): boolean {
  if (q.size && String(pair.features.length) !== q.size) return false
  if (q.category === 'none' ? pair.category !== null : q.category && pair.category !== q.category) return false
  if (q.q && !searchText(pair).includes(q.q.toLowerCase())) return false
  if (q.run && pair.run !== q.run) return false
  if (q.setting && pair.setting !== q.setting) return false
  if (q.repo && pair.repo !== q.repo) return false
  if (q.task && String(pair.taskId) !== q.task) return false
  if (q.outcome && outcomeOf(pair) !== q.outcome) return false
  // The overview's merge counts are of finished pairs: an unreadable pair's eval.json is in none of them.
  if (q.merge && (pair.state !== 'finished' || (q.merge === 'none' ? pair.merge !== null : pair.merge?.outcome !== q.merge))) return false
  if (q.messages === 'some' && pair.messages === 0) return false
  if (q.messages === 'none' && pair.messages > 0) return false
  return true
}

/** A finished pair's verdict, else its state: a running or unreadable pair's verdict is not trusted (the overview counts it apart too). */
export function outcomeOf(pair: Pick<PairSummary, 'state' | 'verdict'>): string {
  return pair.state === 'finished' ? pair.verdict : pair.state
}

/** What the search box looks in: pair, run, setting, repo, category, agents' statuses, feature results (`f2 failed`). */
function searchText(pair: PairSummary) {
  return [
    pair.label,
    pair.run,
    pair.setting,
    pair.category ?? '',
    outcomeOf(pair),
    ...pair.agents.map((a) => `${a.id} ${a.status ?? ''} ${a.failure ?? ''}`),
    ...pair.tests.map((t) => `f${t.featureId} ${t.passed ? 'passed' : 'failed'}`),
  ]
    .join(' ')
    .toLowerCase()
}
