import { errorCausesOf, type PairFolder, verdictOf } from '@cooperbench/results'

/** The causes an evaluation error is counted under, in the order the report lists them. */
export const EVAL_ERROR_CAUSES = ['dataset', 'infra', 'agent', 'task_changed', 'unknown'] as const
export type EvalErrorCause = (typeof EVAL_ERROR_CAUSES)[number]

/**
 * A row's evaluation errors (no verdict, never fails) by eval.json's `error_cause`: `dataset` (defective task, e.g. a tests patch
 * not applying), `infra`, `agent`, `task_changed` (task text changed since the agents ran: not judged), `unknown` (none named, as
 * before the key existed, or a cause unknown here). They sum to the row's `errors`.
 */
export type EvalErrorCauses = Record<EvalErrorCause, number>

export function evalErrorCauses(pairs: readonly PairFolder[]): EvalErrorCauses {
  const named = errorCausesOf(pairs.map((p) => p.eval)) ?? {}
  const causes = { dataset: named.dataset ?? 0, infra: named.infra ?? 0, agent: named.agent ?? 0, task_changed: named.task_changed ?? 0, unknown: 0 }
  const errors = pairs.filter((p) => verdictOf(p.eval) === 'error').length
  causes.unknown = errors - causes.dataset - causes.infra - causes.agent - causes.task_changed
  return causes
}
