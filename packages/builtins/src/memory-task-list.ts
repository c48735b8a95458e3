import { CooperbenchError, type TaskList } from '@cooperbench/spec'
import {
  type ClaimOutcome,
  type CreateTeamTaskOptions,
  isTeamTaskStatus,
  type RespondOutcome,
  type TeamTask,
  type TeamTaskEvent,
  type TeamTaskFilter,
  type TeamRequest,
  type TeamResponse,
  type TeamTaskStatus,
  type UpdateOutcome,
} from '@cooperbench/spec/team'
import { getOrCreate, sleepOrWake } from '@cooperbench/spec-utils'
import { byId, checkNewTeamRequest, checkNewTeamTask, filteredTasks, newTeamTaskId, teamTaskTimestamp } from '@cooperbench/spec-utils/team'

/** What one namespace's task list holds; shared by every handle the memory bus opens on it. */
export interface MemoryTaskStore {
  tasks: Map<string, TeamTask>
  events: TeamTaskEvent[]
  /** Open requests by id; a request leaves when it is answered. */
  requests: Map<string, TeamRequest>
  /** Every response by request id (kept, so a late waiter still gets it). */
  responses: Map<string, TeamResponse>
  /** Who waits for a request's response: woken when it arrives. */
  waiters: Map<string, Set<() => void>>
}

export function newMemoryTaskStore(): MemoryTaskStore {
  return { tasks: new Map(), events: [], requests: new Map(), responses: new Map(), waiters: new Map() }
}

/** The in-process task list: no `await` between an operation's check and write, so a claim is atomic; callers get copies. */
export class MemoryTaskList implements TaskList {
  readonly specificationVersion = 'task-list-v1' as const
  private closed = false

  constructor(
    readonly namespace: string,
    private readonly store: MemoryTaskStore,
  ) {}

  async create(by: string, title: string, options: CreateTeamTaskOptions = {}): Promise<TeamTask> {
    this.assertOpen()
    checkNewTeamTask(by, title)
    let id = newTeamTaskId()
    while (this.store.tasks.has(id)) id = newTeamTaskId()
    const task: TeamTask = {
      id,
      title,
      owner: options.assign ?? '',
      status: 'open',
      created_by: by,
      created_at: teamTaskTimestamp(),
      last_note: '',
      metadata: structuredClone(options.metadata ?? {}),
    }
    this.store.tasks.set(id, task)
    this.store.events.push({ kind: 'create', task_id: id, by, title, ...(task.owner ? { owner: task.owner } : {}), ts: task.created_at })
    return copy(task)
  }

  async claim(taskId: string, by: string): Promise<ClaimOutcome> {
    this.assertOpen()
    const task = this.store.tasks.get(taskId)
    if (!task) return { outcome: 'missing', taskId }
    if (task.owner !== '' && task.owner !== by) return { outcome: 'owned', owner: task.owner, task: copy(task) }
    if (task.owner !== by || task.status !== 'in_progress') {
      task.owner = by
      task.status = 'in_progress'
      this.store.events.push({ kind: 'claim', task_id: taskId, by, ts: teamTaskTimestamp() })
    }
    return { outcome: 'claimed', task: copy(task) }
  }

  async update(taskId: string, by: string, status: TeamTaskStatus, note?: string): Promise<UpdateOutcome> {
    this.assertOpen()
    const task = this.store.tasks.get(taskId)
    if (!task) return { outcome: 'missing', taskId }
    if (task.owner !== by) return { outcome: 'not-owner', owner: task.owner, task: copy(task) }
    if (!isTeamTaskStatus(status)) return { outcome: 'invalid-status', status: String(status) }
    task.status = status
    if (note !== undefined) task.last_note = note
    this.store.events.push({ kind: 'update', task_id: taskId, by, status, ...(note !== undefined ? { note } : {}), ts: teamTaskTimestamp() })
    return { outcome: 'updated', task: copy(task) }
  }

  async get(taskId: string): Promise<TeamTask | null> {
    this.assertOpen()
    const task = this.store.tasks.get(taskId)
    return task ? copy(task) : null
  }

  async list(filter: TeamTaskFilter = {}): Promise<TeamTask[]> {
    this.assertOpen()
    return filteredTasks([...this.store.tasks.values()], filter).map(copy)
  }

  async log(): Promise<TeamTaskEvent[]> {
    this.assertOpen()
    return this.store.events.map((e) => ({ ...e }))
  }

  async request(by: string, to: string, kind: string, body: string): Promise<TeamRequest> {
    this.assertOpen()
    checkNewTeamRequest(by, to)
    let id = newTeamTaskId()
    while (this.store.requests.has(id) || this.store.responses.has(id)) id = newTeamTaskId()
    const request: TeamRequest = { id, from: by, to, kind, body, ts: teamTaskTimestamp() }
    this.store.requests.set(id, request)
    this.store.events.push({ kind: 'request', request_id: id, by, to, request_kind: kind, body, ts: request.ts })
    return { ...request }
  }

  async respond(requestId: string, by: string, body: string): Promise<RespondOutcome> {
    this.assertOpen()
    const request = this.store.requests.get(requestId)
    if (!request) return { outcome: 'unknown', requestId }
    if (request.to !== by) return { outcome: 'not-addressed', to: request.to }
    const response: TeamResponse = { id: requestId, from: by, to: request.from, body, ts: teamTaskTimestamp() }
    this.store.requests.delete(requestId)
    this.store.responses.set(requestId, response)
    this.store.events.push({ kind: 'response', request_id: requestId, by, to: request.from, body, ts: response.ts })
    for (const wake of this.store.waiters.get(requestId) ?? []) wake()
    return { outcome: 'responded', response: { ...response } }
  }

  async pending(agentId: string): Promise<TeamRequest[]> {
    this.assertOpen()
    return [...this.store.requests.values()]
      .filter((r) => r.to === agentId)
      .sort(byId)
      .map((r) => ({ ...r }))
  }

  async awaitResponse(requestId: string, timeoutMs: number, signal?: AbortSignal): Promise<TeamResponse | null> {
    this.assertOpen()
    const stored = () => {
      const response = this.store.responses.get(requestId)
      return response ? { ...response } : null
    }
    if (stored() || timeoutMs <= 0 || signal?.aborted) return stored()
    const waiters = getOrCreate(this.store.waiters, requestId, () => new Set())
    await sleepOrWake(timeoutMs, waiters, signal)
    if (waiters.size === 0) this.store.waiters.delete(requestId)
    return stored()
  }

  async clear(): Promise<void> {
    this.assertOpen()
    this.store.tasks.clear()
    this.store.events.length = 0
    this.store.requests.clear()
    this.store.responses.clear()
  }

  async close(): Promise<void> {
    this.closed = true
  }

  private assertOpen(): void {
    if (this.closed) throw new CooperbenchError('INTERNAL', `task list ${this.namespace} is closed`)
  }
}

function copy(task: TeamTask): TeamTask {
  return { ...task, metadata: structuredClone(task.metadata) }
}
