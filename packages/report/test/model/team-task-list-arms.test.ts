import { describe, expect, it } from 'vitest'
import { pairsOf, sectionRows, teamReport, writtenRun } from '../support/team-runs.js'

/** The features a run without any task list records (`--team-no-task-commands`): the list, its summary and the protocol go with it. */
const NO_TASK_LIST_AT_ALL = { task_list: false, auto_refresh: false, protocol: false, task_commands: false } as const

describe("the task list's two arms in the ablation table", () => {
  it("upstream's --team-no-task-list and the removal of any task list are each one row against the baseline", async () => {
    const baseline = await writtenRun('team-all', pairsOf('ppppffff'), { setting: 'team' })
    const upstreamArm = await writtenRun('team-no-task-list', pairsOf('pppfffff'), { setting: 'team', features: { task_list: false } })
    const none = await writtenRun('team-no-task-commands', pairsOf('ppffffff'), { setting: 'team', features: NO_TASK_LIST_AT_ALL as never })
    const report = teamReport([none, baseline, upstreamArm])
    expect(report.settingSections.map((s) => s.id)).toEqual(['team_run', 'team_ablation'])
    const [ablation] = sectionRows(report, 'team_ablation') as unknown[][][]
    // A row per flag after the baseline's: the flag, the run, its pairs, the baseline's passes and the run's.
    expect(ablation!.slice(1).map(([flag, run, pairs, baselinePassed, passed]) => [flag, run, pairs, baselinePassed, passed])).toEqual([
      ['--team-no-task-list', 'team-no-task-list', 8, 4, 3],
      ['--team-no-task-commands', 'team-no-task-commands', 8, 4, 2],
    ])
    // Each run (in the order given) named by what it switched off, the clean removal as one feature.
    expect(report.settings.filter((s) => s.setting === 'team').map((s) => s.variant)).toEqual(['no task_commands', 'all features', 'no task_list'])
  })

  it('a run without any task list that switched another feature off is not a one-feature arm', async () => {
    const baseline = await writtenRun('team-all', pairsOf('pppp'), { setting: 'team' })
    const two = await writtenRun('team-two-off', pairsOf('pppp'), { setting: 'team', features: { ...NO_TASK_LIST_AT_ALL, scratchpad: false } as never })
    const report = teamReport([baseline, two])
    expect(sectionRows(report, 'team_ablation_not_compared')).toEqual([
      [['team-two-off', 2, null, '2 features off (scratchpad, task_commands): the table compares runs with exactly one off']],
    ])
  })
})
