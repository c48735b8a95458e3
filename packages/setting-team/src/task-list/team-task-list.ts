import { setTimeout as sleep } from 'node:timers/promises'
import { CooperbenchError, type SharedLog } from '@cooperbench/spec'
import { byId, checkNewTeamRequest, checkNewTeamTask, filteredTasks, newTeamTaskId, teamTaskTimestamp } from './task-rules.js'
import {
  type ChangeOptions,
  type ClaimOutcome,
  type CreateTeamTaskOptions,
  isTeamTaskStatus,
  type RespondOutcome,
  type TaskList,
  TEAM_TASK_EVENT_KINDS,
  type TeamRequest,
  type TeamResponse,
  type TeamTask,
  type TeamTaskEvent,
  type TeamTaskFilter,
  type TeamTaskStatus,
  type UpdateOutcome,
} from './task-types.js'

/** A log entry: an event as `log()` gives it, and a create's metadata, which only the task keeps (upstream's events lack it). */
type Stored = TeamTaskEvent & { metadata?: Record<string, unknown> }

/** What one change decided from the list as read: the event to append and what the caller is told once it landed. */
type Decision<T> = { event: Stored; landed: () => T } | { answer: T }

/** An event's `via`: present only when the host made the change. */
const via = (options: ChangeOptions) => (options.host ? { via: 'host' as const } : {})

/** How often `awaitResponse` looks again when it has no handle of its own to sleep on. */
const POLL_MS = 200

/**
 * The team's task list, built by replaying a shared log of its events (`MessageBus.openLog`): every change is decided on the list as
 * this handle last read it and appended only when nothing was appended since, else decided again. So the check and the write of a
 * claim are one step on any bus that keeps the log's contract, the log is in effect order, and `log()` is the record itself. One
 * list answers every seat of a pair at once: its reads and changes take turns on the handle, since a read or an append of one call
 * between another's decision and its append would let that append land on a list it did not decide on (two claims of one task).
 */
export class TeamTaskList implements TaskList {
  private readonly tasks = new Map<string, TeamTask>()
  private readonly open = new Map<string, TeamRequest>()
  private readonly responses = new Map<string, TeamResponse>()
  private readonly events: TeamTaskEvent[] = []
  private lastTs = 0
  /** The last operation on the handle: the next one starts when it ended. */
  private turn: Promise<unknown> = Promise.resolve()

  /**
   * `watch` opens another handle on the same log, which `awaitResponse` sleeps on (a wait moves its handle on, so it cannot be
   * `shared`'s without holding every other call up); without it, `awaitResponse` looks again every 200 ms.
   */
  constructor(
    private readonly shared: SharedLog,
    private readonly watch: (() => Promise<SharedLog>) | null = null,
  ) {}

  async create(by: string, title: string, options: CreateTeamTaskOptions = {}): Promise<TeamTask> {
    checkNewTeamTask(by, title)
    const { assign, metadata = {} } = options
    return this.change(() => {
      const id = this.freshId()
      const event: Stored = { kind: 'create', task_id: id, by, title, ...(assign ? { owner: assign } : {}), ts: this.now() }
      return { event: Object.keys(metadata).length > 0 ? { ...event, metadata } : event, landed: () => ({ ...this.tasks.get(id)! }) }
    })
  }

  async claim(taskId: string, by: string, options: ChangeOptions = {}): Promise<ClaimOutcome> {
    return this.change<ClaimOutcome>(() => {
      const task = this.tasks.get(taskId)
      if (task === undefined) return { answer: { outcome: 'missing', taskId } }
      if (task.owner !== '' && task.owner !== by) return { answer: { outcome: 'owned', owner: task.owner, task: { ...task } } }
      // The owner's claim again: nothing changes, nothing is logged.
      if (task.owner === by && task.status === 'in_progress') return { answer: { outcome: 'claimed', task: { ...task } } }
      const event: Stored = { kind: 'claim', task_id: taskId, by, ...via(options), ts: this.now() }
      return { event, landed: () => ({ outcome: 'claimed', task: { ...this.tasks.get(taskId)! } }) }
    })
  }

  async update(taskId: string, by: string, status: TeamTaskStatus, note?: string, options: ChangeOptions = {}): Promise<UpdateOutcome> {
    return this.change<UpdateOutcome>(() => {
      const task = this.tasks.get(taskId)
      if (task === undefined) return { answer: { outcome: 'missing', taskId } }
      if (task.owner !== by) return { answer: { outcome: 'not-owner', owner: task.owner, task: { ...task } } }
      if (!isTeamTaskStatus(status)) return { answer: { outcome: 'invalid-status', status } }
      const event: Stored = { kind: 'update', task_id: taskId, by, status, ...(note === undefined ? {} : { note }), ...via(options), ts: this.now() }
      return { event, landed: () => ({ outcome: 'updated', task: { ...this.tasks.get(taskId)! } }) }
    })
  }

  async get(taskId: string): Promise<TeamTask | null> {
    await this.refresh()
    const task = this.tasks.get(taskId)
    return task === undefined ? null : { ...task }
  }

  async list(filter: TeamTaskFilter = {}): Promise<TeamTask[]> {
    await this.refresh()
    return filteredTasks([...this.tasks.values()], filter).map((task) => ({ ...task }))
  }

  async log(): Promise<TeamTaskEvent[]> {
    await this.refresh()
    return this.events.map((event) => ({ ...event }))
  }

  async request(by: string, to: string, kind: string, body: string): Promise<TeamRequest> {
    checkNewTeamRequest(by, to)
    return this.change(() => {
      const id = this.freshId()
      const event: Stored = { kind: 'request', request_id: id, by, to, request_kind: kind, body, ts: this.now() }
      return { event, landed: () => ({ ...this.open.get(id)! }) }
    })
  }

  async respond(requestId: string, by: string, body: string): Promise<RespondOutcome> {
    return this.change<RespondOutcome>(() => {
      const request = this.open.get(requestId)
      if (request === undefined) return { answer: { outcome: 'unknown', requestId } }
      if (request.to !== by) return { answer: { outcome: 'not-addressed', to: request.to } }
      const event: Stored = { kind: 'response', request_id: requestId, by, to: request.from, body, ts: this.now() }
      return { event, landed: () => ({ outcome: 'responded', response: { ...this.responses.get(requestId)! } }) }
    })
  }

  async pending(agentId: string): Promise<TeamRequest[]> {
    await this.refresh()
    return [...this.open.values()].filter((request) => request.to === agentId).sort(byId)
  }

  async awaitResponse(requestId: string, timeoutMs: number, signal?: AbortSignal): Promise<TeamResponse | null> {
    const deadline = Date.now() + timeoutMs
    const watcher = timeoutMs > 0 ? await this.watch?.() : undefined
    try {
      for (;;) {
        await this.refresh()
        const left = deadline - Date.now()
        if (this.responses.has(requestId) || signal?.aborted || left <= 0) break
        // Only a wake-up: what came is read through the list's own handle, in turn.
        if (watcher) await watcher.wait(left, signal)
        else await sleep(Math.min(left, POLL_MS), undefined, { signal }).catch(() => {})
      }
    } finally {
      await watcher?.close().catch(() => {})
    }
    const response = this.responses.get(requestId)
    return response === undefined ? null : { ...response }
  }

  /** Decides on the list as read, appends the event when nothing came first, else reads what did and decides again. */
  private change<T>(decide: () => Decision<T>): Promise<T> {
    return this.inTurn(async () => {
      this.applyAll(await this.shared.read())
      for (;;) {
        const decision = decide()
        if ('answer' in decision) return decision.answer
        if (await this.shared.append([JSON.stringify(decision.event)])) {
          this.apply(decision.event)
          return decision.landed()
        }
        this.applyAll(await this.shared.read())
      }
    })
  }

  private refresh(): Promise<void> {
    return this.inTurn(async () => this.applyAll(await this.shared.read()))
  }

  /** Runs `operation` once every earlier one on the handle ended. */
  private inTurn<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.turn.then(operation)
    this.turn = run.catch(() => {})
    return run
  }

  private applyAll(entries: readonly string[]): void {
    for (const entry of entries) {
      const event = this.parse(entry)
      if (event !== null) this.apply(event)
    }
  }

  private apply(stored: Stored): void {
    const { metadata, ...event } = stored
    this.events.push(event)
    this.lastTs = Math.max(this.lastTs, event.ts)
    if (event.kind === 'create') {
      this.tasks.set(event.task_id, {
        id: event.task_id,
        title: event.title,
        owner: event.owner ?? '',
        status: 'open',
        created_by: event.by,
        created_at: event.ts,
        last_note: '',
        metadata: metadata ?? {},
      })
    } else if (event.kind === 'claim') {
      const task = this.tasks.get(event.task_id)
      if (task) Object.assign(task, { owner: event.by, status: 'in_progress' })
    } else if (event.kind === 'update') {
      const task = this.tasks.get(event.task_id)
      if (task) Object.assign(task, { status: event.status }, event.note === undefined ? {} : { last_note: event.note })
    } else if (event.kind === 'request') {
      this.open.set(event.request_id, { id: event.request_id, from: event.by, to: event.to, kind: event.request_kind, body: event.body ?? '', ts: event.ts })
    } else {
      this.open.delete(event.request_id)
      this.responses.set(event.request_id, { id: event.request_id, from: event.by, to: event.to, body: event.body ?? '', ts: event.ts })
    }
  }

  /** A log entry as an event; null for one of another kind (a newer writer's), which readers skip. */
  private parse(entry: string): Stored | null {
    let e: Partial<Stored> | null = null
    try {
      e = JSON.parse(entry)
    } catch {}
    if (typeof e !== 'object' || e === null || typeof e.kind !== 'string' || typeof e.by !== 'string' || typeof e.ts !== 'number') {
      throw new CooperbenchError('INFRA_FAILED', `the team's task list holds an entry that is no event: ${entry.slice(0, 300)}`, {
        hint: 'Something other than cooperbench wrote to its log; the team run cannot trust its task list.',
      })
    }
    return (TEAM_TASK_EVENT_KINDS as readonly string[]).includes(e.kind) ? (e as Stored) : null
  }

  /** Ten hex characters no task or request has. */
  private freshId(): string {
    for (;;) {
      const id = newTeamTaskId()
      if (!this.tasks.has(id) && !this.open.has(id) && !this.responses.has(id)) return id
    }
  }

  /** Now, never before an event already in the log: the log's times only grow. */
  private now(): number {
    return Math.max(teamTaskTimestamp(), this.lastTs)
  }
}
