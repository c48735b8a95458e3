import { CooperbenchError } from '../errors.js'

export type TaskListSpecificationVersion = 'task-list-v1'

/**
 * A team task's status: the reference's four (CooperBench 0.0.16 `coop_task.py`). A task is `open`
 * when created (also when pre-assigned), `in_progress` once claimed; only its owner changes it after.
 */
export type TeamTaskStatus = 'open' | 'in_progress' | 'blocked' | 'done'

export const TEAM_TASK_STATUSES: readonly TeamTaskStatus[] = ['open', 'in_progress', 'blocked', 'done']

export function isTeamTaskStatus(value: unknown): value is TeamTaskStatus {
  return typeof value === 'string' && (TEAM_TASK_STATUSES as readonly string[]).includes(value)
}

/**
 * One task of a team's shared list. The field names are the reference's (snake_case), so the
 * `coop-task-list` output and `tasks.json` are the reference's JSON without a mapping layer.
 */
export interface TeamTask {
  /** Ten lowercase hex characters, made by the list. */
  id: string
  title: string
  /** The agent that holds the task; `''` while nobody does. A pre-assigned task has its owner but stays `open` until claimed. */
  owner: string
  status: TeamTaskStatus
  created_by: string
  /** Seconds since the epoch, with a fraction (the reference's `time.time()`). */
  created_at: number
  /** The note of the last update that carried one; `''` before. */
  last_note: string
  metadata: Record<string, unknown>
}

/**
 * One entry of a task list's audit log, appended in the same atomic step as the change it
 * records, so the log's order is the order in which the changes took effect. The shape is the
 * reference's `task-log` entry (`kind`, `task_id`, `by`, `ts` and the kind's fields); `owner` on a
 * create (the pre-assigned agent) is ours and absent when nobody was assigned.
 */
export type TeamTaskEvent =
  | { kind: 'create'; task_id: string; by: string; title: string; owner?: string; ts: number }
  | { kind: 'claim'; task_id: string; by: string; ts: number }
  | { kind: 'update'; task_id: string; by: string; status: TeamTaskStatus; note?: string; ts: number }

export interface CreateTeamTaskOptions {
  /** Pre-assigns the task (the reference's `--assign`); the assignee still claims it. */
  assign?: string
  metadata?: Record<string, unknown>
}

/**
 * What a claim did. Exactly one of any number of concurrent claims of an unowned task gets
 * `claimed`; every other gets `owned` naming the winner. A claim by the task's owner (a
 * pre-assigned agent, or the holder again) gets `claimed` and sets `in_progress`; it logs an event
 * only when it changed something.
 */
export type ClaimOutcome = { outcome: 'claimed'; task: TeamTask } | { outcome: 'owned'; owner: string; task: TeamTask } | { outcome: 'missing'; taskId: string }

/** What an update did; checked in the reference's order: existence, ownership, then status. */
export type UpdateOutcome =
  | { outcome: 'updated'; task: TeamTask }
  | { outcome: 'missing'; taskId: string }
  | { outcome: 'not-owner'; owner: string; task: TeamTask }
  | { outcome: 'invalid-status'; status: string }

export interface TeamTaskFilter {
  /** Only tasks this agent owns (the reference's `--mine`). */
  owner?: string
  /** Only tasks with this status (`--open` is `status: 'open'`). */
  status?: TeamTaskStatus
}

/**
 * One team's shared task list (one pair execution's namespace). Every method either does what it
 * says or rejects with a `CooperbenchError` (e.g. `BACKEND_UNAVAILABLE` when the store cannot be
 * reached, `INFRA_FAILED` naming a stored record that is not a task): it never answers from a
 * guess, because a lost or doubled claim would be recorded as the team's behaviour.
 */
export interface TaskList {
  readonly specificationVersion: TaskListSpecificationVersion
  readonly namespace: string
  /** Adds an `open` task; rejects (code USAGE) on an empty title or creator. */
  create(by: string, title: string, options?: CreateTeamTaskOptions): Promise<TeamTask>
  /** Atomic: the ownership check and the write are one step (the reference reads, then writes). */
  claim(taskId: string, by: string): Promise<ClaimOutcome>
  /** Only the owner updates; `note` replaces `last_note` when given. */
  update(taskId: string, by: string, status: TeamTaskStatus, note?: string): Promise<UpdateOutcome>
  get(taskId: string): Promise<TeamTask | null>
  /** The tasks that match `filter`, ordered by id (the reference's `sorted(ids)`). */
  list(filter?: TeamTaskFilter): Promise<TeamTask[]>
  /** Every event since the list was created, oldest first. */
  log(): Promise<TeamTaskEvent[]>
  /** Deletes every task and the log. */
  clear(): Promise<void>
  /** Frees what this handle holds (connections); the tasks stay. Idempotent. */
  close(): Promise<void>
}

/** A fresh task id: ten lowercase hex characters, as the reference makes them (`uuid4().hex[:10]`). */
export function newTeamTaskId(): string {
  const bytes = new Uint8Array(5)
  globalThis.crypto.getRandomValues(bytes)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** The current time as the log and `created_at` carry it: seconds since the epoch with a fraction. */
export function teamTaskTimestamp(): number {
  return Date.now() / 1000
}

/** The checks every implementation makes before it creates a task (code USAGE). */
export function checkNewTeamTask(by: string, title: string): void {
  if (by === '') throw new CooperbenchError('USAGE', 'a task needs the id of the agent that creates it')
  if (title.trim() === '') throw new CooperbenchError('USAGE', 'a task needs a non-empty title', { hint: 'coop-task-create "<title>"' })
}
