import type { TaskList } from './task-list.js'

/** The `team` setting (CooperBench 0.0.15–0.0.16, PRs #52, #53, #55, #58): `agent1` leads and integrates; each implements its own feature. */
export type TeamRole = 'lead' | 'member'

/** A team's five coordination features (upstream's `TeamHarnessConfig` names), each off by a `--team-no-*` flag; lead/member is always on (else: coop). */
export interface TeamFeatures {
  /** The task list seeded before agents start, with records, metrics (`--team-no-task-list`, upstream's arm: commands stay with `protocol`, as upstream's). */
  task_list: boolean
  /** The shared folder `/workspace/shared` (`--team-no-scratchpad`). */
  scratchpad: boolean
  /** The `wait_for_message` MCP tool for CLI agents (`--team-no-mcp`). */
  mcp: boolean
  /** The `[Team task list]` summary before every model call of a loop agent (`--team-no-auto-refresh`). */
  auto_refresh: boolean
  /** The typed `coop-request` / `coop-respond` / `coop-pending` commands (`--team-no-protocol`). */
  protocol: boolean
  /** Ours, absent unless off (`--team-no-task-commands`): no task list at all, so `task_list`, `auto_refresh`, `protocol` are off too (not vice versa). */
  task_commands?: false
}

export const TEAM_FEATURE_NAMES = ['task_list', 'scratchpad', 'mcp', 'auto_refresh', 'protocol'] as const satisfies readonly (keyof TeamFeatures)[]

/** What `task_commands: false` (no task list of any kind) switches off with it: one arm, not three. */
export const WITH_TASK_COMMANDS: readonly (typeof TEAM_FEATURE_NAMES)[number][] = ['task_list', 'auto_refresh', 'protocol']

/** The features a record holds, when it holds all five as booleans (an older or foreign file may not); `task_commands: false` kept. */
export function readTeamFeatures(value: unknown): TeamFeatures | null {
  if (typeof value !== 'object' || value === null) return null
  const record = value as Record<string, unknown>
  if (!TEAM_FEATURE_NAMES.every((name) => typeof record[name] === 'boolean')) return null
  const read = Object.fromEntries(TEAM_FEATURE_NAMES.map((name) => [name, record[name]])) as unknown as TeamFeatures
  return record.task_commands === false ? { ...read, task_commands: false } : read
}

/** Every feature on: upstream's default team. */
export const ALL_TEAM_FEATURES: Readonly<TeamFeatures> = Object.freeze({ task_list: true, scratchpad: true, mcp: true, auto_refresh: true, protocol: true })

/** Where every sandbox of a team mounts the scratchpad (upstream's `CONTAINER_SCRATCHPAD_DIR`). */
export const TEAM_SCRATCHPAD_DIR = '/workspace/shared'

/** Where the harness mirrors the task list inside the scratchpad (upstream's fs mirror). */
export const TEAM_TASKS_MIRROR_DIR = `${TEAM_SCRATCHPAD_DIR}/tasks`

/**
 * An agent's team (`AgentRunContext.team`). The harness seeded the task list, installed the commands of features on, mounted the
 * scratchpad and keeps the mirror current; an agent only explains them to its model (never naming a feature that is off) and, for
 * loop agents, shows the task list before each model call when `features.auto_refresh` is on.
 */
export interface AgentTeam {
  role: TeamRole
  /** The lead's agent id (`agent1`). */
  lead: string
  /** Every agent of the team, lead first, in feature order. */
  agents: string[]
  features: TeamFeatures
  /**
   * The task list, read only, for summaries (null when no feature using it is on). Agents change it by the sandbox commands, installed
   * when `task_list` or `protocol` is on (upstream's rule; `teamTaskCommandsOn` of `@cooperbench/setting-team/agent`).
   */
  taskList: TaskList | null
  /** The scratchpad's path inside the sandbox (null when `scratchpad` is off). */
  scratchpad: string | null
}

/** Coordination metrics from the task list's log after the run (upstream's `team_harness/metrics.py` `compute_metrics`), result.json's `metrics`. */
export interface TeamMetrics {
  tasks_total: number
  tasks_done: number
  /** Tasks without an owner when the run ended. */
  unowned_at_end: number
  /** Seconds from the earliest create (the seeding) to the earliest claim; null when nobody claimed. */
  time_to_first_claim_seconds: number | null
  claims_per_agent: Record<string, number>
  updates_per_agent: Record<string, number>
}

/** Whether result.json's `metrics` holds counts: not `{}` (no task list, or upstream could not read its log at the end) or anything else. */
export function hasTeamMetrics(metrics: unknown): metrics is TeamMetrics {
  if (typeof metrics !== 'object' || metrics === null) return false
  const m = metrics as Partial<Record<keyof TeamMetrics, unknown>>
  return typeof m.tasks_total === 'number' && typeof m.claims_per_agent === 'object' && m.claims_per_agent !== null
}
