import type { PairDetail } from '../../../src/model.ts'
import { MergeBadge } from '../Badges.tsx'
import { PatchFileView } from './Patches.tsx'

const STATUS: Record<string, string> = {
  clean: 'git merged the patches without a conflict (naive merge); the merged code was tested.',
  conflicts:
    'the naive merge conflicted; under cooperbench-0.0.14 the union merge (both sides of each conflict kept) was tested, under cooperbench-0.0.16 agent1’s patch alone, which counts only if it passes every feature.',
  identical: 'every agent submitted the same patch: it was tested once, without a merge.',
  missing_input: 'a patch did not apply to the base commit, so there was nothing complete to merge.',
  error: 'the merge failed (for example the union merge conflicted too).',
}

/** How the patches were combined and where they collide. */
export function MergeView({ detail }: { detail: PairDetail }) {
  const merge = detail.merge
  if (!merge) return <p class="empty">{detail.summary.setting === 'solo' ? 'Solo: one patch, nothing to merge.' : 'Not evaluated yet: no merge.'}</p>
  if (merge.outcome === 'eval_error') {
    return (
      <p class="merge eval-error">
        <MergeBadge outcome="eval_error" />
        {` The evaluation failed before it could judge the merge: ${detail.evalError ?? 'no merged result'}.`}
        {' This is not a merge failure; `cooperbench eval --force` retries it.'}
      </p>
    )
  }
  const files = `${merge.diff.files.length} file${merge.diff.files.length === 1 ? '' : 's'}`
  return (
    <div class="merge">
      <p>
        <MergeBadge outcome={merge.outcome} /> <strong>{`${merge.status}${merge.strategy ? ` (strategy: ${merge.strategy})` : ''}`}</strong>
        {`: ${STATUS[merge.status] ?? ''}`}
        {merge.policy && <span class="policy">{` Judged under the evaluation policy ${merge.policy}.`}</span>}
      </p>
      {Object.keys(merge.applyStatus).length > 0 && (
        <p class="apply-status">
          {'Patches applied: '}
          {Object.entries(merge.applyStatus).map(([branch, status]) => (
            <span key={branch} class={`badge apply-${status}`}>{`${branch}: ${status}`}</span>
          ))}
        </p>
      )}
      {detail.overlaps.length > 0 && (
        <div class="conflicts">
          <h3>Conflicting edits</h3>
          <ul>
            {detail.overlaps.map((o, i) => (
              <li key={i} class="conflict">
                <code>{o.path}</code>
                {`: ${o.agents[0]} changes ${lines(o.ranges[0])}, ${o.agents[1]} changes ${lines(o.ranges[1])} of the base file`}
              </li>
            ))}
          </ul>
        </div>
      )}
      <details class="merged-diff" open={merge.outcome !== 'clean'}>
        <summary>{`${leadAlone(merge) ? "agent1's patch alone, as tested: no merge" : 'Merged patch, as tested'} (${files}; test files filtered)`}</summary>
        {merge.diff.files.map((file) => (
          <PatchFileView key={file.path} file={file} />
        ))}
      </details>
    </div>
  )
}

/** cooperbench-0.0.16 tests agent1's patch alone when the merge conflicted or a patch did not apply (`solo-agent1` when it passed). */
function leadAlone(merge: NonNullable<PairDetail['merge']>) {
  return merge.strategy === 'solo-agent1' || (merge.policy === 'cooperbench-0.0.16' && (merge.status === 'conflicts' || merge.status === 'missing_input'))
}

function lines([a, b]: [number, number]) {
  return a === b ? `line ${a}` : `lines ${a}–${b}`
}
