import { beforeAll, describe, expect, it } from 'vitest'
import { upstreamLogDir, writeUpstreamSoloRun, writeUpstreamTeamRun } from '../../report/test/support/upstream-team-run.js'
import { teamReporter } from '@cooperbench/setting-team'
import { cellText, duration, NONE, PLAIN_CELLS, text } from '@cooperbench/spec-utils/report'
import { type PairSettingView, ViewerSource } from '../src/index.js'

/**
 * Team runs upstream wrote (docs/reference-compatibility.md#team-setting), read by `cooperbench view`'s
 * data layer: folders built from upstream's field names (report's test support, upstream-team-run.ts)
 * with none of our additions: no fingerprints, eval.json as coop without a policy, `metrics: {}` without
 * the task list, naive local times, create events without an owner, no scratchpad copy.
 */
let logDir: string
let source: ViewerSource

beforeAll(async () => {
  logDir = await upstreamLogDir()
  await writeUpstreamSoloRun(
    logDir,
    'solo',
    [1, 2].map((task) => ({ task, passed: task === 1 })),
  )
  await writeUpstreamTeamRun(logDir, 'team', [
    { task: 1, strategy: 'naive', passed: true },
    { task: 2, strategy: 'solo-agent1', passed: true, firstClaim: 8 },
  ])
  await writeUpstreamTeamRun(logDir, 'team-no-task-list', [{ task: 1, strategy: 'naive', passed: false }], { task_list: false })
  source = new ViewerSource({ logDir, runs: ['solo', 'team', 'team-no-task-list'], reporters: { team: teamReporter } })
})

describe("upstream's team run folders in the viewer", () => {
  it('lists the team runs with their pairs, agents, verdicts, merge strategies, and a report row with the passes by strategy', async () => {
    const data = await source.data()
    expect(data.runs.map((r) => [r.name, r.settings, r.agent, r.model, r.pairs, r.unreadable])).toEqual([
      ['solo', ['solo'], 'mini_swe_agent_v2', 'gpt-5-mini', 2, 0],
      ['team', ['team'], 'mini_swe_agent_v2', 'gpt-5-mini', 2, 0],
      ['team-no-task-list', ['team'], 'mini_swe_agent_v2', 'gpt-5-mini', 1, 0],
    ])
    const team = data.pairs.filter((p) => p.run === 'team')
    expect(team.map((p) => [p.label, p.verdict, p.merge?.strategy, p.merge?.outcome, p.messages, p.durationSeconds, p.agents.map((a) => a.id)])).toEqual([
      ['textkit_task/1 f1_f2', 'pass', 'naive', 'clean', 2, 300.5, ['agent1', 'agent2']],
      ['textkit_task/2 f1_f2', 'pass', 'solo-agent1', 'lead_alone', 2, 300.5, ['agent1', 'agent2']],
    ])
    const row = data.report.settings.find((s) => s.runs[0] === 'team')!
    expect(row.policies[0]!.passesBy).toMatchObject({ naive: 1, 'solo-agent1': 1 })
    // The team's table: lead and median time to the first claim; no metrics without the task list.
    const [teamRow, noTaskList] = data.report.settingSections.find((s) => s.id === 'team_run')!.rows
    expect([teamRow![2], teamRow![7]]).toEqual([text('agent1'), duration(6.1)])
    expect(noTaskList![7]).toEqual(NONE)
  })

  it("gives a team pair's page its roles, and from the team's reporter its features, metrics, the seeding and claims, and the final tasks", async () => {
    const data = await source.data()
    const detail = (await source.pair(data.pairs.find((p) => p.run === 'team' && p.taskId === 2)!.id))!
    expect(detail.problems).toEqual([])
    expect(detail.lanes.map((l) => [l.id, l.featureIds, l.task, l.role])).toEqual([
      ['agent1', [1], 'Implement feature 1', 'lead'],
      ['agent2', [2], 'Implement feature 2', 'member'],
    ])
    expect(detail.messages.map((m) => `${m.from}->${m.to}`)).toEqual(['agent1->agent2', 'agent2->agent1'])
    const view = detail.setting!
    expect(rowsOf(view, 'team_features')!.map((row) => row[1])).toEqual(['on', 'on', 'on', 'on', 'on'])
    expect(rowsOf(view, 'team_metrics')!.slice(0, 3)).toEqual([
      ['tasks done', '1/2'],
      ['unowned at the end', '0'],
      ['first claim after', '8s'],
    ])
    // The seeding is the bench runner's: on no agent's lane.
    expect(view.events.map((e) => [e.kind, e.label, e.by, e.detail, e.lane])).toEqual([
      ['create', 'Implement feature 2', 'bench-runner', undefined, null],
      ['create', 'Lead-only: integrate and submit feature 1', 'bench-runner', undefined, null],
      ['claim', 'Implement feature 2', 'agent2', undefined, 'agent2'],
      ['update', 'Implement feature 2', 'agent2', '→ done · patch in /workspace/shared/agent2.patch', 'agent2'],
    ])
    // Upstream's naive local times and its epoch-second events share one time axis.
    for (const e of view.events) expect(e.ts >= detail.start && e.ts <= detail.end, e.kind).toBe(true)
    expect(rowsOf(view, 'team_tasks')!.map((row) => row.slice(0, 3))).toEqual([
      ['Implement feature 2', 'agent2', 'done'],
      ['Lead-only: integrate and submit feature 1', 'agent1', 'open'],
    ])
    expect(view.files).toMatchObject({ files: [], empty: 'The scratchpad was empty at the end.' })
  })

  it('shows no metrics, log or tasks for a team upstream ran without the task list (`metrics: {}`)', async () => {
    const data = await source.data()
    const view = (await source.pair(data.pairs.find((p) => p.run === 'team-no-task-list')!.id))!.setting!
    expect(rowsOf(view, 'team_features')![0]).toEqual(['task_list', 'off', '--team-no-task-list'])
    expect(view.sections.map((s) => [s.id, s.rows.length, s.notes])).toEqual([
      ['team_features', 5, []],
      ['team_metrics', 0, ['No task list (--team-no-task-list): no metrics.']],
    ])
    expect(view.events).toEqual([])
  })
})

/** A section of the setting's view as the page shows its cells. */
const rowsOf = (view: PairSettingView, id: string) => view.sections.find((s) => s.id === id)?.rows.map((row) => row.map((c) => cellText(c, PLAIN_CELLS)))
