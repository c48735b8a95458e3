import { useEffect, useState } from 'preact/hooks'
import type { ViewerData } from '../../../src/model.ts'
import { categoryName } from '../format.ts'
import { type ListQuery, SORTS } from './list-query.ts'

const OUTCOMES: Array<[string, string]> = [
  ['pass', 'passed'],
  ['fail', 'failed'],
  ['error', 'eval error'],
  ['not_evaluated', 'not evaluated'],
  ['running', 'running'],
  ['unreadable', 'unreadable'],
]

const MERGES: Array<[string, string]> = [
  ['clean', 'clean'],
  ['union', 'union'],
  ['lead_alone', 'agent1 alone'],
  ['failed', 'failed'],
  ['eval_error', 'eval error'],
  ['none', 'no merge (solo)'],
]

const MESSAGES: Array<[string, string]> = [
  ['some', 'sent some'],
  ['none', 'sent none'],
]

/** The search box, a select per filter (failure category and pair size when the runs have more than one) and the sort. */
export function Filters({ data, q, set }: { data: ViewerData; q: ListQuery; set: (key: keyof ListQuery, value: string) => void }) {
  // A select with a `fallback` (the sort) has no `all` option.
  const select = (key: keyof ListQuery, label: string, values: Array<[string, string]>, fallback?: string) => (
    <label class="filter">
      <span>{label}</span>
      <select name={key} value={q[key] ?? fallback ?? ''} onChange={(e) => set(key, (e.currentTarget as HTMLSelectElement).value)}>
        {fallback === undefined && <option value="">all</option>}
        {values.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  )
  const categories = options(data.pairs.flatMap((p) => (p.category ? [p.category] : [])))
  const sizes = options(data.pairs.map((p) => p.features.length))
  return (
    <div class="filters">
      <SearchBox value={q.q ?? ''} onCommit={(text) => set('q', text)} />
      {select('run', 'run', plain(options(data.runs.map((r) => r.name))))}
      {select('setting', 'setting', plain(options(data.pairs.map((p) => p.setting))))}
      {select('repo', 'repo', plain(options(data.pairs.map((p) => p.repo))))}
      {select('task', 'task', plain(options(data.pairs.filter((p) => !q.repo || p.repo === q.repo).map((p) => p.taskId))))}
      {select('outcome', 'outcome', OUTCOMES)}
      {select('merge', 'merge', MERGES)}
      {select('messages', 'messages', MESSAGES)}
      {categories.length > 0 &&
        select('category', 'failure category', [...categories.map((c) => [c, categoryName(c)] as [string, string]), ['none', 'none (not judged)']])}
      {sizes.length > 1 &&
        select(
          'size',
          'pair size',
          sizes.map((t) => [t, `${t} features`] as [string, string]),
        )}
      {select(
        'sort',
        'sort',
        Object.entries(SORTS).map(([key, s]): [string, string] => [key, s.label]),
        'pair',
      )}
    </div>
  )
}

/** The distinct values, in natural order (`task2` before `task10`). */
const options = (values: Array<string | number>) => [...new Set(values.map(String))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
const plain = (values: string[]) => values.map((v) => [v, v] as [string, string])

/** The search box: typed text survives re-renders (live mode re-reads every few seconds) and enters the URL on Enter or blur. */
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
