import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { count, text } from '@cooperbench/spec-utils/report'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { teamReporter } from '@cooperbench/setting-team'
import { ViewerSource } from '../src/index.js'
import { writeTeamRun } from './support/team-runs.js'
import { writeSoloRun } from './support/written-runs.js'

/** The viewer's Node side on hand-written team runs (upstream 0.0.16's folder shape): what the page gets. */
let logs: string

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
    const data = await new ViewerSource({ logDir: logs, runs: ['solo', 'team'], reporters: { team: teamReporter } }).data()
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

  it("gives a team pair's page the roles, lead, features, metrics, the task board's events and the scratchpad's files", async () => {
    const source = new ViewerSource({ logDir: logs, runs: ['solo', 'team'] })
    const data = await source.data()
    const summary = data.pairs.find((p) => p.run === 'team' && p.taskId === 2)!
    const detail = (await source.pair(summary.id))!
    expect(detail.problems).toEqual([])
    expect(detail.lanes.map((l) => [l.id, l.featureIds, l.steps.length > 0])).toEqual([
      ['agent1', [1], true],
      ['agent2', [2], true],
    ])
    expect(detail.messages).toHaveLength(2)
    const team = detail.team!
    expect(team.lead).toBe('agent1')
    expect(team.roles).toEqual({ agent1: 'lead', agent2: 'member' })
    expect(team.features).toEqual({ task_list: true, scratchpad: true, mcp: true, auto_refresh: true, protocol: true })
    expect(team.metrics).toMatchObject({ tasks_total: 2, tasks_done: 1, time_to_first_claim_seconds: 3 })
    const start = Date.parse('2025-01-01T00:00:00Z') / 1000 + 2000
    expect(team.events).toEqual([
      { kind: 'create', taskId: 'a1b2c3d4e5', title: 'Implement feature 2', by: 'agent1', at: start + 1, detail: 'assigned to agent2' },
      { kind: 'create', taskId: 'f6e5d4c3b2', title: 'Integrate and submit', by: 'agent1', at: start + 1.5, detail: 'assigned to agent1' },
      { kind: 'claim', taskId: 'a1b2c3d4e5', title: 'Implement feature 2', by: 'agent2', at: start + 4, detail: '' },
      {
        kind: 'update',
        taskId: 'a1b2c3d4e5',
        title: 'Implement feature 2',
        by: 'agent2',
        at: start + 30,
        detail: '→ done · patch in /workspace/shared/agent2.patch',
      },
    ])
    // Every event lies on the pair's time axis, beside the messages.
    for (const e of team.events) expect(e.at! >= detail.start && e.at! <= detail.end).toBe(true)
    expect(team.tasks.map((t) => [t.title, t.owner, t.status])).toEqual([
      ['Implement feature 2', 'agent2', 'done'],
      ['Integrate and submit', 'agent1', 'open'],
    ])
    expect(team.scratchpad.map((f) => [f.path, f.text === null ? f.note : f.text.split('\n')[0]])).toEqual([
      ['PLAN.md', '# Plan'],
      ['agent2.patch', 'diff --git a/textkit/slug.py b/textkit/slug.py'],
      ['blob.bin', 'binary: not shown'],
      ['tasks/_index.json', '["a1b2c3d4e5","f6e5d4c3b2"]'],
    ])
    // The same pair in the solo run the deficit compares with this team run.
    expect(detail.soloTwins.map((t) => [t.run, t.verdict])).toEqual([['solo', 'pass']])
  })

  it('shows no task board, metrics or scratchpad files for a team that had no task list', async () => {
    const source = new ViewerSource({ logDir: logs, runs: ['team-no-task-list'] })
    const summary = (await source.data()).pairs[0]!
    const team = (await source.pair(summary.id))!.team!
    expect(team.features?.task_list).toBe(false)
    expect([team.metrics, team.events, team.tasks]).toEqual([null, [], []])
    expect(team.scratchpad.map((f) => f.path)).toEqual(['PLAN.md', 'agent2.patch', 'blob.bin'])
  })

  it('keeps the task-commands arm of a team run (ours: no task list of any kind)', async () => {
    const off = { task_list: false, auto_refresh: false, protocol: false, task_commands: false } as const
    await writeTeamRun(logs, { name: 'team-no-task-commands', features: off, pairs: [{ task: 1, pass: false }] })
    const source = new ViewerSource({ logDir: logs, runs: ['team-no-task-commands'] })
    const team = (await source.pair((await source.data()).pairs[0]!.id))!.team!
    expect(team.features).toEqual({ scratchpad: true, mcp: true, ...off })
  })

  it('reads event times given as ISO strings and widens the time axis to an event after the last step', async () => {
    await writeTeamRun(logs, { name: 'team-late', pairs: [{ task: 1, pass: true }] })
    const dir = join(logs, 'team-late', 'team', 'textkit_task', '1', 'f1_f2')
    const ended = Date.parse(JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')).ended_at) / 1000
    const late = new Date((ended + 100) * 1000).toISOString()
    await writeFile(join(dir, 'task_log.json'), JSON.stringify([{ kind: 'update', task_id: 'a1b2c3d4e5', by: 'agent1', status: 'done', ts: late }]))
    const source = new ViewerSource({ logDir: logs, runs: ['team-late'] })
    const detail = (await source.pair((await source.data()).pairs[0]!.id))!
    expect(detail.team!.events.map((e) => e.at)).toEqual([ended + 100])
    expect(detail.end).toBeGreaterThanOrEqual(ended + 100)
  })

  it("shows the protocol's request and response on the task board under the request's id, with its kind, addressee and body", async () => {
    await writeTeamRun(logs, { name: 'team-protocol', pairs: [{ task: 1, pass: true }] })
    const dir = join(logs, 'team-protocol', 'team', 'textkit_task', '1', 'f1_f2')
    const started = Date.parse(JSON.parse(await readFile(join(dir, 'result.json'), 'utf8')).started_at) / 1000
    const log = [
      { kind: 'request', request_id: 'r1', by: 'agent1', to: 'agent2', request_kind: 'question', body: 'which file?', ts: started + 1 },
      { kind: 'response', request_id: 'r1', by: 'agent2', to: 'agent1', body: 'src/a.ts', ts: started + 2 },
    ]
    await writeFile(join(dir, 'task_log.json'), JSON.stringify(log))
    const source = new ViewerSource({ logDir: logs, runs: ['team-protocol'] })
    const detail = (await source.pair((await source.data()).pairs[0]!.id))!
    expect(detail.team!.events.map((e) => [e.kind, e.taskId, e.by, e.detail])).toEqual([
      ['request', 'r1', 'agent1', 'to agent2 · question · which file?'],
      ['response', 'r1', 'agent2', 'to agent1 · src/a.ts'],
    ])
  })

  it('has no team view for a solo pair', async () => {
    const source = new ViewerSource({ logDir: logs, runs: ['solo'] })
    const summary = (await source.data()).pairs[0]!
    expect((await source.pair(summary.id))!.team).toBeNull()
  })
})
