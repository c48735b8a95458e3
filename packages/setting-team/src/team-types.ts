import type { AgentSummaryRecord, ResultRecord } from '@cooperbench/spec'

/** A seat's part in the `team` setting (CooperBench 0.0.15–0.0.16, PRs #52, #53, #55, #58): `agent1` leads and integrates; each implements its own feature. */
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

/** The keys of the team records that the reference holds as floats: times in seconds since the epoch (`json.dumps` writes `100.0`). */
export const TEAM_FLOAT_KEYS: ReadonlySet<string> = new Set(['ts', 'created_at', 'updated_at'])

/** Where the harness mirrors the task list inside the scratchpad (upstream's fs mirror). */
export const TEAM_TASKS_MIRROR_DIR = `${TEAM_SCRATCHPAD_DIR}/tasks`

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

/** One agent of a team pair's result.json: a coop agent with its role. */
export interface TeamAgentRecord extends AgentSummaryRecord {
  feature_id: number
  team_role: TeamRole
}

/**
 * A team pair (upstream 0.0.16's team `result.json`): the coop keys, `setting: "team"`, the lead, each agent's role, the `metrics`
 * (`{}` without a task list, as upstream's `metrics or {}`; read with `hasTeamMetrics`) and the team's features. Its folder also holds
 * `task_log.json` and `tasks.json` (with the task list) and `scratchpad/` (the shared folder's files at the end, with the scratchpad).
 */
export interface TeamResultRecord extends ResultRecord {
  setting: 'team'
  agents: Record<string, TeamAgentRecord>
  messages_sent: number
  lead_agent: string
  team_features: TeamFeatures
  /** `{}` without a task list; absent in folders written before this version recorded it. */
  metrics?: TeamMetrics | Record<string, never>
}
