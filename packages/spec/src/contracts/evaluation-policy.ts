/**
 * How a coop team's patches become the verdict (docs/reference-compatibility.md#evaluation-policies).
 * Each name is the upstream CooperBench version whose `test_merged` it follows:
 *
 * - `cooperbench-0.0.14`: naive merge; when it conflicts, a union merge (`merge=union`).
 * - `cooperbench-0.0.16`: identical patches are tested once (`skip-merge-identical`); else a naive
 *   merge (teams of more than two: every branch folded into agent1's in turn); when it conflicts
 *   or a patch did not apply, agent1's patch alone is tested against every feature and counts only
 *   if it passes them all (`solo-agent1`). No union.
 *
 * Solo runs are judged the same way under every policy.
 */
export const EVALUATION_POLICIES = ['cooperbench-0.0.14', 'cooperbench-0.0.16'] as const

export type EvaluationPolicy = (typeof EVALUATION_POLICIES)[number]

/** Upstream's current policy: what a run uses unless told otherwise. */
export const DEFAULT_EVALUATION_POLICY: EvaluationPolicy = 'cooperbench-0.0.16'

/**
 * The policy of records and runs that name none: everything this harness scored before policies
 * existed was scored as 0.0.14 scores (naive, then union).
 */
export const UNNAMED_EVALUATION_POLICY: EvaluationPolicy = 'cooperbench-0.0.14'

export function isEvaluationPolicy(value: unknown): value is EvaluationPolicy {
  return typeof value === 'string' && (EVALUATION_POLICIES as readonly string[]).includes(value)
}
