import { describe, expect, it } from 'vitest'
import { CSV_COLUMNS } from '../../src/formats/csv.js'
import { renderReport } from '../../src/formats/index.js'
import type { RunReport } from '../../src/model/report.js'
import { pairsOf, teamReport, writtenRun } from '../support/team-runs.js'

/** The named columns of a CSV line without quoted fields, joined by spaces. */
const fields = (line: string, ...names: Array<(typeof CSV_COLUMNS)[number]>) => names.map((n) => line.split(',')[CSV_COLUMNS.indexOf(n)]).join(' ')

/** A solo run, a team baseline, a team run without the scratchpad and one of another model without the protocol. */
async function teamStudy(): Promise<RunReport> {
  return teamReport([
    await writtenRun('solo', pairsOf('ppppppffff'), { setting: 'solo' }),
    await writtenRun('team-all', pairsOf('pllllippff'), { setting: 'team' }),
    await writtenRun('team-no-scratchpad', pairsOf('pfffffppff'), { setting: 'team', features: { scratchpad: false } }),
    await writtenRun('team-no-protocol', pairsOf('pppppppppp'), { setting: 'team', model: 'other', features: { protocol: false } }),
  ])
}

describe('team sections in every format', () => {
  it('text: team rows with the passes by strategy, the solo × team deficit, the time table, the team table and the ablation with why a run is left out', async () => {
    const text = renderReport(await teamStudy(), 'text')
    expect(text).toContain('team (team-all), evaluation policy cooperbench-0.0.16')
    expect(text).toMatch(
      /cooperbench-0\.0\.16 +eval\.json +10\/10 +8 +2 +0 +80\.0% \(8\/10\) +80\.0% \(8\/10\) +naive 3 \(38%\), skip-merge-identical 1 \(13%\), solo-agent1 4 \(50%\)/,
    )
    expect(text).toContain('coordination deficit (solo vs team-all, solo vs team): 10 common pairs')
    expect(text).toContain('  team passes by strategy: naive 3 (38%), skip-merge-identical 1 (13%), solo-agent1 4 (50%)')
    expect(text).toMatch(/team-all +team +2 +10 +1m 00s +10m 00s/)
    expect(text).toMatch(/team-no-scratchpad +2 +agent1 +no scratchpad +cooperbench-0\.0\.16: naive 3 \(100%\) +20\/20 +0 +5s +10\/20/)
    expect(text).toContain('team ablation, one feature off (baseline team-all):')
    expect(text).toMatch(/baseline \(all on\) +team-all +10 +– +8 +– +– +– +–\n/)
    expect(text).toMatch(/--team-no-scratchpad +team-no-scratchpad +10 +8 +3 +-50\.0 +\[-73\.3, -7\.8\] +0\.063 +0\n/)
    expect(text).toContain('  note: --team-no-scratchpad: both passed 3, baseline only 5, team-no-scratchpad only 0, neither 2')
    expect(text).toMatch(/team-no-protocol +2 +team-all +model: "gpt-5" → "other"/)
    // The leaderboard names a team row by its features.
    expect(text).toMatch(/mini_swe_agent +gpt-5 +team, all features, messaging +solo vs team-all +10 /)
  })

  it('markdown, CSV and LaTeX carry the same sections', async () => {
    const report = await teamStudy()
    const md = renderReport(report, 'md')
    expect(md).toContain('**Team ablation, one feature off (baseline team-all)**: ')
    expect(md).toMatch(/\n\| --team-no-scratchpad \| team-no-scratchpad \| 10 \| 8 \| 3 \| -50\.0 \| \[-73\.3, -7\.8\] \| 0\.063 \| 0 \|\n/)
    expect(md).toContain('| coop/team run | merge outcome |')
    expect(md).toContain("| team-all (team) | conflicts, agent1's patch alone | 4 | 4 | 100.0% |")

    const csv = renderReport(report, 'csv').split('\r\n')
    const ablation = csv.find((line) => line.includes(',team_ablation,') && line.includes('--team-no-scratchpad'))!
    expect(ablation).toMatch(/^team-no-scratchpad,,,,,team_ablation,,10,,3,,,-0\.5,-0\.\d+,-0\.\d+,,,,,,,,0\.0625,0,,,,--team-no-scratchpad,8,,,$/)
    expect(csv.find((line) => line.includes(',team_ablation_not_compared,'))).toBe(
      'team-no-protocol,,,,2,team_ablation_not_compared,,,,,,,,,,,,,,,,,,,,,,team-all,,,,"model: ""gpt-5"" → ""other"""',
    )
    expect(
      csv.filter((line) => line.startsWith('solo vs team-all,,,solo-team,2,passes_by_strategy,')).map((l) => fields(l, 'measure', 'count', 'rate')),
    ).toEqual(['naive 3 0.375', 'skip-merge-identical 1 0.125', 'solo-agent1 4 0.5'])

    const latex = renderReport(report, 'latex')
    expect(latex).toContain('\\label{tab:cooperbench-team-ablation}')
    expect(latex).toMatch(/\n-{}-team-no-scratchpad & team-no-scratchpad & 10 & 8 & 3 & \$-\$50\.0 & \[\$-\$\d+\.\d, \$-\$\d+\.\d\] & 0\.063 & 0 \\\\\n/)
    expect(latex).toContain('$\\Delta$ (points)')
    expect(latex).not.toMatch(/[Δ−→]/)
  })
})
