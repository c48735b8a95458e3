import type { PairSummary } from '../../../src/model.ts'
import { MergeBadge, VerdictBadge } from '../Badges.tsx'
import type { ComparedPair } from '../comparison.ts'
import { categoryName, count, money, seconds, totalTokens } from '../format.ts'
import { pairHref } from '../router.ts'
import { TableHead } from '../TableHead.tsx'

const COLUMNS = ['pair', 'run', 'setting', 'outcome', 'features', 'merge', 'category', 'messages', 'steps', 'cost', 'tokens', 'time', 'agents']

/** One page of pairs, a row each; with `twins` (a comparison) a column for each pair's solo twin. */
export function PairsTable({ rows, twins }: { rows: PairSummary[]; twins: Map<string, ComparedPair> | null }) {
  return (
    <table class="pairs">
      <TableHead columns={[...COLUMNS.slice(0, 4), ...(twins ? ['solo'] : []), ...COLUMNS.slice(4)]} />
      <tbody>
        {rows.map((pair) => (
          <PairRow key={pair.id} pair={pair} twins={twins} />
        ))}
      </tbody>
    </table>
  )
}

/** One pair: its link, verdict, solo twin (in a comparison), feature results, merge, category and numbers. */
function PairRow({ pair, twins }: { pair: PairSummary; twins: Map<string, ComparedPair> | null }) {
  return (
    <tr class={`pair-row ${pair.state}`}>
      <td>
        <a href={pairHref(pair.id)}>{pair.label}</a>
      </td>
      <td>{pair.run}</td>
      <td>{pair.setting}</td>
      <td>
        <VerdictBadge pair={pair} />
      </td>
      {twins && (
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
      <td>{pair.setting !== 'solo' ? pair.messages : '–'}</td>
      <td>{pair.steps}</td>
      <td>{pair.costUnknown ? 'unknown' : money(pair.cost)}</td>
      <td>{count(totalTokens(pair.tokens))}</td>
      <td>{seconds(pair.durationSeconds)}</td>
      <td class="agents">{pair.agents.map((a) => `${a.id}: ${a.status ?? '?'}`).join(', ')}</td>
    </tr>
  )
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
