import type { TeamTask, TeamTaskEvent } from '../task-list/task-types.js'
import type { TeamMetrics } from '../team-types.js'

/** A team's coordination metrics from its final task list and audit log, with upstream's `compute_metrics` keys and rules. */
export function computeTeamMetrics(tasks: readonly TeamTask[], log: readonly TeamTaskEvent[]): TeamMetrics {
  const claims: Record<string, number> = {}
  const updates: Record<string, number> = {}
  for (const event of log) {
    // What the host did for an agent (`via: 'host'`, an auto-claim) is not the agent's coordination.
    if (event.kind === 'claim' && event.via === undefined) claims[event.by] = (claims[event.by] ?? 0) + 1
    if (event.kind === 'update' && event.via === undefined) updates[event.by] = (updates[event.by] ?? 0) + 1
  }
  const firstCreate = earliest(log, 'create')
  const firstClaim = earliest(log, 'claim')
  return {
    tasks_total: tasks.length,
    tasks_done: tasks.filter((task) => task.status === 'done').length,
    unowned_at_end: tasks.filter((task) => task.owner === '').length,
    time_to_first_claim_seconds: firstCreate !== null && firstClaim !== null ? round3(firstClaim - firstCreate) : null,
    claims_per_agent: claims,
    updates_per_agent: updates,
  }
}

/** The smallest `ts` among the events of `kind`; null when there is none. */
function earliest(log: readonly TeamTaskEvent[], kind: 'create' | 'claim'): number | null {
  const times = log.filter((event) => event.kind === kind && !('via' in event)).map((event) => event.ts)
  return times.length === 0 ? null : Math.min(...times)
}

/**
 * Python's `round(seconds, 3)`: the nearest 0.001 to the float's exact value (as `toFixed`; `Math.round(x * 1000)` rounds
 * the product first), an exact tie (x·16 odd: 0.0625, …) to the even neighbour, where `toFixed` takes the larger.
 */
export function round3(seconds: number): number {
  const sixteenths = seconds * 16
  if (Number.isInteger(sixteenths) && sixteenths % 2 !== 0) {
    const below = Math.floor(seconds * 1000)
    return (below % 2 === 0 ? below : below + 1) / 1000
  }
  return Number(seconds.toFixed(3))
}
