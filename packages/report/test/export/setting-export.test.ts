import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { teamReporter } from '@cooperbench/setting-team'
import { beforeAll, describe, expect, it } from 'vitest'
import { type AtifTrajectory, atifProblems, exportRuns } from '../../src/index.js'
import { upstreamLogDir, writeUpstreamTeamRun } from '../support/upstream-team-run.js'

/**
 * What an export says of a setting's agents, from the setting's reporter and nothing the report knows of it: the team's own keys
 * of result.json, its events per agent, the roles of folders that record no phases, the lead linking the others' files.
 */
let logs: string
const PAIR = 'team/textkit_task/1/f1_f2'
const meta = (atif: AtifTrajectory) => atif.extra!['cooperbench'] as Record<string, any>

beforeAll(async () => {
  logs = await upstreamLogDir()
  await writeUpstreamTeamRun(logs, 'team', [{ task: 1, strategy: 'naive', passed: true }])
  // A model turn after the team's status, marked as the agents mark it now (and as older ones did).
  const file = join(logs, 'team', PAIR, 'agent1_traj.json')
  const trajectory = JSON.parse(await readFile(file, 'utf8'))
  trajectory.messages.push(
    { role: 'user', content: '[Team task list] 1 open', extra: { coordination_status: true } },
    { role: 'user', content: '[Team task list] 0 open', extra: { team_tasks: true } },
  )
  await writeFile(file, JSON.stringify(trajectory))
})

async function exported(out: string, reporters = {}) {
  const result = await exportRuns({ logDir: logs, runNames: ['team'], format: 'atif', outDir: join(logs, '..', out), reporters })
  expect(result.problems).toEqual([])
  const read = async (agent: string) => JSON.parse(await readFile(join(logs, '..', out, 'team', PAIR, `${agent}.atif.json`), 'utf8')) as AtifTrajectory
  return { lead: await read('agent1'), member: await read('agent2') }
}

describe('an export of a setting the report does not know', () => {
  it("carries the setting's keys, its events for each agent and its roles; its coordinator links the others' files as delegated agents", async () => {
    const { lead, member } = await exported('atif-team', { team: teamReporter })
    for (const atif of [lead, member]) expect(atifProblems(atif)).toEqual([])
    expect(meta(lead)).toMatchObject({ setting: 'team', agent_id: 'agent1', role: 'lead' })
    expect(meta(member)).toMatchObject({ agent_id: 'agent2', role: 'member' })
    expect(meta(lead)['setting_record']).toEqual({
      lead_agent: 'agent1',
      metrics: expect.objectContaining({ tasks_total: 2, tasks_done: 1 }),
      team_features: { task_list: true, scratchpad: true, mcp: true, auto_refresh: true, protocol: true },
    })
    // The seeding is the bench runner's, assigned to nobody: no agent's event. The member claimed and updated its task.
    expect(meta(lead)['setting_events']).toBeUndefined()
    expect(meta(member)['setting_events'].map((e: { kind: string; by: string }) => [e.kind, e.by])).toEqual([
      ['claim', 'agent2'],
      ['update', 'agent2'],
    ])
    const [first] = lead.steps
    expect(first).toMatchObject({ source: 'system', message: "The pair's 2 agents: agent1 (lead, feature 1); agent2 (member, feature 2)." })
    expect(first!.observation!.results[0]!.subagent_trajectory_ref).toEqual([
      { trajectory_id: member.trajectory_id, trajectory_path: 'agent2.atif.json', session_id: lead.session_id },
    ])
    expect(member.steps[0]!.source).not.toBe('system')
    // The status turns keep the mark each agent wrote.
    expect(lead.steps.slice(-2).map((s) => s.extra)).toEqual([{ coordination_status: true }, { team_tasks: true }])
  })

  it("without the setting installed, exports its agents as any setting's peers, its own keys kept", async () => {
    const { lead, member } = await exported('atif-bare')
    for (const atif of [lead, member]) expect(atifProblems(atif)).toEqual([])
    expect([meta(lead)['role'], meta(member)['role']]).toEqual(['peer', 'peer'])
    expect(meta(lead)['setting_record']).toMatchObject({ lead_agent: 'agent1' })
    expect(lead.steps[0]!.source).toBe('user')
  })
})
