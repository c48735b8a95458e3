import type { MergeOutcome, PairSummary } from '../../src/model.ts'

const VERDICT: Record<string, string> = { pass: 'passed', fail: 'failed', error: 'eval error', not_evaluated: 'not evaluated' }

export function VerdictBadge({ pair }: { pair: Pick<PairSummary, 'state' | 'verdict'> }) {
  if (pair.state === 'running') return <span class="badge running">running</span>
  if (pair.state === 'unreadable') return <span class="badge unreadable">unreadable</span>
  return <span class={`badge verdict-${pair.verdict}`}>{VERDICT[pair.verdict] ?? pair.verdict}</span>
}

export function MergeBadge({ outcome }: { outcome: MergeOutcome }) {
  const label =
    outcome === 'union' ? 'conflict → union' : outcome === 'lead_alone' ? 'conflict → agent1 alone' : outcome === 'eval_error' ? 'eval error' : outcome
  return <span class={`badge merge-${outcome}`}>{label}</span>
}
