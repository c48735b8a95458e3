import type { AgentSummaryRecord, FailureOrigin, SeatOutcome } from '@cooperbench/spec'
import { emptyAgentResult } from '@cooperbench/spec-utils'

/**
 * One feature's agent in result.json, as upstream's plan_execute writes it: its executor's record
 * (the status and patch the evaluator judges), with both phases' cost, steps and tokens summed,
 * the plan's lines, and each phase's cost and steps apart.
 */
export function featureAgentRecord(featureId: number, planner: SeatOutcome, executor: AgentSummaryRecord): Record<string, unknown> {
  const plan = planner.record
  return {
    feature_id: featureId,
    ...executor,
    cost: plan.cost + executor.cost,
    steps: plan.steps + executor.steps,
    input_tokens: plan.input_tokens + executor.input_tokens,
    output_tokens: plan.output_tokens + executor.output_tokens,
    cache_read_tokens: plan.cache_read_tokens + executor.cache_read_tokens,
    cache_write_tokens: plan.cache_write_tokens + executor.cache_write_tokens,
    plan_lines: lineCount(planner.artifact ?? ''),
    error: executor.error ?? plan.error,
    phase1_cost: plan.cost,
    phase2_cost: executor.cost,
    phase1_steps: plan.steps,
    phase2_steps: executor.steps,
  }
}

/**
 * The record of an executor that never ran: `Error`, as the harness records any agent that failed,
 * so the pair is counted failed and a resumed run runs it again. A planner stopped by the
 * infrastructure leaves its executor an infrastructure failure (the pair is then not judged).
 */
export function executorNotRun(reason: string, failure: FailureOrigin): AgentSummaryRecord {
  const { messages: _none, ...spent } = emptyAgentResult('Error', reason)
  return { ...spent, patch_lines: 0, failure }
}

/** Lines as the harness counts a patch's (a last line without a newline counts). */
function lineCount(text: string): number {
  if (text === '') return 0
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length
}
