import type { PairSummary, ViewerData } from '../../../src/model.ts'
import { count, money, seconds, totalTokens } from '../format.ts'
import { pairHref, pairsHref } from '../router.ts'
import { MergeBadge, VerdictBadge } from '../Badges.tsx'

/** Filters and sort of the pair list, kept in the URL (`#/pairs?repo=…&sort=cost`). */
interface ListQuery {
  run?: string
  setting?: string
  repo?: string
  task?: string
  outcome?: string
  merge?: string
  messages?: string
  sort?: string
  /** 1-based page of PAGE_SIZE rows. */
  page?: string
}

/** Rows per page: a 652-pair run renders its list at once without laying out every row. */
export const PAGE_SIZE = 100

const SORTS: Record<string, { label: string; compare: (a: PairSummary, b: PairSummary) => number }> = {
  pair: { label: 'pair', compare: (a, b) => a.run.localeCompare(b.run) || a.label.localeCompare(b.label, undefined, { numeric: true }) },
  'cost-desc': { label: 'cost, highest first', compare: (a, b) => b.cost - a.cost },
  'cost-asc': { label: 'cost, lowest first', compare: (a, b) => a.cost - b.cost },
  'steps-desc': { label: 'steps, most first', compare: (a, b) => b.steps - a.steps },
  'steps-asc': { label: 'steps, fewest first', compare: (a, b) => a.steps - b.steps },
  'messages-desc': { label: 'messages, most first', compare: (a, b) => b.messages - a.messages },
}

function matches(pair: PairSummary, q: ListQuery): boolean {
  if (q.run && pair.run !== q.run) return false
  if (q.setting && pair.setting !== q.setting) return false
  if (q.repo && pair.repo !== q.repo) return false
  if (q.task && String(pair.taskId) !== q.task) return false
  if (q.outcome === 'running' ? pair.state !== 'running' : q.outcome && pair.verdict !== q.outcome) return false
  if (q.merge === 'none' ? pair.merge !== null : q.merge && pair.merge?.outcome !== q.merge) return false
  if (q.messages === 'some' && pair.messages === 0) return false
  if (q.messages === 'none' && pair.messages > 0) return false
  return true
}

export function PairList({ data, query }: { data: ViewerData; query: URLSearchParams }) {
  const q: ListQuery = Object.fromEntries(query.entries())
  const set = (key: keyof ListQuery, value: string) => {
    const next = { ...q, [key]: value || undefined }
    if (key === 'repo') delete next.task
    // Another filter or sort starts again at the first page.
    delete next.page
    location.hash = pairsHref(next as Record<string, string | undefined>)
  }
  const options = (values: Array<string | number>) => [...new Set(values.map(String))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
  const sort = SORTS[q.sort ?? 'pair'] ?? SORTS.pair!
  const shown = data.pairs.filter((p) => matches(p, q)).sort(sort.compare)
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE))
  const page = Math.min(pages, Math.max(1, Number.parseInt(q.page ?? '1', 10) || 1))
  const rows = shown.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)
  const pageHref = (n: number) => pairsHref({ ...q, page: n === 1 ? undefined : String(n) } as Record<string, string | undefined>)
  const select = (key: keyof ListQuery, label: string, values: Array<[string, string]>) => (
    <label class="filter">
      <span>{label}</span>
      <select name={key} value={q[key] ?? ''} onChange={(e) => set(key, (e.currentTarget as HTMLSelectElement).value)}>
        <option value="">all</option>
        {values.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  )
  const plain = (values: string[]) => values.map((v) => [v, v] as [string, string])
  return (
    <div class="pair-list">
      <div class="filters">
        {select('run', 'run', plain(options(data.runs.map((r) => r.name))))}
        {select('setting', 'setting', plain(['solo', 'coop']))}
        {select('repo', 'repo', plain(options(data.pairs.map((p) => p.repo))))}
        {select('task', 'task', plain(options(data.pairs.filter((p) => !q.repo || p.repo === q.repo).map((p) => p.taskId))))}
        {select('outcome', 'outcome', [
          ['pass', 'passed'],
          ['fail', 'failed'],
          ['error', 'eval error'],
          ['not_evaluated', 'not evaluated'],
          ['running', 'running'],
        ])}
        {select('merge', 'merge', [
          ['clean', 'clean'],
          ['union', 'union'],
          ['failed', 'failed'],
          ['eval_error', 'eval error'],
          ['none', 'no merge (solo)'],
        ])}
        {select('messages', 'messages', [
          ['some', 'sent some'],
          ['none', 'sent none'],
        ])}
        <label class="filter">
          <span>sort</span>
          <select name="sort" value={q.sort ?? 'pair'} onChange={(e) => set('sort', (e.currentTarget as HTMLSelectElement).value)}>
            {Object.entries(SORTS).map(([key, s]) => (
              <option key={key} value={key}>
                {s.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      <section class="pairs-table">
        <p class="count">{`${shown.length} of ${data.pairs.length} pairs`}</p>
        {pages > 1 && (
          <nav class="pager">
            {page > 1 ? (
              <a class="previous" href={pageHref(page - 1)}>
                previous
              </a>
            ) : (
              <span>previous</span>
            )}
            <span class="page-of">{`page ${page} of ${pages} (${(page - 1) * PAGE_SIZE + 1}–${(page - 1) * PAGE_SIZE + rows.length})`}</span>
            {page < pages ? (
              <a class="next" href={pageHref(page + 1)}>
                next
              </a>
            ) : (
              <span>next</span>
            )}
          </nav>
        )}
        <table class="pairs">
          <thead>
            <tr>
              <th>pair</th>
              <th>run</th>
              <th>setting</th>
              <th>outcome</th>
              <th>merge</th>
              <th>messages</th>
              <th>steps</th>
              <th>cost</th>
              <th>tokens</th>
              <th>time</th>
              <th>agents</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((pair) => (
              <tr key={pair.id} class={`pair-row ${pair.state}`}>
                <td>
                  <a href={pairHref(pair.id)}>{pair.label}</a>
                </td>
                <td>{pair.run}</td>
                <td>{pair.setting}</td>
                <td>
                  <VerdictBadge pair={pair} />
                </td>
                <td>{pair.merge ? <MergeBadge outcome={pair.merge.outcome} /> : '–'}</td>
                <td>{pair.setting === 'coop' ? pair.messages : '–'}</td>
                <td>{pair.steps}</td>
                <td>{pair.costUnknown ? 'unknown' : money(pair.cost)}</td>
                <td>{count(totalTokens(pair.tokens))}</td>
                <td>{seconds(pair.durationSeconds)}</td>
                <td class="agents">{pair.agents.map((a) => `${a.id}: ${a.status ?? '?'}`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  )
}
