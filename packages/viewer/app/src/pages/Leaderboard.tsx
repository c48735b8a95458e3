import type { RunReport } from '../../../src/model.ts'
import { comparisonParam } from '../comparison.ts'
import { categoryName, interval, percent, settingAndVariant, strategyText } from '../format.ts'
import { pairsHref } from '../router.ts'
import { TableHead } from '../TableHead.tsx'

type Row = RunReport['leaderboard'][number]

/** The paper's main table: a row per agent × model (pair size, communication mode) from one comparable solo × coop pair of runs; figures link to pairs. */
export function Leaderboard({ rows, unfinished }: { rows: Row[]; unfinished: ReadonlySet<string> }) {
  if (rows.length === 0) return null
  const others = [...new Set(rows.map((row) => row.setting))].filter((setting) => setting !== 'coop')
  const multi = ['coop', ...others].join(' or ')
  return (
    <section class="leaderboard">
      <h2>Leaderboard</h2>
      <div class="table-scroll">
        <table class="numbers leaderboard-table">
          <TableHead
            columns={[
              'agent',
              'model',
              'communication',
              'pairs',
              'solo',
              multi,
              'relative deficit',
              `strict (${multi})`,
              'passes by strategy',
              'failure shares (coop)',
            ]}
          />
          <tbody>
            {rows.map((row) => (
              <LeaderboardLine
                key={`${row.soloRun}|${row.coopRun}|${row.pairSize}|${row.setting}`}
                row={row}
                partial={unfinished.has(row.soloRun) || unfinished.has(row.coopRun)}
              />
            ))}
          </tbody>
        </table>
      </div>
      <p class="caption">
        A row per agent and model (and pair size, communication mode; runs of other settings by their setting and variant), from one solo run and one coop (or
        other) run of the same agent, model, limits and prompts, on the pairs judged in both: rates with 95% Wilson intervals, the relative deficit (solo −
        coop) / solo with a Jeffreys 95% interval, strict: the coop (other) run's rate with a clean merge. Passes by strategy: how its passes were made
        (solo-agent1: agent1's patch alone, after a conflicted merge). Failure shares: the coop run's categories as an LLM judge named them (a model's
        judgement). Every figure opens its pairs.
      </p>
    </section>
  )
}

function LeaderboardLine({ row, partial }: { row: Row; partial: boolean }) {
  const common = pairsHref({ cmp: comparisonParam(row) })
  const rate = (r: { rate: number; low: number; high: number }, href: string) => (
    <a href={href}>
      <span class="figure">{percent(r.rate)}</span> <span class="ci">{interval(r)}</span>
    </a>
  )
  const r = row.relative
  return (
    <tr class={partial ? 'partial' : ''} data-coop-run={row.coopRun} data-setting={row.setting}>
      <td>{row.agent ?? '?'}</td>
      <td>{row.model ?? (row.usesModel ? '?' : 'none')}</td>
      <td>
        {`${row.pairSize === 2 ? '' : `teams of ${row.pairSize}, `}${settingAndVariant(row)}${row.communication ?? '?'}`}
        <div class="runs-note">{`${row.soloRun} vs ${row.coopRun}${row.otherComparisons ? ` (+${row.otherComparisons} other comparable)` : ''}`}</div>
        {partial && <span class="badge partial">partial: a run is unfinished</span>}
      </td>
      <td>
        <a href={common}>{row.pairs}</a>
      </td>
      <td>{rate(row.solo, common)}</td>
      <td>{rate(row.coop, common)}</td>
      <td class="relative">
        <a href={pairsHref({ cmp: comparisonParam(row), cell: 'soloOnly' })} title="the pairs solo passed and coop failed">
          {r.value === null || r.low === null || r.high === null ? (
            <span class="figure">not estimable (solo 0%)</span>
          ) : (
            <>
              <span class="figure">{percent(r.value)}</span> <span class="ci">{interval({ low: r.low, high: r.high })}</span>
            </>
          )}
        </a>
      </td>
      <td>{rate(row.strict, common)}</td>
      <td class="strategies">{row.passesBy ? strategyText(row.passesBy) : '–'}</td>
      <td class="shares">
        {row.analysis && row.analysis.categories.length > 0
          ? row.analysis.categories.map((c) => (
              <a key={c.category} class="share" href={pairsHref({ run: row.coopRun, category: c.category })}>
                {`${categoryName(c.category)} ${percent(c.share)} ${interval(c.ci)}`}
              </a>
            ))
          : '–'}
      </td>
    </tr>
  )
}
