import type { ViewerData } from '../../../src/model.ts'
import { type AgreementCell, CELL_NAMES, type ComparedPair, type Comparison, comparedPairs, parseComparison } from '../comparison.ts'
import { Filters } from '../pair-list/Filters.tsx'
import { type ListQuery, matches, PAGE_SIZE, SORTS } from '../pair-list/list-query.ts'
import { PairsTable } from '../pair-list/PairsTable.tsx'
import { pairsHref } from '../router.ts'

/** The pairs of the runs shown, filtered, sorted and paged as the URL says (`#/pairs?…`), or one comparison's common pairs. */
export function PairList({ data, query }: { data: ViewerData; query: URLSearchParams }) {
  const q: ListQuery = Object.fromEntries(query.entries())
  const set = (key: keyof ListQuery, value: string) => {
    const next = { ...q, [key]: value || undefined }
    if (key === 'repo') delete next.task
    // Another filter or sort starts again at the first page.
    delete next.page
    location.hash = pairsHref(next as Record<string, string | undefined>)
  }
  const sort = SORTS[q.sort ?? 'pair'] ?? SORTS.pair!
  const comparison = q.cmp ? parseComparison(q.cmp) : null
  const compared = comparison ? comparedPairs(data.pairs, comparison) : null
  const twins = new Map<string, ComparedPair>((compared ?? []).map((c) => [c.coop.id, c]))
  const pool = compared ? compared.filter((c) => !q.cell || c.cell === q.cell).map((c) => c.coop) : data.pairs
  const shown = pool.filter((p) => matches(p, q)).sort(sort.compare)
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE))
  const page = Math.min(pages, Math.max(1, Number.parseInt(q.page ?? '1', 10) || 1))
  const rows = shown.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)
  return (
    <div class="pair-list">
      {comparison && <ComparisonHead q={q} comparison={comparison} compared={compared!} shown={shown.length} />}
      <Filters data={data} q={q} set={set} />
      <section class="pairs-table">
        <p class="count">{`${shown.length} of ${data.pairs.length} pairs`}</p>
        {pages > 1 && <Pager q={q} page={page} pages={pages} rowsShown={rows.length} />}
        <PairsTable rows={rows} twins={compared ? twins : null} />
      </section>
    </div>
  )
}

function Pager({ q, page, pages, rowsShown }: { q: ListQuery; page: number; pages: number; rowsShown: number }) {
  const link = (n: number, name: 'previous' | 'next') =>
    n >= 1 && n <= pages ? (
      <a class={name} href={pairsHref({ ...q, page: n === 1 ? undefined : String(n) } as Record<string, string | undefined>)}>
        {name}
      </a>
    ) : (
      <span>{name}</span>
    )
  return (
    <nav class="pager">
      {link(page - 1, 'previous')}
      <span class="page-of">{`page ${page} of ${pages} (${(page - 1) * PAGE_SIZE + 1}–${(page - 1) * PAGE_SIZE + rowsShown})`}</span>
      {link(page + 1, 'next')}
    </nav>
  )
}

/** The comparison the list shows (`cmp`): its name, how many pairs, a link per agreement cell, and back to all pairs. */
function ComparisonHead({ q, comparison, compared, shown }: { q: ListQuery; comparison: Comparison; compared: ComparedPair[]; shown: number }) {
  const clear = (keys: Array<keyof ListQuery>) => pairsHref(Object.fromEntries(Object.entries(q).filter(([k]) => !keys.includes(k as keyof ListQuery))))
  return (
    <p class="comparison-head">
      {`${q.cell && q.cell in CELL_NAMES ? `${CELL_NAMES[q.cell as AgreementCell]}: ` : 'Common pairs: '}` +
        `${comparison.soloRun} (solo) vs ${comparison.coopRun} (${comparison.setting})${comparison.pairSize === 2 ? '' : `, teams of ${comparison.pairSize}`}, ` +
        `${shown} of ${compared.length} judged in both`}
      <span class="cells">
        {(Object.keys(CELL_NAMES) as AgreementCell[]).map((cell) => (
          <a
            key={cell}
            class={`cell-link${q.cell === cell ? ' current' : ''}`}
            href={pairsHref({ ...q, cell, page: undefined } as Record<string, string | undefined>)}
          >
            {`${CELL_NAMES[cell]} (${compared.filter((c) => c.cell === cell).length})`}
          </a>
        ))}
        <a class="clear" href={clear(['cmp', 'cell', 'page'])}>
          all pairs
        </a>
      </span>
    </p>
  )
}
