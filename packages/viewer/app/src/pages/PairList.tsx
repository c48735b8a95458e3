import type { PairSummary, ViewerData } from '../../../src/model.ts'
import { type AgreementCell, CELL_NAMES, type ComparedPair, comparedPairs, parseComparison } from '../comparison.ts'
import { categoryName, count, money, seconds, totalTokens } from '../format.ts'
import { pairHref, pairsHref } from '../router.ts'
import { useEffect, useState } from 'preact/hooks'
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
  /** Features per pair (2 for pairs, 3 for teams of three). */
  team?: string
  /** A comparison, `solo run|coop run|team size`: its common pairs (the coop side), each with its solo twin. */
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

const SORTS: Record<string, { label: string; compare: (a: PairSummary, b: PairSummary) => number }> = {
  pair: { label: 'pair', compare: (a, b) => a.run.localeCompare(b.run) || a.label.localeCompare(b.label, undefined, { numeric: true }) },
  'cost-desc': { label: 'cost, highest first', compare: (a, b) => b.cost - a.cost },
  'cost-asc': { label: 'cost, lowest first', compare: (a, b) => a.cost - b.cost },
  'steps-desc': { label: 'steps, most first', compare: (a, b) => b.steps - a.steps },
  'steps-asc': { label: 'steps, fewest first', compare: (a, b) => a.steps - b.steps },
  'messages-desc': { label: 'messages, most first', compare: (a, b) => b.messages - a.messages },
}

function matches(pair: PairSummary, q: ListQuery): boolean {
  if (q.team && String(pair.features.length) !== q.team) return false
  if (q.category === 'none' ? pair.category !== null : q.category && pair.category !== q.category) return false
  if (q.q && !searchText(pair).includes(q.q.toLowerCase())) return false
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

/** What the search box looks in: pair, run, setting, repo, category, agents' statuses, feature results (`f2 failed`). */
function searchText(pair: PairSummary): string {
  return [
    pair.label,
    pair.run,
    pair.setting,
    pair.category ?? '',
    pair.verdict,
    ...pair.agents.map((a) => `${a.id} ${a.status ?? ''} ${a.failure ?? ''}`),
    ...pair.tests.map((t) => `f${t.featureId} ${t.passed ? 'passed' : 'failed'}`),
  ]
    .join(' ')
    .toLowerCase()
}

/** Each feature's tests after the merge: `f1 ✓ f2 ✗`. */
function FeatureResults({ pair }: { pair: PairSummary }) {
  if (pair.tests.length === 0) return <span class="muted">–</span>
  return (
    <span class="feature-results">
      {pair.tests.map((t) => (
        <span key={t.featureId} class={`feature-result ${t.passed ? 'passed' : 'failed'}`} title={`${t.testsPassed} tests passed, ${t.testsFailed} failed`}>
          {`f${t.featureId} ${t.passed ? '✓' : '✗'}`}
        </span>
      ))}
    </span>
  )
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
  const comparison = q.cmp ? parseComparison(q.cmp) : null
  const compared = comparison ? comparedPairs(data.pairs, comparison) : null
  const twins = new Map<string, ComparedPair>((compared ?? []).map((c) => [c.coop.id, c]))
  const pool = compared ? compared.filter((c) => !q.cell || c.cell === q.cell).map((c) => c.coop) : data.pairs
  const shown = pool.filter((p) => matches(p, q)).sort(sort.compare)
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
  const categories = options(data.pairs.flatMap((p) => (p.category ? [p.category] : [])))
  const teams = options(data.pairs.map((p) => p.features.length))
  const clear = (keys: Array<keyof ListQuery>) => pairsHref(Object.fromEntries(Object.entries(q).filter(([k]) => !keys.includes(k as keyof ListQuery))))
  return (
    <div class="pair-list">
      {comparison && (
        <p class="comparison-head">
          {`${q.cell && q.cell in CELL_NAMES ? `${CELL_NAMES[q.cell as AgreementCell]}: ` : 'Common pairs: '}` +
            `${comparison.soloRun} (solo) vs ${comparison.coopRun} (coop)${comparison.teamSize === 2 ? '' : `, teams of ${comparison.teamSize}`}, ` +
            `${shown.length} of ${compared!.length} judged in both`}
          <span class="cells">
            {(Object.keys(CELL_NAMES) as AgreementCell[]).map((cell) => (
              <a
                key={cell}
                class={`cell-link${q.cell === cell ? ' current' : ''}`}
                href={pairsHref({ ...q, cell, page: undefined } as Record<string, string | undefined>)}
              >
                {`${CELL_NAMES[cell]} (${compared!.filter((c) => c.cell === cell).length})`}
              </a>
            ))}
            <a class="clear" href={clear(['cmp', 'cell', 'page'])}>
              all pairs
            </a>
          </span>
        </p>
      )}
      <div class="filters">
        <SearchBox value={q.q ?? ''} onCommit={(text) => set('q', text)} />
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
        {categories.length > 0 &&
          select('category', 'failure category', [...categories.map((c) => [c, categoryName(c)] as [string, string]), ['none', 'none (not judged)']])}
        {teams.length > 1 &&
          select(
            'team',
            'team size',
            teams.map((t) => [t, `${t} features`] as [string, string]),
          )}
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
              {compared && <th>solo</th>}
              <th>features</th>
              <th>merge</th>
              <th>category</th>
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
                {compared && (
                  <td class="solo-twin">
                    {twins.get(pair.id) ? (
                      <a href={pairHref(twins.get(pair.id)!.solo.id)}>
                        <VerdictBadge pair={twins.get(pair.id)!.solo} />
                      </a>
                    ) : (
                      '–'
                    )}
                  </td>
                )}
                <td>
                  <FeatureResults pair={pair} />
                </td>
                <td>{pair.merge ? <MergeBadge outcome={pair.merge.outcome} /> : '–'}</td>
                <td class="category">{pair.category ? <span class="badge category">{categoryName(pair.category)}</span> : '–'}</td>
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

/**
 * The text search: what is typed stays while the page re-renders (live mode re-reads every few
 * seconds) and goes into the URL on Enter or when the box loses focus.
 */
function SearchBox({ value, onCommit }: { value: string; onCommit: (text: string) => void }) {
  const [draft, setDraft] = useState(value)
  useEffect(() => setDraft(value), [value])
  return (
    <label class="filter search">
      <span>search</span>
      <input
        type="search"
        name="q"
        value={draft}
        placeholder="pair, repo, category, f2 failed…"
        onInput={(e) => setDraft((e.currentTarget as HTMLInputElement).value)}
        onChange={(e) => onCommit((e.currentTarget as HTMLInputElement).value.trim())}
      />
    </label>
  )
}
