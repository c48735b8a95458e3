/**
 * How a coop team's patches become the verdict (docs/reference-compatibility.md#evaluation-policies),
 * named after the upstream CooperBench version whose `test_merged` it follows:
 *
 * - `cooperbench-0.0.14`: naive merge; when it conflicts, a union merge (`merge=union`).
 * - `cooperbench-0.0.16`: identical patches are tested once (`skip-merge-identical`); else a naive
 *   merge (teams of more than two: every branch folded into agent1's in turn); when it conflicts
 *   or a patch did not apply, agent1's patch alone is tested against every feature and counts only
 *   if it passes them all (`solo-agent1`). No union.
 *
 * Solo runs are judged the same way under every policy. The values are beside the contracts
 * (`EVALUATION_POLICIES`, `DEFAULT_EVALUATION_POLICY`, `UNNAMED_EVALUATION_POLICY`).
 */
export type EvaluationPolicy = 'cooperbench-0.0.14' | 'cooperbench-0.0.16'
