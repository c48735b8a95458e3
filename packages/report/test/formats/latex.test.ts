import { describe, expect, it } from 'vitest'
import { escapeLatex, renderLatex } from '../../src/formats/latex.js'
import { pairsOf, teamReport, writtenRun } from '../support/team-runs.js'
import { reportOf, TWO_RUNS } from '../support/pair-folders.js'

/**
 * What makes a booktabs tabular compile and look right, checked without LaTeX: the rules in
 * order, every row with as many cells as the column spec has columns (a `\multicolumn{n}` counts
 * n; an unescaped `&` in a name would add one), braces balanced and math mode closed.
 */
function checkTabular(tabular: string): void {
  const lines = tabular.split('\n')
  const spec = /^\\begin\{tabular\}\{([lrc]+)\}$/.exec(lines[0]!)
  expect(spec, lines[0]).not.toBeNull()
  expect(lines.at(-1)).toBe('\\end{tabular}')
  const rules = lines.filter((l) => /^\\(top|mid|bottom)rule$/.test(l))
  expect(rules).toEqual(['\\toprule', '\\midrule', '\\bottomrule'])
  expect(lines[1]).toBe('\\toprule')
  expect(lines.at(-2)).toBe('\\bottomrule')
  for (const row of lines.filter((l) => l.endsWith(' \\\\'))) {
    const cells = row.slice(0, -3).split(/(?<!\\)&/)
    const width = cells.reduce((sum, cell) => sum + Number(/\\multicolumn\{(\d+)\}/.exec(cell)?.[1] ?? 1), 0)
    expect(width, row).toBe(spec![1]!.length)
    expect(row, 'a cell starting with [ would be read as the row spacing of the line before').not.toMatch(/^\s*\[/)
  }
  const unescaped = (c: string) => (tabular.match(new RegExp(`(?<!\\\\)\\${c}`, 'g')) ?? []).length
  expect(unescaped('{')).toBe(unescaped('}'))
  expect(unescaped('$') % 2).toBe(0)
}

const tabularsOf = (latex: string) => latex.match(/\\begin\{tabular\}[\s\S]*?\\end\{tabular\}/g) ?? []

describe('latex report', () => {
  it('renders captioned tables: overall (run, communication), leaderboard, merge outcomes, per-repo and the paired deficit', async () => {
    const latex = renderLatex(await reportOf(TWO_RUNS))
    const tabulars = tabularsOf(latex)
    expect(tabulars).toHaveLength(7)
    for (const t of tabulars) checkTabular(t)
    expect(latex.match(/\\begin\{table\}\[t\]\n\\centering\n\\footnotesize\n\\setlength\{\\tabcolsep\}\{4pt\}\n\\begin\{tabular\}/g)).toHaveLength(7)
    expect(latex.match(/\\end\{tabular\}\n\\caption\{[^}]+\}\n\\label\{tab:cooperbench-[a-z-]+\}\n\\end\{table\}/g)).toHaveLength(7)
    const [overall, leaderboard, merge, perRepo, deficit, timing, evalErrors] = tabulars as [string, string, string, string, string, string, string]
    expect(overall).toContain('\nsolo-run & oracle & m & solo & -- & 3/4 & 0 & 75.0 & [30.1, 95.4] & 75.0 & 2.50 \\\\\n')
    expect(overall).toContain('\ncoop-run & oracle & m & coop & ? & 1/2 & 1 & 50.0 & [9.5, 90.5] & 50.0 & 1.50 \\\\\n')
    expect(leaderboard).toMatch(
      /\noracle & m & \? & 2 & 100\.0 \[34\.2, 100\.0\] & 50\.0 \[9\.5, 90\.5\] & 50\.0 \[\$-\$\d+\.\d, \d+\.\d\] & 50\.0 \[9\.5, 90\.5\] & naive 1 \(100\\%\) \\\\\n/,
    )
    expect(merge).toContain('\ncoop-run & oracle & m & ? & conflicts, union-merged & 0/1 & 0.0 \\\\\n')
    expect(perRepo).toContain('\nRepository & Run & Setting & Rate (\\%) & 95\\% CI \\\\\n')
    expect(perRepo).toContain('\na\\_task & solo-run & solo & 100.0 (2/2) & [34.2, 100.0] \\\\\n & coop-run & coop, ? & 50.0 (1/2) & [9.5, 90.5] \\\\\n')
    expect(perRepo).toContain('\nb\\_task & solo-run & solo & 50.0 (1/2) & [9.5, 90.5] \\\\\n')
    // A column per comparison, a row per measure; a negative bound gets a real minus sign.
    expect(deficit).toContain('\n & solo-run vs coop-run \\\\\n')
    expect(deficit).toMatch(/\nRelative deficit \(\\%\) \[95\\% CI\] & 50\.0 \[\$-\$\d+\.\d, \d+\.\d\] \\\\\n/)
    expect(deficit).toContain('\nDifference (points) [95\\% CI] & 50.0 [$-$27.3, 90.5] \\\\\n')
    expect(deficit).toContain('\nBoth / solo only / coop only / neither & 1 / 1 / 0 / 0 \\\\\n')
    // Every pair took 1 s; the fixture's pairs record no start or end, so there is no wall time.
    expect(timing).toContain('\nsolo-run & solo & 2 & 4 & 1s & -- \\\\\n')
    // The coop run's eval error, apart from its fails: it names no cause.
    expect(evalErrors).toContain('\ncoop-run & coop & 2 & unknown & 1 \\\\\n')
  })

  it('tells runs apart: coop, --git and --no-messaging runs of one model are three different rows; six runs keep per-repo at five columns', async () => {
    const base = {
      agent: 'oracle',
      model: 'm',
      agent_config_digest: null,
      prompt_profile: 'reference',
      limits: { step_limit: 100, cost_limit: 1, agent_timeout_seconds: null },
    }
    const coop = (messaging: boolean, git: boolean) => ({ coop: { ...base, setting: 'coop', messaging_enabled: messaging, git_enabled: git } })
    const pairs = (setting: 'solo' | 'coop') =>
      ['a_task', 'b_task', 'c_task'].map((repo) => ({
        setting,
        repo,
        verdict: 'pass' as const,
        ...(setting === 'coop' ? { merge: { status: 'clean' as const, strategy: 'naive' as const } } : {}),
      }))
    const runs = {
      'ch-solo': pairs('solo'),
      'ch-coop': pairs('coop'),
      'ch-git': pairs('coop'),
      'ch-nomsg': pairs('coop'),
      'ch-solo-b': pairs('solo'),
      'ch-both': pairs('coop'),
    }
    const report = await reportOf(runs, [], {
      'ch-solo': { solo: { ...base, setting: 'solo' } },
      'ch-solo-b': { solo: { ...base, setting: 'solo' } },
      'ch-coop': coop(true, false),
      'ch-git': coop(true, true),
      'ch-nomsg': coop(false, false),
      'ch-both': coop(false, true),
    })
    const [overall, leaderboard, merge, perRepo] = tabularsOf(renderLatex(report)) as [string, string, string, string]
    for (const t of [overall, leaderboard, merge, perRepo]) checkTabular(t)
    expect(overall).toContain('\nch-coop & oracle & m & coop & messaging & 3/3 &')
    expect(overall).toContain('\nch-git & oracle & m & coop & messaging + git & 3/3 &')
    expect(overall).toContain('\nch-nomsg & oracle & m & coop & none & 3/3 &')
    expect(merge).toContain('\nch-git & oracle & m & messaging + git & clean merge & 3/3 & 100.0 \\\\\n')
    expect(perRepo.split('\n')[0]).toBe('\\begin{tabular}{lllrl}')
    // A row per repository and run: 3 repos × 6 runs.
    expect(perRepo.split('\n').filter((l) => / & (ch-[a-z-]+) & /.test(l))).toHaveLength(18)
    // One leaderboard row per communication mode of the one agent × model.
    expect(leaderboard.split('\n').filter((l) => l.startsWith('oracle & m & '))).toHaveLength(4)
  })

  it('keeps the shape of the team tables (team runs, the one-feature-off ablation, runs not compared) and of the leaderboard with team rows', async () => {
    const latex = renderLatex(
      teamReport([
        await writtenRun('solo', pairsOf('ppff'), { setting: 'solo' }),
        await writtenRun('team_all', pairsOf('plif'), { setting: 'team' }),
        await writtenRun('team_no_mcp', pairsOf('pfef'), { setting: 'team', features: { mcp: false } }),
        await writtenRun('team_two_off', pairsOf('pfff'), { setting: 'team', features: { mcp: false, protocol: false } }),
      ]),
    )
    const tabulars = tabularsOf(latex)
    for (const t of tabulars) checkTabular(t)
    for (const label of ['team-run', 'team-ablation', 'team-ablation-not-compared', 'timing']) expect(latex).toContain(`\\label{tab:cooperbench-${label}}`)
  })

  it('escapes the specials of names, so the tabulars keep their shape', async () => {
    const name = '[p&l]_50%#1 {x} ~^\\ $y'
    const latex = renderLatex(await reportOf({ [name]: [{ setting: 'solo', repo: 'r&d_task', verdict: 'pass' }] }))
    const tabulars = tabularsOf(latex)
    expect(tabulars).toHaveLength(3)
    for (const t of tabulars) checkTabular(t)
    const escaped = '{[}p\\&l{]}\\_50\\%\\#1 \\{x\\} \\textasciitilde{}\\textasciicircum{}\\textbackslash{} \\$y'
    expect(escapeLatex(name)).toBe(escaped)
    expect(tabulars[0]).toContain(`\n${escaped} & oracle & m & solo & -- & 1/1 &`)
    expect(tabulars[1]).toContain(`\nr\\&d\\_task & ${escaped} & solo & 100.0 (1/1) & [20.7, 100.0] \\\\\n`)
    expect(escapeLatex('a--b')).toBe('a-{}-b')
  })
})
