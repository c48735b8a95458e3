import { describe, expect, it } from 'vitest'
import { newcombePairedInterval } from '../../src/statistics/paired-statistics.js'
import { pairsOf, sectionRows, teamReport, writtenRun } from '../support/team-runs.js'

/** The cells of a team ablation's row: flag, run, pairs, baseline passed, passed, Δ, [low, high], McNemar p, dropped. */
type AblationCells = [string, string, number, number, number, number, [number, number], number, number]

describe('team runs in the report', () => {
  it('gives a team run its own row: the rate under its policy, the share of passes by merge strategy, time, lead, features and metrics', async () => {
    // 8 of 10 pass: 3 by a clean merge, 4 by the lead's patch alone, 1 with identical patches.
    const team = await writtenRun('team-all', pairsOf('pllllippff'), { setting: 'team' })
    const report = teamReport([team])
    expect(report.settings).toHaveLength(1)
    const row = report.settings[0]!
    expect([row.setting, row.pairSize, row.passed, row.failed, row.rate]).toEqual(['team', 2, 8, 2, 0.8])
    expect(row.communication).toBe('messaging')
    expect(row.policies).toHaveLength(1)
    expect(row.policies[0]).toMatchObject({ policy: 'cooperbench-0.0.16', passed: 8, rate: 0.8, rateWithErrors: 0.8 })
    expect(row.policies[0]!.passesBy).toMatchObject({ naive: 3, 'solo-agent1': 4, 'skip-merge-identical': 1, union: 0 })
    expect(row.byMerge.find((m) => m.outcome === 'lead_alone')).toEqual({ outcome: 'lead_alone', pairs: 4, passed: 4, rate: 1 })
    // Every pair in the merge counts: the identical one with the clean merges, as the pass rate by merge outcome groups it.
    expect(row.merge).toEqual({ clean: 6, conflicts: 4, union: 0, missing_input: 0, error: 0 })
    // Pairs of 60 s starting a minute apart: 10 minutes from the first start to the last end.
    expect(row.timing).toEqual({ medianPairSeconds: 60, wallSeconds: 600 })
    expect(row.variant).toBe('all features')
    // Run, pair size, lead, features, the passes of its own verdicts, tasks done, unowned at the end, median to the first claim, claims / updates.
    expect(sectionRows(report, 'team_run')).toEqual([
      [
        [
          'team-all',
          2,
          'agent1',
          'all features',
          'cooperbench-0.0.16: naive 3 (38%), skip-merge-identical 1 (13%), solo-agent1 4 (50%)',
          '20/20',
          0,
          5,
          '10/20',
        ],
      ],
    ])
  })

  it('sets a team run against a solo run of the same configuration on the same pairs, and puts it in the leaderboard beside coop', async () => {
    const solo = await writtenRun('solo', pairsOf('ppppppffff'), { setting: 'solo' })
    const team = await writtenRun('team-all', pairsOf('pllllippff'), { setting: 'team' })
    const report = teamReport([solo, team])
    expect(report.settings.map((s) => s.setting)).toEqual(['solo', 'team'])
    expect(report.deficits).toHaveLength(1)
    const d = report.deficits[0]!
    expect([d.setting, d.soloRun, d.coopRun, d.pairs, d.solo, d.coop]).toEqual(['team', 'solo', 'team-all', 10, 0.6, 0.8])
    // Solo passes 1–6, the team 1–8: two pairs only the team passed, none only solo.
    expect(d.agreement).toEqual({ bothPass: 6, soloOnly: 0, coopOnly: 2, neither: 2 })
    expect(d.passesBy).toMatchObject({ naive: 3, 'solo-agent1': 4, 'skip-merge-identical': 1 })
    expect(report.deficit).toBe(d)
    expect(report.leaderboard).toHaveLength(1)
    expect(report.leaderboard[0]).toMatchObject({ setting: 'team', variant: 'all features', communication: 'messaging', pairs: 10 })
    expect(report.leaderboard[0]!.passesBy['solo-agent1']).toBe(4)
  })

  it('measures each feature off against the baseline on the pairs both judged, with a paired interval and an exact McNemar test', async () => {
    const baseline = await writtenRun('team-all', pairsOf('pllllippff'), { setting: 'team' })
    // Passes 1, 7, 8: the baseline alone passed five pairs, this run alone none.
    const noScratchpad = await writtenRun('team-no-scratchpad', pairsOf('pfffffppff'), { setting: 'team', features: { scratchpad: false } })
    // Pair 9 not judged (an eval error): 9 common pairs; baseline alone passed pair 8, this run alone pair 10.
    const noTaskList = await writtenRun('team-no-task-list', pairsOf('pppppppfep'), { setting: 'team', features: { task_list: false } })
    const report = teamReport([noTaskList, baseline, noScratchpad])
    expect(report.settingSections.map((s) => s.id)).toEqual(['team_run', 'team_ablation'])
    const [ablation] = sectionRows(report, 'team_ablation') as [[unknown[], AblationCells, AblationCells]]
    // The baseline's judged pairs and passes, then a row per flag: pairs both judged, dropped, the baseline's passes and the run's.
    expect(ablation[0]).toEqual(['baseline (all on)', 'team-all', 10, null, 8, null, null, null, null])
    const [, taskList, scratchpad] = ablation
    expect(
      [taskList, scratchpad].map(([flag, run, pairs, baselinePassed, passed, , , , dropped]) => [flag, run, pairs, dropped, baselinePassed, passed]),
    ).toEqual([
      ['--team-no-task-list', 'team-no-task-list', 9, 1, 8, 8],
      ['--team-no-scratchpad', 'team-no-scratchpad', 10, 0, 8, 3],
    ])
    expect(report.settingSections[1]!.notes.slice(0, 2)).toEqual([
      '--team-no-task-list: both passed 7, baseline only 1, team-no-task-list only 1, neither 0',
      '--team-no-scratchpad: both passed 3, baseline only 5, team-no-scratchpad only 0, neither 2',
    ])
    expect(scratchpad[5]).toBeCloseTo(-0.5, 12)
    // Five discordant pairs, all one way: p = 2 · (1/2)^5.
    expect(scratchpad[7]).toBe(0.0625)
    // Newcombe's interval of baseline − ablated, turned round: Δ is ablated − baseline.
    const baselineMinusAblated = newcombePairedInterval({ bothPass: 3, soloOnly: 5, coopOnly: 0, neither: 2 })
    expect(scratchpad[6][0]).toBeCloseTo(-baselineMinusAblated.high, 12)
    expect(scratchpad[6][1]).toBeCloseTo(-baselineMinusAblated.low, 12)
    expect(scratchpad[6][1]).toBeLessThan(0)
    expect(taskList[5]).toBe(0)
    expect(taskList[7]).toBe(1)
    expect(taskList[6][0]).toBeLessThan(0)
    expect(taskList[6][1]).toBeGreaterThan(0)
  })

  it('compares no run whose model, evaluation policy or number of features off differs, and says why', async () => {
    const baseline = await writtenRun('team-all', pairsOf('pppp'), { setting: 'team' })
    const otherModel = await writtenRun('team-no-protocol-other', pairsOf('pppp'), { setting: 'team', model: 'other', features: { protocol: false } })
    const twoOff = await writtenRun('team-two-off', pairsOf('pppp'), { setting: 'team', features: { mcp: false, auto_refresh: false } })
    const oldPolicy = await writtenRun('team-no-mcp-014', pairsOf('pppp'), { setting: 'team', policy: 'cooperbench-0.0.14', features: { mcp: false } })
    const noMessaging = await writtenRun('team-no-mcp-quiet', pairsOf('pppp'), { setting: 'team', messaging: false, features: { mcp: false } })
    const report = teamReport([baseline, otherModel, twoOff, oldPolicy, noMessaging])
    expect(report.settingSections.map((s) => s.id)).toEqual(['team_run', 'team_ablation_not_compared'])
    // Run, pair size, the baseline checked against, why.
    expect(Object.fromEntries(sectionRows(report, 'team_ablation_not_compared')[0]!.map(([run, , ...why]) => [run, why]))).toEqual({
      'team-no-protocol-other': ['team-all', 'model: "gpt-5" → "other"'],
      'team-two-off': [null, '2 features off (mcp, auto_refresh): the table compares runs with exactly one off'],
      'team-no-mcp-014': ['team-all', 'evaluation policy: "cooperbench-0.0.16" → "cooperbench-0.0.14"'],
      'team-no-mcp-quiet': ['team-all', 'communication: "messaging" → "none"'],
    })
  })

  it('reads the features from result.json when config.json is missing, and refuses a run whose pairs disagree on them', async () => {
    const baseline = await writtenRun('team-all', pairsOf('pppf'), { setting: 'team', noConfig: true })
    const noScratchpad = await writtenRun('team-no-scratchpad', pairsOf('pfff'), { setting: 'team', noConfig: true, features: { scratchpad: false } })
    const report = teamReport([baseline, noScratchpad])
    const ablation = report.settingSections.find((s) => s.id === 'team_ablation')!
    expect(ablation.rows.slice(1).map((row) => row[0])).toEqual([{ kind: 'text', text: '--team-no-scratchpad' }])
    expect(ablation.notes.at(-1)).toBe('no config.json fingerprint for team-all, team-no-scratchpad: only agent, model, communication and policy were compared')
    const mixed = { ...noScratchpad, name: 'team-mixed', pairs: [...noScratchpad.pairs, ...baseline.pairs.map((p) => ({ ...p, taskId: p.taskId + 10 }))] }
    const refused = teamReport([baseline, mixed])
    expect(refused.settings.map((s) => s.variant)).toEqual(['all features', 'mixed features'])
    expect(sectionRows(refused, 'team_ablation_not_compared')).toEqual([
      [['team-mixed', 2, null, 'its pairs were run with different team features (result.json team_features)']],
    ])
  })
})
