import type { TaskList, TeamTask } from '@cooperbench/spec'

/** Who seeds the list: the harness, not an agent (a seeded task's `created_by`). */
export const TEAM_SEEDER = 'harness'

/** One agent of a team with the feature it implements, in feature order (`agent1`, the lead, first). */
export interface TeamSeat {
  agentId: string
  featureId: number
}

/**
 * The titles of the seeded tasks. Upstream's seeding code is not among its published sources we
 * could read (docs/reference-compatibility.md#team), so these are ours, worded after the issue's
 * description of upstream's seeding: "Implement feature X" per member, and the lead's
 * "integrate and submit" task, which names the lead's own feature too (the lead implements one).
 */
export const SEEDED_TASK_TITLES = {
  member: (featureId: number) => `Implement feature ${featureId}`,
  lead: (featureId: number) => `Implement feature ${featureId}, integrate the team's work and submit`,
} as const

/**
 * Seeds a team's task list before its agents start: one task per member, pre-assigned to it and
 * still `open` (the member claims it), then the lead's integration task, pre-assigned to the
 * lead. Returns the tasks in the order they were created.
 */
export async function seedTeamTasks(list: TaskList, seats: readonly TeamSeat[]): Promise<TeamTask[]> {
  const [lead, ...members] = seats
  if (lead === undefined) return []
  const created: TeamTask[] = []
  for (const member of members) {
    created.push(
      await list.create(TEAM_SEEDER, SEEDED_TASK_TITLES.member(member.featureId), { assign: member.agentId, metadata: { feature_id: member.featureId } }),
    )
  }
  created.push(
    await list.create(TEAM_SEEDER, SEEDED_TASK_TITLES.lead(lead.featureId), {
      assign: lead.agentId,
      metadata: { feature_id: lead.featureId, integrate: true },
    }),
  )
  return created
}
