import { describe, expect, it } from 'vitest'
import { escapeMarkdown, renderMarkdown } from '../../../src/report-formats/markdown.js'
import { reportOf, TWO_RUNS } from './pair-folders.js'

/** The cells of a table line, split at the pipes that are not escaped. */
const cells = (line: string) => line.slice(2, -2).split(/(?<!\\) \| /)

describe('markdown report', () => {
  it('puts two runs side by side: a row per run and setting, a rate and interval column pair per run in the per-repo table, the deficit line', async () => {
    const md = renderMarkdown(await reportOf(TWO_RUNS))
    expect(md).toBe(
      [
        '| run | setting | pairs | evaluated | passed | failed | errors | rate | 95% CI | cost |',
        '| :--- | :--- | ---: | ---: | ---: | ---: | ---: | ---: | :--- | ---: |',
        '| solo-run | solo | 4 | 4 | 3 | 1 | 0 | 75.0% | [30.1%, 95.4%] | $2.50 |',
        '| coop-run | coop | 3 | 3 | 1 | 1 | 1 | 50.0% | [9.5%, 90.5%] | $1.50 |',
        '',
        '| repo | solo-run (solo) rate | solo-run (solo) 95% CI | coop-run (coop) rate | coop-run (coop) 95% CI |',
        '| :--- | ---: | :--- | ---: | :--- |',
        // The coop run has no pair of b_task; its error pair is not in the denominator.
        '| a\\_task | 100.0% (2/2) | [34.2%, 100.0%] | 50.0% (1/2) | [9.5%, 90.5%] |',
        '| b\\_task | 50.0% (1/2) | [9.5%, 90.5%] | – | – |',
        '',
        '**Coordination deficit** (solo − coop, solo-run vs coop-run): 25.0 points, 95% CI [-35.5, 70.4] (solo 75.0%, coop 50.0%)',
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
    expect(md).toContain('\n| coop-run | coop, interrupted | 3 |')
    expect(md).toContain('\n| solo-run | solo | 4 |')
  })

  it('says teams for teams of three and leaves out the deficit when there is no solo run', async () => {
    const md = renderMarkdown(await reportOf({ trio: [{ setting: 'coop', repo: 'a_task', features: [1, 2, 3], verdict: 'fail', merge: { status: 'clean', strategy: 'naive' } }] }))
    expect(md.split('\n')[0]).toContain('| run | setting | teams |')
    expect(md).toContain('| trio | coop, teams of 3 | 1 | 1 | 0 | 1 | 0 | 0.0% | [0.0%, 79.3%] | $0.50 |')
    expect(md).not.toContain('Coordination deficit')
  })
})
