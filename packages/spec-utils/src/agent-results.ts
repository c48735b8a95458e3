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
 * The `step_limit` and `cost_limit` properties of an agent's options schema, alike for every agent: what a step is and what happens at
 * the limit in the agent's words, then the shared rules. The harness decides the limits from them once (`ownLimits` → `ctx.limits`).
 */
export function limitOptions(step: string, cost: string) {
  return {
    step_limit: { type: 'integer', minimum: 0, description: `${step}; 0 = none. The run's --step-limit wins; absent: its default.` },
    cost_limit: { type: 'number', minimum: 0, description: `${cost}; 0 = none. The run's --cost-limit wins; absent: its default.` },
  } as const
}

/** The limits `step_limit` / `cost_limit` ask for, as `ownLimits` returns them: an option left out is left out (the run's default applies). */
export function limitsOfOptions(options: {
  step_limit?: number | undefined
  cost_limit?: number | undefined
}): Partial<Pick<AgentLimits, 'steps' | 'costUsd'>> {
  const { step_limit: steps, cost_limit: costUsd } = options
  return { ...(steps === undefined ? {} : { steps }), ...(costUsd === undefined ? {} : { costUsd }) }
}

/** Whether the harness's wall-clock limit ended the agent: it aborts `ctx.signal` with a TimeoutError (`AbortSignal.timeout`). */
export const isTimeout = (signal: AbortSignal) => signal.aborted && (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError'
