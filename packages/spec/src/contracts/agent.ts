import type { Mailbox } from './bus.js'
import type { Coordination } from './coordination.js'
import type { Logger } from './logger.js'
import type { Sandbox } from './sandbox.js'
import type { Task } from './task.js'

/** `Submitted`, `LimitsExceeded` and `Error` have fixed meanings; adapters may add others. */
export type AgentStatus = 'Submitted' | 'LimitsExceeded' | 'Error' | (string & {})

/** Saves an agent's trajectory as it grows. */
export interface TrajectoryRecorder {
  /** Replaces the stored messages (costs the whole trajectory: for agents that rewrite history). */
  save(messages: unknown[]): Promise<void>
  /** Adds messages after those stored, in constant time each (records that only grow). Optional within agent-v1 (older hosts may lack it). */
  append?(messages: unknown[]): Promise<void>
}

/**
 * The limits an agent enforces (0: none), decided once by the harness: the run's (`--step-limit`, `--cost-limit`, `--agent-timeout`
 * and their config keys) where set, else the agent's options' (its registration's `ownLimits`), else the run's defaults.
 */
export interface AgentLimits {
  /** Model calls (or the agent's own steps) before `LimitsExceeded`. */
  steps: number
  /** USD spent before `LimitsExceeded`. */
  costUsd: number
  /** Whole-agent wall clock (null: none); the harness enforces it itself by aborting `ctx.signal` with a TimeoutError. */
  wallClockSeconds: number | null
}

export interface AgentRunContext {
  /** `agent1`, `agent2`, … beside peers; `solo` alone; whatever its setting names its seat (`manager`). */
  agentId: string
  /** The feature(s) this agent implements, ascending. */
  featureIds: number[]
  /** The task text: feature.md in coop, the joined `## Feature <id>` blocks in solo; for a continued seat, its next instruction. */
  instructions: string
  task: Task
  sandbox: Sandbox
  /** Ids of the other agents it works beside, whether or not it may message them (empty: it works alone). */
  peers: string[]
  /** Present when it may message its peers. */
  mailbox: Mailbox | null
  /** Present when it shares a git remote with its peers (`--git`), already configured under `remote`. */
  git: { remote: string; url: string } | null
  /** What else its seat hands it: a briefing, tools, a status to show before each model call (see {@link Coordination}). */
  coordination: Coordination
  /**
   * This seat's earlier run in this same sandbox, when its setting carried it into a later phase. An agent whose registration says
   * `continues` resumes that conversation with `instructions` as the next message; the harness gives it to no other agent.
   */
  previous?: AgentResult
  /** The model this seat calls (its own, when its setting's seat names one in `seats.<role>.model`). */
  model: string
  /**
   * `--model-base-url`: the OpenAI-compatible server to call the model at, or null. Optional within agent-v1 (older hosts do not set it);
   * also passed as the `model_base_url` option to agents whose options schema accepts that key.
   */
  modelBaseUrl?: string | null
  /** The backend the agent's sandbox runs on (`local`, `docker`, …). Optional within agent-v1. */
  backend?: string
  /** The task image the sandbox was made from, by the run's image naming. Optional within agent-v1. */
  image?: string
  /** The agent's options (from `--agent-config` and the config file), validated by its schema. */
  options: Record<string, unknown>
  /** The limits this agent enforces (see {@link AgentLimits}). */
  limits: AgentLimits
  recorder: TrajectoryRecorder
  logger: Logger
  signal: AbortSignal
}

export interface AgentResult {
  status: AgentStatus
  /** USD of the model calls the agent could price: with `costUnknown`, a lower bound (0 when it could price none). */
  cost: number
  /**
   * Some model call had no known price (a model missing from the price table, a CLI that reports no cost or only a guess): the
   * run's cost is unknown, never $0. Absent: every call was priced, or no model was called (the oracle: $0, known). Optional
   * within agent-v1.
   */
  costUnknown?: boolean
  steps: number
  input_tokens: number
  output_tokens: number
  cache_read_tokens: number
  cache_write_tokens: number
  /** The trajectory, stored in the traj file. */
  messages: unknown[]
  error: string | null
  /**
   * Whose failure a non-`Submitted` status is: `infra` (model provider, sandbox, network, disk: worth retrying), `dataset` (a defective
   * task, e.g. a gold patch that does not apply) or `agent`. Absent: the harness decides (sandbox and backend errors `infra`, else `agent`).
   */
  failure?: FailureOrigin
  /**
   * The patch evaluated instead of the working-tree diff (absent, the default: the diff): the reference's protocol, where the agent writes
   * `patch.txt` and the adapter reads it back (only newlines trimmed, as upstream 0.0.16; `''` when missing). The diff is still stored
   * beside, for analysis. Optional within agent-v1.
   */
  submittedPatch?: string
  /**
   * Where `submittedPatch` came from (the agent's `patch_source`): `agent_patch_file` (`patch.txt`, the default), `after_submit_marker`
   * (what its submit command printed after the marker, the reference's 0.0.12–0.0.13 protocol) or `pull_request` (the branch of the
   * pull request it opened, the reference's 0.0.23 on) or `adapter_diff` (the diff the reference's
   * adapter takes itself at the end, as upstream's swe_agent does). Optional within agent-v1.
   */
  submittedPatchSource?: SubmittedPatchSource
}

/** Where an agent's own submission came from (`AgentResult.submittedPatchSource`). */
export type SubmittedPatchSource = 'agent_patch_file' | 'after_submit_marker' | 'pull_request' | 'adapter_diff'

/** Who is to blame for a failed agent run. */
export type FailureOrigin = 'infra' | 'dataset' | 'agent'

export interface Agent {
  readonly specificationVersion: 'agent-v1'
  readonly name: string
  /**
   * Checked once before any pair starts: throws a CooperbenchError naming what is missing (credentials, a bad option), so a misconfigured
   * run fails in one line, not in every pair. Must not spend money (no model request).
   */
  preflight?(setup: {
    model: string
    modelBaseUrl?: string | null
    options: Record<string, unknown>
    /** The limits the agent will enforce, as `ctx.limits` has them. */
    limits: AgentLimits
    /** How the run's seats work, so templates can be tried as the run will render them. Optional within agent-v1. */
    run?: {
      messaging: boolean
      git: boolean
      /** How many agents one works beside, itself included (`agent1` … `agentN`; 1: alone). */
      agents: number
    }
    /** The backend and whether sandboxes reach the network, so an agent calling its model from inside can refuse the run. Optional within agent-v1. */
    backend?: { name: string; network: boolean }
  }): Promise<void>
  run(context: AgentRunContext): Promise<AgentResult>
}
