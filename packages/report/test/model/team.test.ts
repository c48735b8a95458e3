import { describe, expect, it } from 'vitest'
import { buildReport } from '../../src/model/report.js'
import { newcombePairedInterval } from '../../src/statistics/paired-statistics.js'
import { pairsOf, writtenRun } from '../support/team-runs.js'

describe('team runs in the report', () => {
  it('gives a team run its own row: the rate under its policy, the share of passes by merge strategy, time, lead, features and metrics', async () => {
    // 8 of 10 pass: 3 by a clean merge, 4 by the lead's patch alone, 1 with identical patches.
    const team = await writtenRun('team-all', pairsOf('pllllippff'), { setting: 'team' })
    const report = buildReport([team])
    expect(report.settings).toHaveLength(1)
    const row = report.settings[0]!
    expect([row.setting, row.teamSize, row.passed, row.failed, row.rate]).toEqual(['team', 2, 8, 2, 0.8])
    expect(row.communication).toBe('messaging')
    expect(row.policies).toHaveLength(1)
    expect(row.policies[0]).toMatchObject({ policy: 'cooperbench-0.0.16', passed: 8, rate: 0.8, rateWithErrors: 0.8 })
    expect(row.policies[0]!.passesBy).toMatchObject({ naive: 3, 'solo-agent1': 4, 'skip-merge-identical': 1, union: 0 })
    expect(row.byMerge.find((m) => m.outcome === 'lead_alone')).toEqual({ outcome: 'lead_alone', pairs: 4, passed: 4, rate: 1 })
    // Pairs of 60 s starting a minute apart: 10 minutes from the first start to the last end.
    expect(row.timing).toEqual({ medianPairSeconds: 60, wallSeconds: 600 })
    expect(row.team).toEqual({
      lead: 'agent1',
      features: { task_list: true, scratchpad: true, mcp: true, auto_refresh: true, protocol: true },
      featuresMixed: false,
      metrics: { pairs: 10, tasksTotal: 20, tasksDone: 20, unownedAtEnd: 0, medianSecondsToFirstClaim: 5, pairsWithoutClaim: 0, claims: 10, updates: 20 },
    })
  })

  it('sets a team run against a solo run of the same configuration on the same pairs, and puts it in the leaderboard beside coop', async () => {
    const solo = await writtenRun('solo', pairsOf('ppppppffff'), { setting: 'solo' })
    const team = await writtenRun('team-all', pairsOf('pllllippff'), { setting: 'team' })
    const report = buildReport([solo, team])
    expect(report.settings.map((s) => s.setting)).toEqual(['solo', 'team'])
    expect(report.deficits).toHaveLength(1)
    const d = report.deficits[0]!
    expect([d.setting, d.soloRun, d.coopRun, d.pairs, d.solo, d.coop]).toEqual(['team', 'solo', 'team-all', 10, 0.6, 0.8])
    // Solo passes 1–6, the team 1–8: two pairs only the team passed, none only solo.
    expect(d.agreement).toEqual({ bothPass: 6, soloOnly: 0, coopOnly: 2, neither: 2 })
    expect(d.passesBy).toMatchObject({ naive: 3, 'solo-agent1': 4, 'skip-merge-identical': 1 })
    expect(report.deficit).toBe(d)
    expect(report.leaderboard).toHaveLength(1)
    expect(report.leaderboard[0]).toMatchObject({ setting: 'team', features: 'all features', communication: 'messaging', pairs: 10 })
    expect(report.leaderboard[0]!.passesBy['solo-agent1']).toBe(4)
  })

  it('measures each feature off against the baseline on the pairs both judged, with a paired interval and an exact McNemar test', async () => {
    const baseline = await writtenRun('team-all', pairsOf('pllllippff'), { setting: 'team' })
    // Passes 1, 7, 8: the baseline alone passed five pairs, this run alone none.
    const noScratchpad = await writtenRun('team-no-scratchpad', pairsOf('pfffffppff'), { setting: 'team', features: { scratchpad: false } })
    // Pair 9 not judged (an eval error): 9 common pairs; baseline alone passed pair 8, this run alone pair 10.
    const noTaskList = await writtenRun('team-no-task-list', pairsOf('pppppppfep'), { setting: 'team', features: { task_list: false } })
    const report = buildReport([noTaskList, baseline, noScratchpad])
    expect(report.refusedTeamAblations).toEqual([])
    expect(report.teamAblations).toHaveLength(1)
    const ablation = report.teamAblations[0]!
    expect(ablation.baseline).toEqual({ run: 'team-all', passed: 8, judged: 10 })
    expect(ablation.rows.map((r) => [r.flag, r.run, r.pairs, r.dropped, r.baselinePassed, r.passed])).toEqual([
      ['--team-no-task-list', 'team-no-task-list', 9, 1, 8, 8],
      ['--team-no-scratchpad', 'team-no-scratchpad', 10, 0, 8, 3],
    ])
    const [taskList, scratchpad] = ablation.rows as [(typeof ablation.rows)[0], (typeof ablation.rows)[0]]
    expect(scratchpad.agreement).toEqual({ bothPass: 3, baselineOnly: 5, ablatedOnly: 0, neither: 2 })
    expect(scratchpad.delta).toBeCloseTo(-0.5, 12)
    // Five discordant pairs, all one way: p = 2 · (1/2)^5.
    expect(scratchpad.mcnemar).toEqual({ discordant: 5, pValue: 0.0625, method: 'exact binomial' })
    // Newcombe's interval of baseline − ablated, turned round: Δ is ablated − baseline.
    const baselineMinusAblated = newcombePairedInterval({ bothPass: 3, soloOnly: 5, coopOnly: 0, neither: 2 })
    expect(scratchpad.low).toBeCloseTo(-baselineMinusAblated.high, 12)
    expect(scratchpad.high).toBeCloseTo(-baselineMinusAblated.low, 12)
    expect(scratchpad.high).toBeLessThan(0)
    expect(taskList.delta).toBe(0)
    expect(taskList.agreement).toEqual({ bothPass: 7, baselineOnly: 1, ablatedOnly: 1, neither: 0 })
    expect(taskList.mcnemar.pValue).toBe(1)
    expect(taskList.low).toBeLessThan(0)
    expect(taskList.high).toBeGreaterThan(0)
  })

  it('compares no run whose model, evaluation policy or number of features off differs, and says why', async () => {
    const baseline = await writtenRun('team-all', pairsOf('pppp'), { setting: 'team' })
    const otherModel = await writtenRun('team-no-protocol-other', pairsOf('pppp'), { setting: 'team', model: 'other', features: { protocol: false } })
    const twoOff = await writtenRun('team-two-off', pairsOf('pppp'), { setting: 'team', features: { mcp: false, auto_refresh: false } })
    const oldPolicy = await writtenRun('team-no-mcp-014', pairsOf('pppp'), { setting: 'team', policy: 'cooperbench-0.0.14', features: { mcp: false } })
    const noMessaging = await writtenRun('team-no-mcp-quiet', pairsOf('pppp'), { setting: 'team', messaging: false, features: { mcp: false } })
    const report = buildReport([baseline, otherModel, twoOff, oldPolicy, noMessaging])
    expect(report.teamAblations).toEqual([])
    expect(Object.fromEntries(report.refusedTeamAblations.map((r) => [r.run, [r.baseline, ...r.reasons]]))).toEqual({
      'team-no-protocol-other': ['team-all', 'model: "gpt-5" → "other"'],
      'team-two-off': [null, '2 features off (mcp, auto_refresh): the table compares runs with exactly one off'],
      'team-no-mcp-014': ['team-all', 'evaluation policy: "cooperbench-0.0.16" → "cooperbench-0.0.14"'],
      'team-no-mcp-quiet': ['team-all', 'communication: "messaging" → "none"'],
    })
  })

  it('reads the features from result.json when config.json is missing, and refuses a run whose pairs disagree on them', async () => {
    const baseline = await writtenRun('team-all', pairsOf('pppf'), { setting: 'team', noConfig: true })
    const noScratchpad = await writtenRun('team-no-scratchpad', pairsOf('pfff'), { setting: 'team', noConfig: true, features: { scratchpad: false } })
    const report = buildReport([baseline, noScratchpad])
    expect(report.teamAblations.map((a) => a.rows.map((r) => r.flag))).toEqual([['--team-no-scratchpad']])
    expect(report.teamAblations[0]!.notes).toEqual([
      'no config.json fingerprint for team-all, team-no-scratchpad: only agent, model, communication and policy were compared',
    ])
    const mixed = { ...noScratchpad, name: 'team-mixed', pairs: [...noScratchpad.pairs, ...baseline.pairs.map((p) => ({ ...p, taskId: p.taskId + 10 }))] }
    const refused = buildReport([baseline, mixed]).refusedTeamAblations
    expect(refused).toEqual([
      { teamSize: 2, run: 'team-mixed', baseline: null, reasons: ['its pairs were run with different team features (result.json team_features)'] },
    ])
  })
})
