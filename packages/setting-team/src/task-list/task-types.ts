/** The reference's statuses (0.0.16 `coop_task.py`): `open` at creation (even pre-assigned), `in_progress` once claimed; then only its owner changes it. */
export type TeamTaskStatus = 'open' | 'in_progress' | 'blocked' | 'done'

export const TEAM_TASK_STATUSES: readonly TeamTaskStatus[] = ['open', 'in_progress', 'blocked', 'done']

export function isTeamTaskStatus(value: unknown): value is TeamTaskStatus {
  return typeof value === 'string' && (TEAM_TASK_STATUSES as readonly string[]).includes(value)
}

/** One task of a team's shared list, in the reference's field names (snake_case): `coop-task-list` and `tasks.json` are its JSON, unmapped. */
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
 * An audit log entry, appended atomically with its change, so the log is in effect order. The reference's `task-log` entry (`kind`,
 * `task_id`, `by`, `ts`, the kind's fields); a create's `owner` (the pre-assigned agent) is ours, absent when nobody was assigned.
 */
export type TeamTaskEvent =
  | { kind: 'create'; task_id: string; by: string; title: string; owner?: string; ts: number }
  | { kind: 'claim'; task_id: string; by: string; via?: 'host'; ts: number }
  | { kind: 'update'; task_id: string; by: string; status: TeamTaskStatus; note?: string; via?: 'host'; ts: number }
  | TeamProtocolEvent

/** Who made a change: the agent itself (absent), or the host for it (`via: 'host'`, a setting acting on the agent's start or submission). */
export interface ChangeOptions {
  host?: boolean
}

/**
 * The typed protocol's log entries (the reference's `team_harness/protocol.py`, 0.0.15–0.0.16): `request` (`request_id`, `by` the
 * requester, `to`, `request_kind`), `response` (`request_id`, `by` the responder, `to` the requester). `body` is ours, always written
 * (the reference's logs lack it), so the log alone says what was asked and answered. No `task_id`: log readers must skip unknown kinds.
 */
export type TeamProtocolEvent =
  | { kind: 'request'; request_id: string; by: string; to: string; request_kind: string; body?: string; ts: number }
  | { kind: 'response'; request_id: string; by: string; to: string; body?: string; ts: number }

export type TeamTaskEventKind = TeamTaskEvent['kind']

/** The kinds this version writes; a reader keeps these and skips any other (a newer writer's). */
export const TEAM_TASK_EVENT_KINDS: readonly TeamTaskEventKind[] = ['create', 'claim', 'update', 'request', 'response']

/** A typed request to a teammate (`coop-request <peer> <kind> <body>`), open until answered: the reference's hash fields, `ts` a number. */
export interface TeamRequest {
  /** Ten lowercase hex characters, made by the list (as task ids). */
  id: string
  from: string
  to: string
  /** The requester's free-form discriminator (`question`, `review`, `plan_approval`, …). */
  kind: string
  body: string
  ts: number
}

/** The answer to a {@link TeamRequest}: the reference's response JSON (`id` is the request's). */
export type TeamResponse = Omit<TeamRequest, 'kind'>

/**
 * What a respond did, checked in the reference's order: the request must be open (`unknown` for an id never made or already answered:
 * one answer per request), then addressed to the responder (`not-addressed`).
 */
export type RespondOutcome =
  | { outcome: 'responded'; response: TeamResponse }
  | { outcome: 'unknown'; requestId: string }
  | { outcome: 'not-addressed'; to: string }

export interface CreateTeamTaskOptions {
  /** Pre-assigns the task (the reference's `--assign`); the assignee still claims it. */
  assign?: string
  metadata?: Record<string, unknown>
}

/**
 * What a claim did: of concurrent claims of an unowned task exactly one gets `claimed`, the others `owned` naming the winner. The
 * owner's claim (pre-assigned, or again) gets `claimed` and sets `in_progress`, logged only if it changed something.
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
 * One team's shared task list (a pair's). Every method does what it says or rejects with a `CooperbenchError` (`BACKEND_UNAVAILABLE`:
 * store unreachable; `INFRA_FAILED`: the store lost entries, or holds one that is no event), never guessing: a lost or doubled claim
 * would be recorded as the team's behaviour.
 */
export interface TaskList {
  /** Adds an `open` task; rejects (code USAGE) on an empty title or creator. */
  create(by: string, title: string, options?: CreateTeamTaskOptions): Promise<TeamTask>
  /** Atomic: the ownership check and the write are one step (the reference reads, then writes). */
  claim(taskId: string, by: string, options?: ChangeOptions): Promise<ClaimOutcome>
  /** Only the owner updates; `note` replaces `last_note` when given. */
  update(taskId: string, by: string, status: TeamTaskStatus, note?: string, options?: ChangeOptions): Promise<UpdateOutcome>
  get(taskId: string): Promise<TeamTask | null>
  /** The tasks that match `filter`, ordered by id (the reference's `sorted(ids)`). */
  list(filter?: TeamTaskFilter): Promise<TeamTask[]>
  /** Every event since the list was created, oldest first. */
  log(): Promise<TeamTaskEvent[]>
  /** Feature `protocol`: an open request from `by` to `to`, recorded and logged in one step; the caller checks that `to` is a teammate. */
  request(by: string, to: string, kind: string, body: string): Promise<TeamRequest>
  /** Answers an open request as `by` and logs it, atomically: of two responses to one request exactly one is recorded. */
  respond(requestId: string, by: string, body: string): Promise<RespondOutcome>
  /** The open requests addressed to `agentId`, ordered by id (the reference's `sorted(ids)`). */
  pending(agentId: string): Promise<TeamRequest[]>
  /**
   * Waits up to `timeoutMs` for the response (null: none in time, or aborted); it stays stored, so a later call returns it at once.
   * The wait sleeps (a blocking Redis read, a timer in memory), never polling in a tight loop.
   */
  awaitResponse(requestId: string, timeoutMs: number, signal?: AbortSignal): Promise<TeamResponse | null>
}
