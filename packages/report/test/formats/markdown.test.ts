import { describe, expect, it } from 'vitest'
import { escapeMarkdown, renderMarkdown } from '../../src/formats/markdown.js'
import { reportOf, TWO_RUNS } from '../support/pair-folders.js'

/** The cells of a table line, split at the pipes that are not escaped. */
const cells = (line: string) => line.slice(2, -2).split(/(?<!\\) \| /)

describe('markdown report', () => {
  it('puts two runs side by side: agent, model, rate and strict rate per row, the leaderboard, merge outcomes, per-repo rates, the paired deficit and its agreement table', async () => {
    const md = renderMarkdown(await reportOf(TWO_RUNS))
    expect(md).toBe(
      [
        '| run | agent | model | setting | pairs | evaluated | passed | failed | eval errors | rate | 95% CI | strict rate | cost |',
        '| :--- | :--- | :--- | :--- | ---: | ---: | ---: | ---: | ---: | ---: | :--- | ---: | ---: |',
        '| solo-run | oracle | m | solo | 4 | 4 | 3 | 1 | 0 | 75.0% | [30.1%, 95.4%] | 75.0% | $2.50 |',
        '| coop-run | oracle | m | coop | 3 | 3 | 1 | 1 | 1 | 50.0% | [9.5%, 90.5%] | 50.0% | $1.50 |',
        '',
        '**Leaderboard**: one row per agent × model (and pair size, communication mode; team rows by their features), ' +
          'from one comparable solo × coop (or solo × team) run pair on their common judged pairs; ' +
          "rates with Wilson 95% intervals, the relative deficit (solo − coop) / solo with a Jeffreys 95% interval, strict: the coop (team) run's clean-merge rate; " +
          "passes by strategy: how its passes were made (solo-agent1: the lead's patch alone); " +
          "shares: the coop run's failure categories (cooperbench analyze), a model's judgement.",
        '',
        '| agent | model | communication | runs | pairs | solo | coop/team | relative deficit | strict (coop/team) | passes by strategy | failure shares |',
        '| :--- | :--- | :--- | :--- | ---: | :--- | :--- | :--- | :--- | :--- | :--- |',
        '| oracle | m | ? | solo-run vs coop-run | 2 | 100.0% [34.2%, 100.0%] | 50.0% [9.5%, 90.5%] | 50.0%, 95% CI [-106.3%, 87.7%] | 50.0% [9.5%, 90.5%] | naive 1 (100%) | – |',
        '',
        '| coop run | merge outcome | pairs | passed | pass rate |',
        '| :--- | :--- | ---: | ---: | ---: |',
        '| coop-run | clean merge | 1 | 1 | 100.0% |',
        '| coop-run | conflicts, union-merged | 1 | 0 | 0.0% |',
        '| coop-run | a patch did not apply | 0 | 0 | – |',
        '',
        '| repo | solo-run (solo) rate | solo-run (solo) 95% CI | coop-run (coop) rate | coop-run (coop) 95% CI |',
        '| :--- | ---: | :--- | ---: | :--- |',
        // The coop run has no pair of b_task; its error pair is not in the denominator.
        '| a\\_task | 100.0% (2/2) | [34.2%, 100.0%] | 50.0% (1/2) | [9.5%, 90.5%] |',
        '| b\\_task | 50.0% (1/2) | [9.5%, 90.5%] | – | – |',
        '',
        // Paired: only a_task f1_f2 and f1_f3 are judged in both runs.
        '**Coordination deficit** (solo-run vs coop-run, 2 common pairs; dropped: 2 only in solo, 1 only in coop): ' +
          'relative deficit (solo − coop) / solo **50.0%** (95% CI [-106.3%, 87.7%], Jeffreys interval: Dirichlet posterior of the agreement table, 40000 draws, seed 20260101); ' +
          'difference 50.0 points (95% CI [-27.3, 90.5], Newcombe paired); solo 100.0%, coop 50.0%; ' +
          'strict: solo 100.0%, coop 50.0%, relative deficit 50.0%, 95% CI [-106.3%, 87.7%]. McNemar exact p = 1.000. Coop passes by strategy: naive 1 (100%).',
        '',
        '|  | coop passed | coop failed |',
        '| :--- | ---: | ---: |',
        '| **solo passed** | 1 | 1 |',
        '| **solo failed** | 0 | 0 |',
        '',
        '_Note: no config.json fingerprint for solo-run (solo) and coop-run (coop): only agent and model were compared, not limits or prompts_',
        '',
        "**Time**: Median time per pair (the agents' run, result.json duration\\_seconds, without evaluation) and the run's wall time " +
          "(first pair's start to last pair's end: pairs run side by side, and a resumed run's pause counts).",
        '',
        '| run | setting | pair size | pairs | median per pair | wall time |',
        '| :--- | :--- | ---: | ---: | ---: | ---: |',
        // The fixture's pairs took 1 s each and record no start or end: no wall time.
        '| solo-run | solo | 2 | 4 | 1s | – |',
        '| coop-run | coop | 2 | 3 | 1s | – |',
        '',
        '**Evaluation errors by cause (no verdict: not failed, left out of every rate)**: Pairs whose evaluation produced no verdict, ' +
          'by the cause their eval.json names (error\\_cause): dataset, a defect of the task (a tests patch that does not apply to the base commit); ' +
          "infra, the sandbox or platform; agent, the agent's output; task\\_changed, the task text changed since the agents ran " +
          '(their patches answer another task; \\`run\\` runs them again); unknown, no cause named.',
        '',
        '| run | setting | pair size | cause | eval errors |',
        '| :--- | :--- | ---: | :--- | ---: |',
        '| coop-run | coop | 2 | unknown | 1 |',
      ].join('\n'),
    )
  })

  it('escapes names so that a pipe, an underscore or a star in them neither splits a cell nor starts emphasis', async () => {
    const md = renderMarkdown(await reportOf({ 'p|l*50%_#1': [{ setting: 'solo', repo: 'x|y_task', verdict: 'pass' }] }))
    const lines = md.split('\n')
    const header = cells(lines[0]!)
    expect(cells(lines[2]!)).toHaveLength(header.length)
    expect(cells(lines[2]!)[0]).toBe('p\\|l\\*50%\\_\\#1')
    const repoLines = lines.filter((l) => l.startsWith('| x'))
    expect(repoLines).toEqual(['| x\\|y\\_task | 100.0% (1/1) | [20.7%, 100.0%] |'])
    expect(cells(lines[4]!)).toEqual(['repo', 'p\\|l\\*50%\\_\\#1 (solo) rate', 'p\\|l\\*50%\\_\\#1 (solo) 95% CI'])
    expect(escapeMarkdown('a\\b\nc')).toBe('a\\\\b c')
  })

  it('marks an interrupted run, whose rates cover its finished pairs only', async () => {
    const md = renderMarkdown(await reportOf(TWO_RUNS, ['coop-run']))
    expect(md).toContain('\n| coop-run | oracle | m | coop, interrupted | 3 |')
    expect(md).toContain('\n| solo-run | oracle | m | solo | 4 |')
  })

  it('names pairs of three features and leaves out the deficit when there is no solo run', async () => {
    const md = renderMarkdown(
      await reportOf({ trio: [{ setting: 'coop', repo: 'a_task', features: [1, 2, 3], verdict: 'fail', merge: { status: 'clean', strategy: 'naive' } }] }),
    )
    expect(md.split('\n')[0]).toContain('| run | agent | model | setting | pairs |')
    expect(md).toContain('| trio | oracle | m | coop, pairs of 3 features | 1 | 1 | 0 | 1 | 0 | 0.0% | [0.0%, 79.3%] | 0.0% | $0.50 |')
    expect(md).not.toContain('Coordination deficit')
  })
})
