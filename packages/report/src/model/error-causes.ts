import { errorCausesOf, type PairFolder, verdictOf } from '@cooperbench/results'

/** The causes an evaluation error is counted under, in the order the report lists them. */
export const EVAL_ERROR_CAUSES = ['dataset', 'infra', 'agent', 'task_changed', 'unknown'] as const
export type EvalErrorCause = (typeof EVAL_ERROR_CAUSES)[number]

/**
 * A row's evaluation errors (pairs without a verdict, never fails) by the `error_cause` their
 * eval.json names: `dataset` (a defective task, e.g. a tests patch that does not apply), `infra`,
 * `agent`, `task_changed` (the task text changed since the pair's agents ran: not judged); `unknown`
 * when the record names none (every record before the key existed) or a cause this version does not
 * know. The five add up to the row's `errors`.
 */
export type EvalErrorCauses = Record<EvalErrorCause, number>

export function evalErrorCauses(pairs: readonly PairFolder[]): EvalErrorCauses {
  const named = errorCausesOf(pairs.map((p) => p.eval)) ?? {}
  const causes = { dataset: named.dataset ?? 0, infra: named.infra ?? 0, agent: named.agent ?? 0, task_changed: named.task_changed ?? 0, unknown: 0 }
  const errors = pairs.filter((p) => verdictOf(p.eval) === 'error').length
  causes.unknown = errors - causes.dataset - causes.infra - causes.agent - causes.task_changed
  return causes
}
