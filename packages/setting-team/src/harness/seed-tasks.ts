import { CooperbenchError, errorMessage } from '@cooperbench/spec'
import type { TaskList, TeamTask } from '../task-list/task-types.js'

/** Who seeds the list: upstream's runner, not an agent (a seeded task's `created_by`, its create event's `by`). */
export const TEAM_SEEDER = 'bench-runner'

/** One agent of a team with the feature it implements, in feature order (`agent1`, the lead, first). */
export interface TeamSeat {
  agentId: string
  featureId: number
}

/** The seeded tasks' titles, upstream's (`runner/team.py` `execute_team`, PRs #52 and #58), each naming its agent's feature. */
export const SEEDED_TASK_TITLES = {
  member: (featureId: number) => `Implement feature ${featureId}`,
  lead: (featureId: number) => `Lead-only: integrate and submit feature ${featureId}`,
} as const

/** As upstream's runner: a task per member, assigned and `open`, then the lead's integration task (`lead_task: true`); a refusal fails the pair. */
export async function seedTeamTasks(list: TaskList, seats: readonly TeamSeat[]): Promise<TeamTask[]> {
  const [lead, ...members] = seats
  if (lead === undefined) return []
  const created: TeamTask[] = []
  try {
    for (const { agentId, featureId } of [...members, lead]) {
      const isLead = agentId === lead.agentId
      const title = SEEDED_TASK_TITLES[isLead ? 'lead' : 'member'](featureId)
      const metadata = { feature_id: featureId, assigned_to: agentId, ...(isLead ? { lead_task: true } : {}) }
      created.push(await list.create(TEAM_SEEDER, title, { assign: agentId, metadata }))
    }
  } catch (error) {
    throw new CooperbenchError('BACKEND_UNAVAILABLE', `could not seed the team's task list: ${errorMessage(error)}`, {
      hint: 'Check the bus (Redis) and run the same command again: the pair runs again. Upstream went on without a list ("task-list degraded").',
      cause: error,
    })
  }
  return created
}
