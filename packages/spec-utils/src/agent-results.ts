import type { AgentLimits, AgentResult, AgentStatus } from '@cooperbench/spec'

/** An agent's result with nothing spent and no messages: a run that stopped before its first step. */
export function emptyAgentResult(status: AgentStatus, error: string | null = null): AgentResult {
  return {
    status,
    cost: 0,
    steps: 0,
    input_tokens: 0,
    output_tokens: 0,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    messages: [],
    error,
  }
}

/**
 * The step and cost limits an agent enforces (0 = none): the run's (`ctx.limits`) where it sets them, else the agent's
 * own `step_limit` / `cost_limit` options. The options stay as configured; the limits stay typed.
 */
export function enforcedLimits(own: { step_limit: number; cost_limit: number }, limits: AgentLimits | undefined): { steps: number; costUsd: number } {
  return { steps: limits?.steps ?? own.step_limit, costUsd: limits?.costUsd ?? own.cost_limit }
}
