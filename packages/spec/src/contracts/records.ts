/** A run folder's JSON files (docs/reference-compatibility.md#run-folder): the reference's keys and types, ours additive; readers ignore unknown keys. */
import type { EvaluationPolicy } from './evaluation-policy.js'
import type { AgentStatus, SubmittedPatchSource } from './agent.js'
import type { SettingName } from './task.js'

export interface AgentSummaryRecord {
  status: AgentStatus
  /** USD; with `cost_unknown`, only the calls that had a price. */
  cost: number
  /** Additive, only when some model call had no known price (`AgentResult.costUnknown`): the agent's cost is unknown, not `cost`. */
  cost_unknown?: true
  steps: number
  input_tokens: number
  output_tokens: number
  cache_read_tokens: number
  cache_write_tokens: number
  patch_lines: number
  error: string | null
  /** Additive: where the stored patch came from. */
  patch_source?: PatchSource
  /**
   * Additive, only when the agent submitted its own patch (`AgentResult.submittedPatch`): lines of the working-tree diff stored beside
   * it, not evaluated (`agent<fid>.worktree.patch`, `solo.worktree.patch`).
   */
  worktree_patch_lines?: number
  /** Additive, only for a run that did not submit: `infra` (not the agent's fault), `dataset` (a defective task) or `agent`. */
  failure?: 'infra' | 'dataset' | 'agent'
  /** Additive, only for a seat whose role named its own agent or model (`seats.<role>`): which ran it (the pair's keys say the run's). */
  agent_framework?: string
  model?: string | null
}

/**
 * `harness_diff`: the working tree's diff; `agent_patch_file`: the agent's `patch.txt`; `after_submit_marker`: what its submit command
 * printed after the marker (the reference's 0.0.12–0.0.13); `pull_request`: the branch of the pull request it opened (the reference's 0.0.23
 * on); `adapter_diff`: the diff the agent took as the reference's adapter does (swe_agent); `too_large`: over the harness's patch size limit, recorded empty.
 */
export type PatchSource = 'harness_diff' | SubmittedPatchSource | 'none' | 'too_large'

export interface CoopAgentRecord extends AgentSummaryRecord {
  feature_id: number
}

interface ResultRecordBase {
  repo: string
  task_id: number
  features: number[]
  run_id: string
  run_name: string
  /** The agent that ran, by its registered name (never an alias). */
  agent_framework: string
  /** The run's model; null for an agent that calls none (`usesModel: false`, the oracle). */
  model: string | null
  /** Additive: where the agent's prompts came from (`cooperbench-v1`, `reference-config:sha256:<hex>`). */
  prompt_source?: string
  started_at: string
  ended_at: string
  duration_seconds: number
  /** The agents' `cost` summed: a lower bound when an agent's record says `cost_unknown`. */
  total_cost: number
  total_steps: number
  log_dir: string
  // additive
  base_commit?: string | null
  config_hash?: string
  backend?: string
  messaging_enabled?: boolean
  git_enabled?: boolean
  /**
   * Additive: `sha256:<hex>` of the agents' task text (each `feature.md`). If the task now digests otherwise, a resume reruns the agents
   * and `eval` refuses the pair (`error_cause: "task_changed"`). Absent in older records, which are trusted.
   */
  task_text_digest?: string
}

export interface CoopResultRecord extends ResultRecordBase {
  setting: 'coop'
  agents: Record<string, CoopAgentRecord>
  messages_sent: number
}

export interface SoloResultRecord extends ResultRecordBase {
  setting: 'solo'
  agent: AgentSummaryRecord
}

/**
 * A pair's result.json, of any setting: the common keys, each agent's record (`agents` by id, or solo's lone `agent`) and the setting's
 * own keys (a team's `lead_agent`, …), read through its shape (`CoopResultRecord`, `SoloResultRecord`, …) once `setting` says which.
 */
export interface ResultRecord extends ResultRecordBase {
  setting: SettingName
  agents?: Record<string, AgentSummaryRecord & { feature_id?: number }>
  agent?: AgentSummaryRecord
  messages_sent?: number
  /** Additive: the pair's phases in order, when its setting names them (the seats of each, and what each started from). */
  phases?: PhaseRecord[]
  [key: string]: unknown
}

/** One phase of a pair whose setting runs its seats in phases (`ResultRecord.phases`). */
export interface PhaseRecord {
  name: string
  started_at: string
  ended_at: string
  seats: Array<{
    agent_id: string
    feature_ids: number[]
    role?: string
    /** The seat's patch and trajectory files in the pair folder. */
    patch: string
    trajectory: string
    /** Its artifact's file (`plan.txt`'s copy), when it submits one. */
    artifact?: string
    /** The agent of an earlier phase whose patch its sandbox started from. */
    started_from?: string
    /** The agent and model of a seat whose role named its own (`seats.<role>`); absent: the run's. */
    agent_framework?: string
    model?: string | null
    /** A seat carried over from an earlier phase: whether its agent continued its conversation (false: it started afresh in the same sandbox). */
    continued?: boolean
    status: AgentStatus
  }>
}

export interface ConversationEntry {
  from: string
  to: string
  message: string
  timestamp: string | number | null
  feature_id: number
}

export type ApplyStatus = 'applied' | 'skipped' | 'failed' | 'unknown'
/** `identical`: every agent submitted the same patch (cooperbench-0.0.16), tested once without a merge. */
export type MergeStatus = 'clean' | 'conflicts' | 'missing_input' | 'identical' | 'error'

/**
 * How the tested tree was made: `naive` (a plain merge), `union` (0.0.14's fallback), `skip-merge-identical` (identical patches, 0.0.16),
 * `sequential-fold` (0.0.16, over two features: every branch folded into agent1's), `solo-agent1` (0.0.16: merge failed; agent1's patch alone
 * passed every feature).
 */
export type MergeStrategy = 'naive' | 'union' | 'skip-merge-identical' | 'sequential-fold' | 'solo-agent1'

export interface FeatureEvalRecord {
  feature_id: number | null
  passed: boolean
  exit_code: number | null
  tests_passed: number
  tests_failed: number
  test_output: string
}

export interface EvalRecord {
  repo: string
  task_id: number
  features: number[]
  setting: SettingName
  apply_status?: Record<string, ApplyStatus>
  merge: { status: MergeStatus; strategy: MergeStrategy | null; diff: string } | null
  feature1: FeatureEvalRecord
  feature2: FeatureEvalRecord
  /** Pairs of more than two features: `feature3`, … in feature order. */
  [feature: `feature${number}`]: FeatureEvalRecord
  /** Every feature passed (the reference's name; pairs of more than two features say `all_passed` too). */
  both_passed: boolean
  /** Every feature passed (equal to `both_passed`; upstream's N-agent name, PR #75). Absent in older records. */
  all_passed?: boolean
  /** Upstream's N-agent map (PR #75): feature id → its verdict, without `test_output` (which stays in `feature<n>`). Absent in older records. */
  features_result?: Record<string, Omit<FeatureEvalRecord, 'test_output'>>
  error: string | null
  evaluated_at: string
  // additive
  patch_filter?: Record<string, string[]>
  base_commit?: string | null
  timings?: Record<string, number>
  /** The evaluator that wrote the record, when it is not `default`. */
  evaluator?: string
  /** The evaluation policy the verdict was made under; absent in older records, which were scored as `cooperbench-0.0.14`. */
  policy?: EvaluationPolicy
  /**
   * Additive, only on an error record of known cause: `dataset` (a defective task, e.g. a tests patch that does not apply), `infra`,
   * `agent`, or `task_changed` (the task text changed since the agents ran: their patches answer another task). Never on a verdict.
   */
  error_cause?: 'infra' | 'dataset' | 'agent' | 'task_changed'
  /** Additive: `sha256:<hex>` of the inputs (each `feature.md`, `tests.patch`, `runner.sh`); a verdict whose inputs now digest otherwise is redone. */
  inputs_digest?: string
}

export interface TrajectoryRecord {
  repo: string
  task_id: number
  feature_id?: number
  features?: number[]
  agent_id: string
  /** null for an agent that calls no model. */
  model: string | null
  status: AgentStatus | null
  cost: number
  /** Additive, as the agent's record in result.json: its cost is unknown (a model call without a price). */
  cost_unknown?: true
  steps: number
  messages: unknown[]
}
