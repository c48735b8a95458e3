/** What the task list runs beside its log: ids, timestamps, pre-record checks, list order and filter. */
import { CooperbenchError } from '@cooperbench/spec'
import type { TeamTask, TeamTaskFilter } from './task-types.js'

/** A fresh task or request id: ten lowercase hex characters, as the reference makes them (`uuid4().hex[:10]`). */
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

/** The checks every implementation makes before it records a request (code USAGE). */
export function checkNewTeamRequest(by: string, to: string): void {
  if (by === '') throw new CooperbenchError('USAGE', 'a request needs the id of the agent that makes it')
  if (to === '') throw new CooperbenchError('USAGE', 'a request needs the agent it is addressed to', { hint: 'coop-request <peer> <kind> <body>' })
}

/** Ascending id order, in which `list` and `pending` answer. */
export function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

/** What `list(filter)` answers: the tasks of the filter's owner and status, in id order. */
export function filteredTasks(tasks: readonly TeamTask[], filter: TeamTaskFilter): TeamTask[] {
  const { owner, status } = filter
  return tasks.filter((t) => (owner === undefined || t.owner === owner) && (status === undefined || t.status === status)).sort(byId)
}
