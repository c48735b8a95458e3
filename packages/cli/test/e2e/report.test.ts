import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ExitCode } from '@cooperbench/core'
import { writeSubset } from '../../../dataset/test/fixture.js'
import { report as reportInProcess } from '../../dist/index.js'
import { describeResult, hermeticApiCalls, makeWorkdir, readJson, requireLocalBackend, runCli, useDemoDatasetCopy, wilson } from './helpers.js'

// report() runs in this process too: without the caller's COOPERBENCH_* or plugins.
hermeticApiCalls()
import { oracleTask12Run } from './oracle-task12-runs.js'

const dataset = useDemoDatasetCopy()

interface SettingReport {
  setting: 'solo' | 'coop'
  runs: string[]
  pairs: number
  evaluated: number
  passed: number
  failed: number
  errors: number
  rate: number | null
  ci: { low: number; high: number } | null
  merge: { clean: number; conflicts: number; union: number; missing_input: number; error: number }
  perRepo: Array<{ repo: string; pairs: number; passed: number; rate: number | null }>
}
interface Deficit {
  soloRun: string
  coopRun: string
  pairs: number
  solo: number
  coop: number
  difference: number
  low: number
  high: number
  relative: { value: number | null; low: number | null; high: number | null }
  agreement: { bothPass: number; soloOnly: number; coopOnly: number; neither: number }
  mcnemar: { pValue: number }
  strict: { coop: number }
}
interface Report {
  settings: Array<SettingReport & { strict: { rate: number | null }; byMerge: Array<{ outcome: string; pairs: number; passed: number }> }>
  deficit?: Deficit | null
  deficits: Deficit[]
  refused: Array<{ soloRun: string; coopRun: string; reasons: string[] }>
  leaderboard: Array<{ soloRun: string; coopRun: string; pairs: number; solo: { rate: number }; coop: { rate: number } }>
}

describe('cooperbench report', () => {
  it('summarises a solo and a coop oracle run: rates with Wilson intervals, merge counts, the coordination deficit, and a per-repo table', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('report')
    // The shared oracle runs of task 12's six pairs, scored under 0.0.14 (naive, then union): two
    // of them have conflicting gold patches, one of those still passes via union. Copied: this test
    // rewrites the coop run's eval_summary.json and adds a run beside them.
    await oracleTask12Run('solo', w.logs)
    await oracleTask12Run('coop', w.logs)
    // The figures from report() in this process, the value `report --json` prints (as the CLI checks
    // below, on --solo/--coop): a CLI start each would add nothing but its cost.
    const report = async (...runNames: string[]): Promise<Report> =>
      JSON.parse(JSON.stringify(await reportInProcess({ runNames, logDir: w.logs, cwd: w.cwd }))) as Report

    const solo = await report('solo')
    expect(solo.settings.map((s) => s.setting)).toEqual(['solo'])
    const s = solo.settings[0]!
    expect(s).toMatchObject({ runs: ['solo'], pairs: 6, evaluated: 6, passed: 6, failed: 0, errors: 0, rate: 1 })
    const expectedCi = wilson(6, 6)
    expect(s.ci!.low).toBeCloseTo(expectedCi.low, 3)
    expect(s.ci!.high).toBeCloseTo(expectedCi.high, 3)
    expect(s.perRepo).toEqual([expect.objectContaining({ repo: 'textkit_task', pairs: 6, passed: 6, rate: 1 })])

    // The report only reads unless asked to rewrite eval_summary.json.
    const summaryPath = join(w.logs, 'coop', 'eval_summary.json')
    const before = await readFile(summaryPath, 'utf8')
    const coop = await report('coop')
    expect(await readFile(summaryPath, 'utf8')).toBe(before)
    expect(coop.settings.map((x) => x.setting)).toEqual(['coop'])
    const c = coop.settings[0]!
    expect(c).toMatchObject({ runs: ['coop'], pairs: 6, evaluated: 6, errors: 0 })
    expect(c.merge.clean + c.merge.conflicts).toBe(c.pairs)
    expect(c.merge.conflicts).toBeGreaterThan(0)
    expect(c.merge.union).toBe(c.merge.conflicts)
    expect(c.passed + c.failed).toBe(6)
    expect(c.failed).toBeGreaterThan(0)
    expect(c.rate).toBeCloseTo(c.passed / 6, 10)
    const coopCi = wilson(c.passed, 6)
    expect(c.ci!.low).toBeCloseTo(coopCi.low, 3)
    expect(c.ci!.high).toBeCloseTo(coopCi.high, 3)
    // One run per setting has no deficit to report.
    expect(coop.deficit ?? null).toBeNull()

    // Strict: a pass through the union-merge fallback is not a strict pass; rate by merge outcome adds up.
    expect(c.strict.rate).toBeCloseTo(c.byMerge.find((m) => m.outcome === 'clean')!.passed / 6, 10)
    expect(c.byMerge.reduce((sum, m) => sum + m.pairs, 0)).toBe(6)

    const both = await report('solo', 'coop')
    expect(both.settings.map((x) => x.setting).sort()).toEqual(['coop', 'solo'])
    const d = both.deficit!
    expect(d).toBeTruthy()
    expect(d.pairs).toBe(6)
    expect(d.solo).toBe(1)
    expect(d.coop).toBeCloseTo(c.rate!, 10)
    expect(d.agreement).toEqual({ bothPass: c.passed, soloOnly: 6 - c.passed, coopOnly: 0, neither: 0 })
    expect(d.relative.value).toBeCloseTo((d.solo - d.coop) / d.solo, 10)
    expect(d.difference).toBeCloseTo(d.solo - d.coop, 10)
    expect(d.low).toBeLessThanOrEqual(d.difference)
    expect(d.high).toBeGreaterThanOrEqual(d.difference)
    expect(both.refused).toEqual([])
    // --json's leaderboard: the one comparable pair of runs, its rates on their common pairs.
    expect(both.leaderboard.map((r) => [r.soloRun, r.coopRun, r.pairs, r.solo.rate, r.coop.rate])).toEqual([['solo', 'coop', 6, 1, d.coop]])

    const rewritten = await runCli(['report', '-n', 'coop', '--write-eval-summary'], w.options())
    expect(rewritten.code, describeResult(rewritten)).toBe(0)
    expect(await readFile(summaryPath, 'utf8'), '--write-eval-summary rewrites it').not.toBe(before)
    expect(await readJson(summaryPath)).toMatchObject({ run_name: 'coop', total_runs: 6 })

    // A coop run of another model is not compared: listed with the difference, refused when named.
    await cp(join(w.logs, 'coop'), join(w.logs, 'coop-other'), { recursive: true })
    const configPath = join(w.logs, 'coop-other', 'config.json')
    const config = JSON.parse(await readFile(configPath, 'utf8')) as { fingerprints: { coop: { value: { model: string } } } }
    config.fingerprints.coop.value.model = 'another-model'
    await writeFile(configPath, JSON.stringify(config))
    const three = await report('solo', 'coop', 'coop-other')
    expect(three.deficits.map((x) => x.coopRun)).toEqual(['coop'])
    expect(three.leaderboard.map((x) => x.coopRun)).toEqual(['coop'])
    expect(three.refused).toEqual([
      { pairSize: 2, setting: 'coop', soloRun: 'solo', coopRun: 'coop-other', reasons: [expect.stringMatching(/^model: (null|".*") → "another-model"$/)] },
    ])
    const refused = await runCli(['report', '--solo', 'solo', '--coop', 'coop-other'], w.options())
    expect(refused.code, describeResult(refused)).not.toBe(0)
    expect(refused.stderr).toMatch(/runs "solo" \(solo\) and "coop-other" \(coop\) cannot be compared/)
    expect(refused.stderr).toContain('another-model')
    const named = await runCli(['report', '-n', 'coop-other', '--solo', 'solo', '--coop', 'coop', '--json'], w.options())
    expect(named.code, describeResult(named)).toBe(0)
    expect((JSON.parse(named.stdout) as Report).deficits.map((x) => [x.soloRun, x.coopRun])).toEqual([['solo', 'coop']])

    const text = await runCli(['report', '-n', 'solo', '-n', 'coop'], w.options())
    expect(text.code, describeResult(text)).toBe(0)
    expect(text.stdout).toMatch(/^repo\s+pairs\s+passed\s+failed\s+eval errors\s+rate\s+95% CI$/m)
    expect(text.stdout).toMatch(/^textkit_task\s+6\s+6\s+0\s+0\s+100\.0%\s+\[/m)
    expect(text.stdout).toMatch(/^merge: clean \d+, conflicts \d+/m)
    expect(text.stdout).toMatch(/^coordination deficit \(solo vs coop\): 6 common pairs$/m)
    expect(text.stdout).toMatch(/^ {2}relative deficit, \(solo − coop\) \/ solo: /m)
    expect(text.stdout).toMatch(/^ {2}McNemar \(exact binomial\): p = /m)
  }, 300_000)
})

describe('a subset naming entries the dataset lacks', () => {
  it('the run skips them and its summary.json, closing summary and `report` name them; `dataset validate -s` reports them', async (ctx) => {
    const w = await makeWorkdir('subset-gaps')
    const pair = [1, 2]
    const absent = [1, 9]
    await writeSubset(dataset(), 'gaps', {
      name: 'gaps',
      tasks: [
        { repo: 'textkit_task', task_id: 7, pairs: [pair, absent] },
        { repo: 'textkit_task', task_id: 99 },
      ],
    })
    const validate = await runCli(['dataset', 'validate', '-s', 'gaps', '--dataset-dir', dataset()], w.options({ timeoutMs: 120_000 }))
    expect(validate.code, describeResult(validate)).toBe(ExitCode.dataset)
    expect(validate.stdout).toMatch(/^error: .*gaps\.json: tasks\[1\] names textkit_task\/99, which is not in the dataset$/m)
    expect(validate.stdout).toMatch(/^error: .*gaps\.json: tasks\[0\]\.pairs\[1\] names feature 9, which textkit_task\/7 lacks$/m)

    requireLocalBackend(ctx)
    const run = await runCli(['run', '--dataset-dir', dataset(), '-s', 'gaps', '-a', 'oracle', '--setting', 'solo', '-n', 'gaps'], w.options())
    expect(run.code, describeResult(run)).toBe(0)
    expect(run.stderr).toMatch(/subset "gaps" names 1 task that .* does not contain: textkit_task\/99; skipping it/)
    const missing = ['textkit_task/99', 'textkit_task/7/1,9']
    expect(run.stdout + run.stderr).toMatch(/^ {2}subset +entries not in the dataset, not run: textkit_task\/99, textkit_task\/7\/1,9$/m)
    const summary = await readJson(join(w.logs, 'gaps', 'summary.json'))
    expect(summary).toMatchObject({ total_tasks: 1, completed: 1, skipped: 0, subset_entries_missing: missing })

    const text = await runCli(['report', '-n', 'gaps'], w.options())
    expect(text.code, describeResult(text)).toBe(0)
    expect(text.stdout).toMatch(/^subset entries not in the dataset: textkit_task\/99, textkit_task\/7\/1,9 \(not run/m)
    // The value `report --json` prints (its CLI printing is checked above, on the shared runs).
    const json = await reportInProcess({ runNames: ['gaps'], logDir: w.logs, cwd: w.cwd })
    expect(json.settings[0]).toMatchObject({ pairs: 1, subsetEntriesMissing: missing })
  }, 240_000)
})
