/**
 * The gold model's team play reads an agent's part from its task as the team setting briefs it (`teamBriefing`, through the
 * seat's coordination surface), each section set as an agent's own profile sets it (`## title` and its text after the task).
 */
import { describe, expect, it } from 'vitest'
import { teamPlayerOf } from '../src/llm-server/team-play.js'
import { openTestTeam, type TestTeamOptions } from '../src/index.js'

/** The task of each seat, its briefing after it. */
async function tasksOf(options: TestTeamOptions): Promise<Map<string, string>> {
  const team = await openTestTeam(options)
  try {
    const seats = options.seats ?? [
      { agentId: 'agent1', featureId: 1 },
      { agentId: 'agent2', featureId: 2 },
    ]
    return new Map(
      seats.map(({ agentId }) => {
        const sections = team.coordination(agentId).briefing?.sections ?? []
        return [agentId, ['**Title**: a feature', ...sections.map((s) => `## ${s.title}\n\n${s.body}`)].join('\n\n')]
      }),
    )
  } finally {
    await team.close()
  }
}

describe('teamPlayerOf', () => {
  it('reads the lead and its members, the task list and the scratchpad from a team of three', async () => {
    const seats = [
      { agentId: 'agent1', featureId: 1 },
      { agentId: 'agent2', featureId: 2 },
      { agentId: 'agent3', featureId: 3 },
    ]
    const tasks = await tasksOf({ seats })
    expect(teamPlayerOf(tasks.get('agent1')!)).toEqual({
      self: 'agent1',
      role: 'lead',
      members: ['agent2', 'agent3'],
      taskList: true,
      scratchpad: '/workspace/shared',
    })
    expect(teamPlayerOf(tasks.get('agent3')!)).toEqual({ self: 'agent3', role: 'member', members: [], taskList: true, scratchpad: '/workspace/shared' })
  })

  it('sees no task list without the task commands and no scratchpad without it; a task without a team briefing is none', async () => {
    const none = await tasksOf({ features: { task_list: false, auto_refresh: false, protocol: false, task_commands: false, scratchpad: false } })
    expect(teamPlayerOf(none.get('agent1')!)).toEqual({ self: 'agent1', role: 'lead', members: ['agent2'], taskList: false, scratchpad: null })
    // Upstream's --team-no-task-list keeps the commands (with the protocol): the list starts empty.
    const unseeded = await tasksOf({ features: { task_list: false } })
    expect(teamPlayerOf(unseeded.get('agent2')!)).toMatchObject({ role: 'member', taskList: true })
    expect(teamPlayerOf('**Title**: a feature\n\nYou are agent1, working with agent2.')).toBeNull()
  })
})
