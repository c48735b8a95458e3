/**
 * How a coop pair's patches become the verdict (docs/reference-compatibility.md#evaluation-policies), named after the upstream
 * CooperBench version whose `test_merged` it follows (solo is judged alike under both; values in `EVALUATION_POLICIES`):
 * - `cooperbench-0.0.14`: naive merge; on conflict, a union merge (`merge=union`).
 * - `cooperbench-0.0.16`: identical patches tested once (`skip-merge-identical`); else a naive merge (over two features: each branch folded
 *   into agent1's in turn); on conflict or a patch that did not apply, agent1's patch alone counts if it passes every feature
 *   (`solo-agent1`). No union.
 */
export type EvaluationPolicy = 'cooperbench-0.0.14' | 'cooperbench-0.0.16'
