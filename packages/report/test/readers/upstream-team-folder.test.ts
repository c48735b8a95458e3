import { describe, expect, it } from 'vitest'
import { reportRuns } from '../../src/readers/read-report.js'
import { sectionRows, TEAM_REPORTER } from '../support/team-runs.js'
import { upstreamLogDir, writeUpstreamSoloRun, writeUpstreamTeamRun } from '../support/upstream-team-run.js'

/**
 * Team runs upstream wrote (docs/reference-compatibility.md#team-setting), read by `cooperbench report`:
 * folders built from upstream's own field names (support/upstream-team-run.ts), with none of our
 * additions: no fingerprints, eval.json written as coop and without a policy, `metrics: {}` when the
 * task list was off, naive times.
 */
describe("upstream's team run folders in the report", () => {
  async function upstreamRuns() {
    const logDir = await upstreamLogDir()
    await writeUpstreamSoloRun(
      logDir,
      'solo',
      [1, 2, 3, 4].map((task) => ({ task, passed: task <= 2 })),
    )
    await writeUpstreamTeamRun(logDir, 'team', [
      { task: 1, strategy: 'naive', passed: true },
      { task: 2, strategy: 'solo-agent1', passed: true, firstClaim: 8 },
      { task: 3, strategy: 'naive', passed: false, firstClaim: null },
      { task: 4, strategy: 'skip-merge-identical', passed: true },
    ])
    await writeUpstreamTeamRun(
      logDir,
      'team-no-task-list',
      [1, 2, 3, 4].map((task) => ({ task, strategy: 'naive' as const, passed: task !== 4 })),
      { task_list: false },
    )
    return reportRuns({ logDir, runNames: ['solo', 'team', 'team-no-task-list'], reporters: TEAM_REPORTER })
  }

  it('gives each team run its row: rate, passes by merge strategy, lead, features, metrics and timing', async () => {
    const report = await upstreamRuns()
    expect(report.settings.map((s) => [s.setting, s.runs, s.pairSize, s.agent, s.model, s.passed, s.failed, s.errors])).toEqual([
      ['solo', ['solo'], 2, 'mini_swe_agent_v2', 'gpt-5-mini', 2, 2, 0],
      ['team', ['team'], 2, 'mini_swe_agent_v2', 'gpt-5-mini', 3, 1, 0],
      ['team', ['team-no-task-list'], 2, 'mini_swe_agent_v2', 'gpt-5-mini', 3, 1, 0],
    ])
    const [, team, noTaskList] = report.settings
    // The shares of the passes by how the tested tree was made, read from upstream's merge.strategy.
    expect(team!.policies[0]!.passesBy).toMatchObject({ naive: 1, 'solo-agent1': 1, 'skip-merge-identical': 1, union: 0, unknown: 0 })
    expect(team!.byMerge.find((m) => m.outcome === 'lead_alone')).toEqual({ outcome: 'lead_alone', pairs: 1, passed: 1, rate: 1 })
    // A verdict that names no policy is counted under the unnamed one, and said so.
    expect(team!.policies[0]).toMatchObject({ policy: 'cooperbench-0.0.14', named: false, passed: 3, evaluated: 4 })
    // Four pairs with metrics; one where nobody claimed (4.2 s, 8 s, 4.2 s to the first claim in the others).
    const [teamRow, noTaskListRow] = sectionRows(report, 'team_run')[0]!
    expect(teamRow).toEqual([
      'team',
      2,
      'agent1',
      'all features',
      'cooperbench-0.0.14: naive 1 (33%), skip-merge-identical 1 (33%), solo-agent1 1 (33%)',
      '3/8',
      0,
      4.2,
      '3/3',
    ])
    expect(report.settingSections[0]!.notes).toEqual(['team (team): 1 pair(s) with no claim at all'])
    // Upstream's float durations and naive times: the median pair and the span from the first start to the last end.
    expect(team!.timing).toEqual({ medianPairSeconds: 300.5, wallSeconds: 3 * 3600 + 300.5 })
    // `metrics: {}` (the task list was off) counts as no metrics at all, not as pairs without a claim.
    expect(noTaskListRow).toEqual(['team-no-task-list', 2, 'agent1', 'no task_list', 'cooperbench-0.0.14: naive 3 (100%)', null, null, null, null])
    expect(noTaskList!.policies[0]!.passesBy).toMatchObject({ naive: 3, 'solo-agent1': 0 })
  })

  it('sets the team runs against the solo run, puts them in the leaderboard and the task-list ablation', async () => {
    const report = await upstreamRuns()
    expect(report.deficits.map((d) => [d.setting, d.soloRun, d.coopRun, d.pairs, d.solo, d.coop])).toEqual([
      ['team', 'solo', 'team', 4, 0.5, 0.75],
      ['team', 'solo', 'team-no-task-list', 4, 0.5, 0.75],
    ])
    expect(report.deficits[0]!.agreement).toEqual({ bothPass: 2, soloOnly: 0, coopOnly: 1, neither: 1 })
    expect(report.deficits[0]!.notes).toEqual([expect.stringContaining('no config.json fingerprint')])
    expect(report.leaderboard.map((l) => [l.setting, l.variant, l.soloRun, l.coopRun, l.pairs, l.passesBy['solo-agent1']])).toEqual([
      ['team', 'all features', 'solo', 'team', 4, 1],
      ['team', 'no task_list', 'solo', 'team-no-task-list', 4, 0],
    ])
    expect(report.settingSections.map((s) => s.id)).toEqual(['team_run', 'team_ablation'])
    // The baseline passed 3 of 4; with the task list off, 3 of the same 4.
    expect(sectionRows(report, 'team_ablation')[0]!.map((row) => row.slice(0, 5))).toEqual([
      ['baseline (all on)', 'team', 4, null, 3],
      ['--team-no-task-list', 'team-no-task-list', 4, 3, 3],
    ])
  })
})
