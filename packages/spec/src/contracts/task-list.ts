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
  | TeamProtocolEvent

/**
 * The typed protocol's entries in the same log (the reference's `team_harness/protocol.py`, 0.0.15–
 * 0.0.16): `request` (`request_id`, `by` the requester, `to`, `request_kind`) and `response`
 * (`request_id`, `by` the responder, `to` the requester). `body` is ours, always written here (the
 * reference logs no body, so its logs lack it), so the log alone says what was asked and answered. They carry no `task_id`: a reader of
 * the log must skip kinds it does not know, as these are new to readers written for the task list.
 */
export type TeamProtocolEvent =
  | { kind: 'request'; request_id: string; by: string; to: string; request_kind: string; body?: string; ts: number }
  | { kind: 'response'; request_id: string; by: string; to: string; body?: string; ts: number }

export type TeamTaskEventKind = TeamTaskEvent['kind']

/** The kinds this version writes; a reader keeps these and skips any other (a newer writer's). */
export const TEAM_TASK_EVENT_KINDS: readonly TeamTaskEventKind[] = ['create', 'claim', 'update', 'request', 'response']

/**
 * A typed request one agent of a team addresses to another (`coop-request <peer> <kind> <body>`),
 * open until the addressee responds. The reference's hash fields, `ts` as a number.
 */
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
export interface TeamResponse {
  id: string
  from: string
  to: string
  body: string
  ts: number
}

/**
 * What a respond did, checked in the reference's order: the request must be open (`unknown` for an
 * id never made, and for one already answered: a request is answered once), then addressed to the
 * responder (`not-addressed`).
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
  readonly specificationVersion: 'task-list-v1'
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
  /**
   * The typed protocol (feature `protocol`): records an open request from `by` to `to` and logs
   * it in the same step. Whether `to` is a teammate is the caller's check (the list knows no team).
   */
  request(by: string, to: string, kind: string, body: string): Promise<TeamRequest>
  /** Answers an open request as `by` and logs it, atomically: of two responses to one request exactly one is recorded. */
  respond(requestId: string, by: string, body: string): Promise<RespondOutcome>
  /** The open requests addressed to `agentId`, ordered by id (the reference's `sorted(ids)`). */
  pending(agentId: string): Promise<TeamRequest[]>
  /**
   * Waits up to `timeoutMs` for the response to `requestId`; null when none came in time (or the
   * signal aborted the wait). The response stays stored, so a later call returns it at once. The
   * wait sleeps (a blocking Redis read, a timer in memory), it never polls in a tight loop.
   */
  awaitResponse(requestId: string, timeoutMs: number, signal?: AbortSignal): Promise<TeamResponse | null>
  /** Deletes every task, request, response and the log. */
  clear(): Promise<void>
  /** Frees what this handle holds (connections); the tasks stay. Idempotent. */
  close(): Promise<void>
}
