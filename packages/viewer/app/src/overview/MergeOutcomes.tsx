import type { MergeOutcomeRate, SettingReport } from '../../../src/model.ts'
import { StackedBars } from '../charts/StackedBars.tsx'
import { percent } from '../format.ts'
import { pairsHref } from '../router.ts'
import { rowName, size } from './rows.ts'

/** How the coop (team, …) runs' patches merged, and the pass rate by merge outcome; nothing without such a row. */
export function MergeOutcomes({ coopRows }: { coopRows: SettingReport[] }) {
  if (coopRows.length === 0) return null
  return (
    <section>
      <h2>{`Merge outcomes (${[...new Set(coopRows.map((r) => r.setting))].join(' and ')})`}</h2>
      <StackedBars
        title="Merge outcomes"
        rows={coopRows.map((row) => ({
          label: row.runs[0]!,
          note: rowName(row),
          segments: [
            { key: 'clean', label: 'clean', value: row.merge.clean, href: mergeHref(row, 'clean') },
            // A conflict is recorded only when the union merge then succeeded (a failed union is an error); under
            // cooperbench-0.0.16 (every team run) a conflict was judged by agent1's patch alone.
            { key: 'union', label: 'union', value: row.merge.union, href: mergeHref(row, 'union') },
            { key: 'lead_alone', label: 'agent1 alone', value: row.merge.conflicts - row.merge.union, href: mergeHref(row, 'lead_alone') },
            { key: 'failed', label: 'failed', value: row.merge.missing_input, href: mergeHref(row, 'failed') },
            // An evaluation error (the sandbox did not start…) is not a merge result.
            { key: 'eval_error', label: 'eval error', value: row.merge.error, href: mergeHref(row, 'eval_error') },
          ],
        }))}
      />
      <p class="caption">
        clean: git merged the patches; union: they conflicted and the union merge was tested (cooperbench-0.0.14); agent1 alone: they conflicted and agent1's
        patch alone was tested (cooperbench-0.0.16, every team run); failed: a patch did not apply; eval error: the evaluation could not run (not a merge
        result).
      </p>
      {coopRows.map((row) => (
        <p key={`${row.runs[0]}-${row.pairSize}`} class="by-merge">
          {`Pass rate by merge outcome, ${row.runs[0]}${row.setting === 'coop' ? '' : ` (${row.setting})`}: `}
          {row.byMerge.map((m, i) => (
            <span key={m.outcome}>
              {i > 0 && ' · '}
              <a href={mergeHref(row, MERGE_FILTER[m.outcome])}>{mergeRateText(m)}</a>
            </span>
          ))}
        </p>
      ))}
    </section>
  )
}

const MERGE_NAMES: Record<MergeOutcomeRate['outcome'], string> = {
  clean: 'clean',
  union: 'union-merged',
  lead_alone: 'agent1 alone',
  missing_input: 'a patch did not apply',
}
/** The pair list's merge filter for each pass-rate-by-merge class. */
const MERGE_FILTER: Record<MergeOutcomeRate['outcome'], string> = { clean: 'clean', union: 'union', lead_alone: 'lead_alone', missing_input: 'failed' }

const mergeHref = (row: SettingReport, merge: string) => pairsHref({ run: row.runs[0], setting: row.setting, merge, size: size(row) })

function mergeRateText(m: MergeOutcomeRate) {
  return `${MERGE_NAMES[m.outcome]} ${m.passed}/${m.pairs}${m.rate === null ? '' : ` (${percent(m.rate)})`}`
}
