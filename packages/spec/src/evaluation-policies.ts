import type { EvaluationPolicy } from './contracts/index.js'

/** Every evaluation policy, oldest first. */
export const EVALUATION_POLICIES = ['cooperbench-0.0.14', 'cooperbench-0.0.16'] as const satisfies readonly EvaluationPolicy[]

/** Upstream's current policy: what a run uses unless told otherwise. */
export const DEFAULT_EVALUATION_POLICY: EvaluationPolicy = 'cooperbench-0.0.16'

/** The policy of records and runs naming none: before policies existed, this harness scored as 0.0.14 does (naive, then union). */
export const UNNAMED_EVALUATION_POLICY: EvaluationPolicy = 'cooperbench-0.0.14'

export function isEvaluationPolicy(value: unknown): value is EvaluationPolicy {
  return typeof value === 'string' && (EVALUATION_POLICIES as readonly string[]).includes(value)
}
