import { CooperbenchError, type TaskList } from '@cooperbench/spec'
import type { TeamTask } from '@cooperbench/spec/team'
import {
  type ClaimOutcome,
  type CreateTeamTaskOptions,
  checkNewTeamTask,
  isTeamTaskStatus,
  newTeamTaskId,
  type TeamTaskEvent,
  type TeamTaskFilter,
  type TeamTaskStatus,
  teamTaskTimestamp,
  type UpdateOutcome,
} from '@cooperbench/spec/team'

/** What one namespace's task list holds; shared by every handle the memory bus opens on it. */
export interface MemoryTaskStore {
  tasks: Map<string, TeamTask>
  events: TeamTaskEvent[]
}

export function newMemoryTaskStore(): MemoryTaskStore {
  return { tasks: new Map(), events: [] }
}

/**
 * The in-process task list. Each operation runs to completion without an `await` between its
 * check and its write, so on one event loop a claim is atomic; callers get copies, never the
 * stored objects.
 */
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
    return [...this.store.tasks.values()]
      .filter((t) => (filter.owner === undefined || t.owner === filter.owner) && (filter.status === undefined || t.status === filter.status))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map(copy)
  }

  async log(): Promise<TeamTaskEvent[]> {
    this.assertOpen()
    return this.store.events.map((e) => ({ ...e }))
  }

  async clear(): Promise<void> {
    this.assertOpen()
    this.store.tasks.clear()
    this.store.events.length = 0
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
