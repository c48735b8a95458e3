import type { TeamTask } from '../task-list/task-types.js'

/** The `[Team task list]` block a loop agent shows before each call, as the reference's `format_task_summary` (0.0.16) writes it. */
export function teamTaskSummary(tasks: readonly TeamTask[], viewer: string): string {
  if (tasks.length === 0) return '[Team task list]: no tasks yet.'
  const counts = new Map<string, number>()
  for (const task of tasks) counts.set(task.status, (counts.get(task.status) ?? 0) + 1)
  const header = [...counts]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ')
  const lines = tasks.map((task) => {
    const owner = task.owner || '?'
    return `  - ${task.id} [${task.status}] owner=${owner}${owner === viewer ? ' (you own)' : ''}: ${task.title}`
  })
  return [`[Team task list] ${header}`, ...lines].join('\n')
}
