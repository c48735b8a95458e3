import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TWO_RUNS, writeRun } from '../../../report/test/support/pair-folders.js'
import { writeUpstreamSoloRun, writeUpstreamTeamRun } from '../../../report/test/support/upstream-team-run.js'
import { report } from '../../dist/index.js'
import { describeResult, makeWorkdir, runCli } from './helpers.js'

describe('cooperbench report --format / --output', () => {
  it('renders the same report as Markdown, CSV, JSON and LaTeX, to stdout or atomically to a file', async () => {
    const w = await makeWorkdir('report-formats')
    for (const [name, pairs] of Object.entries(TWO_RUNS)) await writeRun(join(w.logs, name), pairs)
    const report = (...args: string[]) => runCli(['report', '-n', 'solo-run', '-n', 'coop-run', ...args], w.options())

    const md = await report('--format', 'md')
    expect(md.code, describeResult(md)).toBe(0)
    expect(md.stdout).toContain('| solo-run | oracle | m | solo | 4 | 4 | 3 | 1 | 0 | 75.0% | [30.1%, 95.4%] | 75.0% | $2.50 |\n')
    expect(md.stdout).toContain('| b\\_task | 50.0% (1/2) | [9.5%, 90.5%] | – | – |\n')
    expect(md.stdout).toMatch(
      /^\*\*Coordination deficit\*\* \(solo-run vs coop-run, 2 common pairs; .*relative deficit \(solo − coop\) \/ solo \*\*50\.0%\*\*/m,
    )

    // --output: the file instead of stdout, and no temp file left beside it.
    const csv = await report('--format', 'csv', '-o', 'out/report.csv')
    expect(csv.code, describeResult(csv)).toBe(0)
    expect(csv.stdout).toBe('')
    expect(csv.stderr).toContain('wrote out/report.csv')
    expect(await readdir(join(w.cwd, 'out'))).toEqual(['report.csv'])
    const rows = (await readFile(join(w.cwd, 'out', 'report.csv'), 'utf8')).split('\r\n')
    expect(rows[0]).toMatch(/^run,agent,model,setting,pair_size,scope,repo,pairs,evaluated,passed,failed,errors,rate,ci_low,ci_high,strict_rate,/)
    expect(rows).toContainEqual(expect.stringMatching(/^solo-run vs coop-run,,,solo-coop,2,deficit_points,,2,,,,,0\.5,-0\.272573,0\.905469,/))

    const latex = await report('--format', 'latex', '--output', 'report.tex')
    expect(latex.code, describeResult(latex)).toBe(0)
    const tex = await readFile(join(w.cwd, 'report.tex'), 'utf8')
    // Overall, leaderboard, merge outcome, per-repo, the deficit's agreement table, the time table, the eval errors by cause.
    expect(tex.match(/\\begin\{tabular\}/g)).toHaveLength(7)
    expect(tex).toContain('\\label{tab:cooperbench-timing}')
    expect(tex).toContain('\\label{tab:cooperbench-eval-errors}')
    expect(tex).toContain('\\label{tab:cooperbench-leaderboard}')
    // The per-repo table: a row per repository and run (the coop run's folder does not say how its agents talked: `?`).
    expect(tex).toContain('\na\\_task & solo-run & solo & 100.0 (2/2) & [34.2, 100.0] \\\\\n & coop-run & coop, ? & 50.0 (1/2) & [9.5, 90.5] \\\\\n')

    // --format json is --json; with --output the JSON goes to the file only.
    const json = await report('--json')
    const formatJson = await report('--format', 'json')
    expect(formatJson.code, describeResult(formatJson)).toBe(0)
    expect(formatJson.stdout).toBe(json.stdout)
    expect(JSON.parse(json.stdout)).toMatchObject({ deficit: { solo: 1, coop: 0.5, relative: { value: 0.5 } } })
    const jsonFile = await report('--json', '-o', 'report.json')
    expect(jsonFile.code, describeResult(jsonFile)).toBe(0)
    expect(jsonFile.stdout).toBe('')
    expect(await readFile(join(w.cwd, 'report.json'), 'utf8')).toBe(json.stdout)
  })

  it('refuses an unknown format, and --json with another format', async () => {
    const w = await makeWorkdir('report-formats-bad')
    await writeRun(join(w.logs, 'solo-run'), TWO_RUNS['solo-run']!)
    const unknown = await runCli(['report', '-n', 'solo-run', '--format', 'html'], w.options())
    expect(unknown.code, describeResult(unknown)).not.toBe(0)
    expect(unknown.stderr).toMatch(/^error: .*--format=html.*text, md, csv, json, latex/m)
    const both = await runCli(['report', '-n', 'solo-run', '--format', 'md', '--json'], w.options())
    expect(both.code, describeResult(both)).not.toBe(0)
    // With --json the error is JSON on stdout too, so a script reading stdout never gets a table.
    expect(JSON.parse(both.stdout)).toMatchObject({ error: { code: 'USAGE', message: '--json and --format md ask for two formats' } })
    expect(both.stderr).toMatch(/^error: --json and --format md ask for two formats$/m)
  })

  it("loads the settings' plugins as run does: a team run's own tables are the team plugin's, from the CLI and from report()", async () => {
    const w = await makeWorkdir('report-team-sections')
    await writeUpstreamSoloRun(w.logs, 'solo', [
      { task: 1, passed: true },
      { task: 2, passed: false },
    ])
    await writeUpstreamTeamRun(
      w.logs,
      'team',
      [1, 2].map((task) => ({ task, strategy: 'naive' as const, passed: true })),
    )
    await writeUpstreamTeamRun(
      w.logs,
      'team-no-mcp',
      [1, 2].map((task) => ({ task, strategy: 'naive' as const, passed: task === 1 })),
      { mcp: false },
    )
    const runs = ['-n', 'solo', '-n', 'team', '-n', 'team-no-mcp']
    const text = await runCli(['report', ...runs], w.options())
    expect(text.code, describeResult(text)).toBe(0)
    expect(text.stdout).toMatch(/^team runs:$/m)
    expect(text.stdout).toMatch(/^team ablation, one feature off \(baseline team\):$/m)
    expect(text.stdout).toMatch(/^ {2}--team-no-mcp +team-no-mcp +2 +2 +1 +-50\.0 /m)
    expect(text.stdout).toMatch(/^ {2}\S+ +\S+ +team, no mcp, \? +solo vs team-no-mcp +2 /m)
    const fromScript = await report({ runNames: ['solo', 'team', 'team-no-mcp'], logDir: w.logs, cwd: w.cwd })
    expect(fromScript.settingSections.map((section) => section.id)).toEqual(['team_run', 'team_ablation'])
    expect(fromScript.settings.map((row) => row.variant)).toEqual([null, 'all features', 'no mcp'])
  })
})
