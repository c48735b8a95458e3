import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cellText, count, PLAIN_CELLS, text } from '@cooperbench/spec-utils/report'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { teamReporter } from '@cooperbench/setting-team'
import { type PairSettingView, ViewerSource } from '../src/index.js'
import { writeTeamRun } from './support/team-runs.js'
import { writeSoloRun } from './support/written-runs.js'

/**
 * The viewer's Node side on hand-written team runs (upstream 0.0.16's folder shape): what the page gets, the team's part of a
 * pair's page coming from the team setting's reporter (`pairView`), as any setting's would.
 */
let logs: string
const reporters = { team: teamReporter }

/** A section of the setting's view as the page shows its cells. */
const rowsOf = (view: PairSettingView, id: string) => view.sections.find((s) => s.id === id)?.rows.map((row) => row.map((c) => cellText(c, PLAIN_CELLS)))

async function settingView(run: string, task = 1) {
  const source = new ViewerSource({ logDir: logs, runs: [run], reporters })
  const detail = (await source.pair((await source.data()).pairs.find((p) => p.taskId === task)!.id))!
  return { detail, view: detail.setting! }
}

const pairDir = (run: string, task = 1) => join(logs, run, 'team', 'textkit_task', String(task), 'f1_f2')

beforeAll(async () => {
  logs = await mkdtemp(join(tmpdir(), 'cb-viewer-team-'))
  await writeSoloRun(
    logs,
    'solo',
    [1, 2, 3].map((task) => ({ task, pass: task !== 3 })),
  )
  await writeTeamRun(logs, {
    name: 'team',
    pairs: [
      { task: 1, pass: true },
      { task: 2, pass: true, conflict: true, strategy: 'solo-agent1' },
      { task: 3, pass: true, conflict: true, strategy: 'solo-agent1' },
    ],
  })
  await writeTeamRun(logs, { name: 'team-no-task-list', features: { task_list: false }, pairs: [{ task: 1, pass: false }] })
})
afterAll(() => rm(logs, { recursive: true, force: true }))

describe('team runs in the viewer', () => {
  it('lists a team run beside solo, with its own report row, leaderboard row and pairs', async () => {
    const data = await new ViewerSource({ logDir: logs, runs: ['solo', 'team'], reporters }).data()
    expect(data.runs.map((r) => [r.name, r.settings, r.pairs, r.planned])).toEqual([
      ['solo', ['solo'], 3, 3],
      ['team', ['team'], 3, 3],
    ])
    const row = data.report.settings.find((s) => s.setting === 'team')!
    expect([row.passed, row.failed]).toEqual([3, 0])
    expect(row.policies[0]!.passesBy).toMatchObject({ naive: 1, 'solo-agent1': 2 })
    expect(row.variant).toBe('all features')
    // The team's own table: its run with the lead.
    expect(data.report.settingSections.map((s) => [s.id, s.rows[0]!.slice(0, 3)])).toEqual([['team_run', [text('team'), count(2), text('agent1')]]])
    expect(data.report.leaderboard.map((l) => [l.setting, l.variant, l.soloRun, l.coopRun, l.pairs])).toEqual([['team', 'all features', 'solo', 'team', 3]])
    const teamPairs = data.pairs.filter((p) => p.setting === 'team')
    expect(teamPairs.map((p) => [p.label, p.messages, p.agents.map((a) => a.id)])).toEqual([
      ['textkit_task/1 f1_f2', 2, ['agent1', 'agent2']],
      ['textkit_task/2 f1_f2', 2, ['agent1', 'agent2']],
      ['textkit_task/3 f1_f2', 2, ['agent1', 'agent2']],
    ])
    expect(teamPairs[1]!.merge).toMatchObject({ strategy: 'solo-agent1', outcome: 'lead_alone', policy: 'cooperbench-0.0.16' })
  })

  it("gives a team pair's page the roles on its lanes, and from the team's reporter its features, metrics, task log, final tasks and scratchpad", async () => {
    const source = new ViewerSource({ logDir: logs, runs: ['solo', 'team'], reporters })
    const data = await source.data()
    const summary = data.pairs.find((p) => p.run === 'team' && p.taskId === 2)!
    const detail = (await source.pair(summary.id))!
    expect(detail.problems).toEqual([])
    // These folders record no phases (upstream's): the roles come from the reporter, read from each agent's team_role.
    expect(detail.lanes.map((l) => [l.id, l.featureIds, l.role, l.steps.length > 0])).toEqual([
      ['agent1', [1], 'lead', true],
      ['agent2', [2], 'member', true],
    ])
    expect(detail.messages).toHaveLength(2)
    const view = detail.setting!
    expect(view.sections.map((s) => s.id)).toEqual(['team_features', 'team_metrics', 'team_task_log', 'team_tasks'])
    expect(rowsOf(view, 'team_features')).toEqual(['task_list', 'scratchpad', 'mcp', 'auto_refresh', 'protocol'].map((f) => [f, 'on', '–']))
    expect(view.sections[0]!.caption).toMatch(/^agent1 leads the team and also integrates/)
    expect(rowsOf(view, 'team_metrics')).toEqual([
      ['tasks done', '1/2'],
      ['unowned at the end', '0'],
      ['first claim after', '3s'],
      ['claims', 'agent2 1'],
      ['updates', 'agent2 1'],
    ])
    const start = Date.parse('2025-01-01T00:00:00Z') / 1000 + 2000
    expect(view.events).toEqual([
      { ts: start + 1, by: 'agent1', kind: 'create', label: 'Implement feature 2', detail: 'assigned to agent2', to: 'agent2', lane: 'agent1' },
      { ts: start + 1.5, by: 'agent1', kind: 'create', label: 'Integrate and submit', detail: 'assigned to agent1', to: 'agent1', lane: 'agent1' },
      { ts: start + 4, by: 'agent2', kind: 'claim', label: 'Implement feature 2', lane: 'agent2' },
      {
        ts: start + 30,
        by: 'agent2',
        kind: 'update',
        label: 'Implement feature 2',
        detail: '→ done · patch in /workspace/shared/agent2.patch',
        lane: 'agent2',
      },
    ])
    // Every event lies on the pair's time axis, beside the messages.
    for (const e of view.events) expect(e.ts >= detail.start && e.ts <= detail.end).toBe(true)
    expect(rowsOf(view, 'team_task_log')).toEqual([
      ['1s', 'agent1', 'creates', 'Implement feature 2', 'assigned to agent2'],
      ['2s', 'agent1', 'creates', 'Integrate and submit', 'assigned to agent1'],
      ['4s', 'agent2', 'claims', 'Implement feature 2', ''],
      ['30s', 'agent2', 'updates', 'Implement feature 2', '→ done · patch in /workspace/shared/agent2.patch'],
    ])
    expect(rowsOf(view, 'team_tasks')).toEqual([
      ['Implement feature 2', 'agent2', 'done', 'patch in /workspace/shared/agent2.patch'],
      ['Integrate and submit', 'agent1', 'open', ''],
    ])
    expect(view.files!.title).toBe('Scratchpad at the end')
    expect(view.files!.files.map((f) => [f.path, f.size, f.text === null ? null : f.text.split('\n')[0]])).toEqual([
      ['PLAN.md', 72, '# Plan'],
      ['agent2.patch', 47, 'diff --git a/textkit/slug.py b/textkit/slug.py'],
      ['blob.bin', 4, null],
      ['tasks/_index.json', 27, '["a1b2c3d4e5","f6e5d4c3b2"]'],
    ])
    // The same pair in the solo run the deficit compares with this team run.
    expect(detail.soloTwins.map((t) => [t.run, t.verdict])).toEqual([['solo', 'pass']])
  })

  it('shows no task log, metrics or final tasks for a team that had no task list, and says why', async () => {
    const { view } = await settingView('team-no-task-list')
    expect(rowsOf(view, 'team_features')![0]).toEqual(['task_list', 'off', '--team-no-task-list'])
    expect(view.sections.map((s) => s.id)).toEqual(['team_features', 'team_metrics'])
    expect(view.sections[1]!).toMatchObject({ rows: [], notes: ['No task list (--team-no-task-list): no metrics.'] })
    expect(view.events).toEqual([])
    expect(view.files!.files.map((f) => f.path)).toEqual(['PLAN.md', 'agent2.patch', 'blob.bin'])
  })

  it('names --team-no-task-commands for the features that arm (ours: no task list of any kind) switched off, and the scratchpad flag', async () => {
    const off = { task_list: false, scratchpad: false, auto_refresh: false, protocol: false, task_commands: false } as const
    await writeTeamRun(logs, { name: 'team-no-task-commands', features: off, pairs: [{ task: 1, pass: false }] })
    const { view } = await settingView('team-no-task-commands')
    expect(rowsOf(view, 'team_features')).toEqual([
      ['task_list', 'off', '--team-no-task-commands'],
      ['scratchpad', 'off', '--team-no-scratchpad'],
      ['mcp', 'on', '–'],
      ['auto_refresh', 'off', '--team-no-task-commands'],
      ['protocol', 'off', '--team-no-task-commands'],
    ])
    expect(view.sections[1]!.notes).toEqual(['No task list (--team-no-task-commands): no metrics.'])
    expect(view.files).toEqual({ title: 'Scratchpad at the end', files: [], empty: 'No scratchpad (--team-no-scratchpad).' })
  })

  it('reads event times given as ISO strings and widens the time axis to an event after the last step', async () => {
    await writeTeamRun(logs, { name: 'team-late', pairs: [{ task: 1, pass: true }] })
    const ended = Date.parse(JSON.parse(await readFile(join(pairDir('team-late'), 'result.json'), 'utf8')).ended_at) / 1000
    const late = new Date((ended + 100) * 1000).toISOString()
    await writeFile(
      join(pairDir('team-late'), 'task_log.json'),
      JSON.stringify([{ kind: 'update', task_id: 'a1b2c3d4e5', by: 'agent1', status: 'done', ts: late }]),
    )
    const { detail, view } = await settingView('team-late')
    expect(view.events.map((e) => e.ts)).toEqual([ended + 100])
    expect(detail.end).toBeGreaterThanOrEqual(ended + 100)
  })

  it("shows the protocol's request and response under the request's id, and what the host did for an agent as the host's", async () => {
    await writeTeamRun(logs, { name: 'team-protocol', pairs: [{ task: 1, pass: true }] })
    const started = Date.parse(JSON.parse(await readFile(join(pairDir('team-protocol'), 'result.json'), 'utf8')).started_at) / 1000
    const log = [
      { kind: 'claim', task_id: 'a1b2c3d4e5', by: 'agent2', via: 'host', ts: started + 0.5 },
      { kind: 'request', request_id: 'r1', by: 'agent1', to: 'agent2', request_kind: 'question', body: 'which file?', ts: started + 1 },
      { kind: 'response', request_id: 'r1', by: 'agent2', to: 'agent1', body: 'src/a.ts', ts: started + 2 },
    ]
    await writeFile(join(pairDir('team-protocol'), 'task_log.json'), JSON.stringify(log))
    const { view } = await settingView('team-protocol')
    expect(view.events.map((e) => [e.kind, e.label, e.by, e.via, e.to, e.detail])).toEqual([
      ['claim', 'Implement feature 2', 'agent2', 'host', undefined, undefined],
      ['request', 'r1', 'agent1', undefined, 'agent2', 'to agent2 · question · which file?'],
      ['response', 'r1', 'agent2', undefined, 'agent1', 'to agent1 · src/a.ts'],
    ])
    expect(rowsOf(view, 'team_task_log')!.map((row) => row.slice(1, 3))).toEqual([
      ['host for agent2', 'claims'],
      ['agent1', 'requests'],
      ['agent2', 'responds'],
    ])
  })

  it("takes the roles of a team folder that records its phase from the phase, with a seat's own agent, and draws no band for one phase", async () => {
    await writeTeamRun(logs, { name: 'team-phase', pairs: [{ task: 1, pass: true }] })
    const result = JSON.parse(await readFile(join(pairDir('team-phase'), 'result.json'), 'utf8'))
    const seat = (agentId: string, feature: number, role: string) => ({
      agent_id: agentId,
      feature_ids: [feature],
      role,
      patch: `agent${feature}.patch`,
      trajectory: `agent${feature}_traj.json`,
      ...(role === 'lead' ? { agent_framework: 'claude_code', model: 'claude-sonnet-4-5' } : {}),
      status: 'Submitted',
    })
    for (const agent of Object.values(result.agents) as Array<{ team_role?: string }>) delete agent.team_role
    result.phases = [
      { name: 'team', started_at: result.started_at, ended_at: result.ended_at, seats: [seat('agent1', 1, 'lead'), seat('agent2', 2, 'member')] },
    ]
    await writeFile(join(pairDir('team-phase'), 'result.json'), JSON.stringify(result))
    const { detail } = await settingView('team-phase')
    expect(detail.lanes.map((l) => [l.id, l.phase, l.role, l.ownAgent, l.ownModel])).toEqual([
      ['agent1', 'team', 'lead', 'claude_code', 'claude-sonnet-4-5'],
      ['agent2', 'team', 'member', null, null],
    ])
    expect(detail.phases).toEqual([])
  })

  it('has no setting view for a solo pair, nor for a team pair without the team installed', async () => {
    const solo = new ViewerSource({ logDir: logs, runs: ['solo'], reporters })
    expect((await solo.pair((await solo.data()).pairs[0]!.id))!.setting).toBeNull()
    const bare = new ViewerSource({ logDir: logs, runs: ['team'] })
    const detail = (await bare.pair((await bare.data()).pairs[0]!.id))!
    expect([detail.setting, detail.lanes.map((l) => l.role)]).toEqual([null, [null, null]])
  })
})
