import type { TeamMetrics, TeamTask, TeamTaskEvent } from '@cooperbench/spec'

/**
 * A team's coordination metrics from its task list at the end and its audit log (upstream's
 * `compute_metrics`, the same keys): the tasks, those `done`, those nobody owns; the seconds from
 * the log's first event (the seeding, when the harness seeded) to the first claim, null without a
 * claim; and claims and updates per agent, counted from the log (an agent with none is absent).
 */
export function computeTeamMetrics(tasks: readonly TeamTask[], log: readonly TeamTaskEvent[]): TeamMetrics {
  const claims: Record<string, number> = {}
  const updates: Record<string, number> = {}
  for (const event of log) {
    if (event.kind === 'claim') claims[event.by] = (claims[event.by] ?? 0) + 1
    if (event.kind === 'update') updates[event.by] = (updates[event.by] ?? 0) + 1
  }
  const first = log[0]
  const firstClaim = log.find((event) => event.kind === 'claim')
  return {
    tasks_total: tasks.length,
    tasks_done: tasks.filter((task) => task.status === 'done').length,
    unowned_at_end: tasks.filter((task) => task.owner === '').length,
    time_to_first_claim_seconds: first !== undefined && firstClaim !== undefined ? round3(firstClaim.ts - first.ts) : null,
    claims_per_agent: claims,
    updates_per_agent: updates,
  }
}

function round3(seconds: number): number {
  return Math.round(seconds * 1000) / 1000
}
