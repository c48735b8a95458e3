import { CooperbenchError, errorMessage, type TaskList } from '@cooperbench/spec'
import type { TeamTask } from '@cooperbench/spec/team'

/** Who seeds the list: upstream's runner, not an agent (a seeded task's `created_by`, its create event's `by`). */
export const TEAM_SEEDER = 'bench-runner'

/** One agent of a team with the feature it implements, in feature order (`agent1`, the lead, first). */
export interface TeamSeat {
  agentId: string
  featureId: number
}

/**
 * The titles of the seeded tasks, upstream's (`runner/team.py` `execute_team`, PRs #52 and #58):
 * a member's names its feature, the lead's names the lead's own feature (the lead implements one too).
 */
export const SEEDED_TASK_TITLES = {
  member: (featureId: number) => `Implement feature ${featureId}`,
  lead: (featureId: number) => `Lead-only: integrate and submit feature ${featureId}`,
} as const

/**
 * Seeds a team's task list before its agents start, as upstream's runner does: one task per
 * member, pre-assigned to it and still `open` (the member claims it), then the lead's integration
 * task, pre-assigned to the lead; each task's metadata names its feature and assignee, the lead's
 * also `lead_task: true`. Returns the tasks in the order they were created; a bus that refuses
 * (Redis down) fails the pair with the cause.
 */
export async function seedTeamTasks(list: TaskList, seats: readonly TeamSeat[]): Promise<TeamTask[]> {
  const [lead, ...members] = seats
  if (lead === undefined) return []
  const created: TeamTask[] = []
  try {
    for (const { agentId, featureId } of [...members, lead]) {
      const isLead = agentId === lead.agentId
      const title = isLead ? SEEDED_TASK_TITLES.lead(featureId) : SEEDED_TASK_TITLES.member(featureId)
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
