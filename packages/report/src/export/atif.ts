/** ATIF v1.7 (Harbor's RFC 0001), names and optionality as Harbor's models; objects are closed, custom data goes in `extra`. */
export const ATIF_SCHEMA_VERSION = 'ATIF-v1.7'

export interface AtifTrajectory {
  schema_version: typeof ATIF_SCHEMA_VERSION
  /** The run this trajectory belongs to, shared by the trajectories of one run (ours: one pair's agents). */
  session_id?: string
  /** Unique per document; required on a trajectory embedded in `subagent_trajectories`. */
  trajectory_id?: string
  agent: AtifAgent
  /** At least one; `step_id` counts 1, 2, 3 … in order. */
  steps: AtifStep[]
  notes?: string
  final_metrics?: AtifFinalMetrics
  continued_trajectory_ref?: string
  extra?: Record<string, unknown>
  subagent_trajectories?: AtifTrajectory[]
}

export interface AtifAgent {
  name: string
  version: string
  model_name?: string
  /** OpenAI function-calling definitions of the tools the agent had. */
  tool_definitions?: Array<Record<string, unknown>>
  extra?: Record<string, unknown>
}

export interface AtifStep {
  step_id: number
  /** ISO 8601. */
  timestamp?: string
  source: 'system' | 'user' | 'agent'
  /** Agent steps only, as are `reasoning_effort`, `reasoning_content`, `tool_calls` and `metrics`. */
  model_name?: string
  reasoning_effort?: string | number
  message: string
  reasoning_content?: string
  tool_calls?: AtifToolCall[]
  observation?: { results: AtifObservationResult[] }
  metrics?: AtifMetrics
  is_copied_context?: boolean
  /** 0 on an agent step: a dispatch no model call made (then no `metrics` and no `reasoning_content`). */
  llm_call_count?: number
  extra?: Record<string, unknown>
}

export interface AtifToolCall {
  tool_call_id: string
  function_name: string
  arguments: Record<string, unknown>
  extra?: Record<string, unknown>
}

export interface AtifObservationResult {
  /** A `tool_call_id` of the same step's `tool_calls`; absent for an action made without a tool call. */
  source_call_id?: string
  content?: string
  subagent_trajectory_ref?: AtifSubagentRef[]
  extra?: Record<string, unknown>
}

/** Resolved by `trajectory_id` (embedded) or `trajectory_path` (a file); `session_id` is informational only. */
export interface AtifSubagentRef {
  trajectory_id?: string
  session_id?: string
  trajectory_path?: string
  extra?: Record<string, unknown>
}

export interface AtifMetrics {
  /** Every input token, cached ones included. */
  prompt_tokens?: number
  completion_tokens?: number
  /** The prompt tokens served from a cache. */
  cached_tokens?: number
  cost_usd?: number
  prompt_token_ids?: number[]
  completion_token_ids?: number[]
  logprobs?: number[]
  extra?: Record<string, unknown>
}

export interface AtifFinalMetrics {
  total_prompt_tokens?: number
  total_completion_tokens?: number
  total_cached_tokens?: number
  total_cost_usd?: number
  /** When it is not the number of steps, `notes` must say why. */
  total_steps?: number
  extra?: Record<string, unknown>
}
