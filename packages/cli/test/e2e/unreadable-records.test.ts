import { rm, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { ExitCode } from '@cooperbench/core'
import { ViewerSource } from '@cooperbench/viewer'
import { beforeAll, describe, expect, it } from 'vitest'
import { bwrapUnavailable, DEMO_DATASET, describeResult, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli, type Workdir } from './helpers.js'
import { oracleTask12Run } from './oracle-task12-runs.js'

/**
 * Readers never guess: a result.json or eval.json that parses but is not of its record's shape is
 * named with why and counted as unreadable by `report` (which exits 1) and the viewer, never as a
 * fail, as running, or dropped without a word.
 */
describe('records that cannot be read', () => {
  /** A workdir whose logs hold a copy of the shared solo run of task 12's six pairs (all passing) as `name`. */
  async function soloRunAs(name: string): Promise<Workdir> {
    const w = await makeWorkdir(`unreadable-${name}`)
    await oracleTask12Run('solo', w.logs, name)
    return w
  }

  it('a wrong-shaped eval.json of a passing pair and a garbage result.json: named, left out, report exits 1', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await soloRunAs('unr')
    const dirs = await pairDirs(w.logs, 'unr', 'solo')
    expect(dirs.length).toBeGreaterThanOrEqual(3)
    const [first, second] = dirs as [string, string]
    const passing = await readJson(join(first, 'eval.json'))
    expect(passing.both_passed).toBe(true)
    // Another tool's shape: the verdict under another key.
    const { both_passed: _, ...wrongShape } = passing
    await writeFile(join(first, 'eval.json'), JSON.stringify({ ...wrongShape, passed: true }))
    await writeFile(join(second, 'result.json'), JSON.stringify({ garbage: true, agents: [] }))

    const report = await runCli(['report', '-n', 'unr', '--json'], w.options())
    expect(report.code, describeResult(report)).toBe(1)
    expect(report.stderr).toContain(`${join(first, 'eval.json')} is not an eval record (both_passed is not true or false, and there is no error)`)
    expect(report.stderr).toContain(`${join(second, 'result.json')} is not a result record (it names no repo)`)
    const printed = JSON.parse(report.stdout)
    expect(printed.unreadable).toHaveLength(2)
    expect(printed.settings[0]).toMatchObject({ pairs: dirs.length - 2, passed: dirs.length - 2, failed: 0, errors: 0 })

    const text = await runCli(['report', '-n', 'unr'], w.options())
    expect(text.code).toBe(1)
    expect(text.stdout).toMatch(/unreadable: 2 file\(s\) of 2 pair\(s\), left out of every count above/)

    const data = await new ViewerSource({ logDir: w.logs, runs: ['unr'] }).data()
    const states = Object.fromEntries(data.pairs.map((p) => [p.state, data.pairs.filter((q) => q.state === p.state).length]))
    expect(states).toEqual({ finished: dirs.length - 2, unreadable: 2 })
    expect(data.pairs.filter((p) => p.verdict === 'fail')).toEqual([])
    expect(data.runs[0]).toMatchObject({ unreadable: 2, running: 0 })
    expect(data.problems).toHaveLength(2)
  }, 300_000)

  it('an eval.json of null, a pass without feature verdicts and a pass its features contradict: named, in no count, report exits 1', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await soloRunAs('guess')
    const dirs = await pairDirs(w.logs, 'guess', 'solo')
    expect(dirs.length).toBeGreaterThanOrEqual(3)
    const [first, second, third] = dirs as [string, string, string]
    const passing = await readJson(join(first, 'eval.json'))
    expect(passing).toMatchObject({ both_passed: true, feature1: { passed: true }, feature2: { passed: true } })
    await writeFile(join(first, 'eval.json'), 'null')
    await writeFile(join(second, 'eval.json'), JSON.stringify({ both_passed: true }))
    await writeFile(join(third, 'eval.json'), JSON.stringify({ ...passing, feature2: { ...passing.feature2, passed: false } }))

    const report = await runCli(['report', '-n', 'guess', '--json'], w.options())
    expect(report.code, describeResult(report)).toBe(1)
    expect(report.stderr).toContain(`${join(first, 'eval.json')} is not an eval record (a JSON null, not an object)`)
    expect(report.stderr).toContain(`${join(second, 'eval.json')} is not an eval record (a verdict without its feature verdicts feature1 and feature2)`)
    expect(report.stderr).toContain(`${join(third, 'eval.json')} is not an eval record (both_passed is true but feature2 did not pass)`)
    const printed = JSON.parse(report.stdout)
    expect(printed.unreadable).toHaveLength(3)
    expect(printed.settings[0]).toMatchObject({ pairs: dirs.length - 3, passed: dirs.length - 3, failed: 0, errors: 0 })

    const data = await new ViewerSource({ logDir: w.logs, runs: ['guess'] }).data()
    expect(data.pairs.filter((p) => p.state === 'unreadable')).toHaveLength(3)
    expect(data.runs[0]).toMatchObject({ unreadable: 3 })
    expect(data.problems).toHaveLength(3)
  }, 300_000)

  it('a patch file lost after the run: eval and a resume make the pair an infra evaluation error naming the file, never a fail', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('lost-patch')
    // Features 1 and 3 of the shared coop run, alone in its copy (the pair's own run would be run
    // here only to be read): agent2's patch is agent3.patch (files are named by feature).
    await oracleTask12Run('coop', w.logs, 'lost')
    for (const other of await pairDirs(w.logs, 'lost', 'coop')) if (basename(other) !== 'f1_f3') await rm(other, { recursive: true })
    const pair = ['-a', 'oracle', '-r', 'textkit_task', '-t', '12', '-f', '1,3', '-n', 'lost', '--policy', 'cooperbench-0.0.14', '--dataset-dir', DEMO_DATASET]
    const [dir] = await pairDirs(w.logs, 'lost', 'coop')
    const result = await readJson(join(dir!, 'result.json'))
    const lines = result.agents.agent2.patch_lines
    expect(result.agents.agent2.feature_id).toBe(3)
    expect(lines).toBeGreaterThan(0)
    await rm(join(dir!, 'agent3.patch'))

    const lostError = `patch file lost: ${join(dir!, 'agent3.patch')} is missing, yet result.json records a ${lines}-line patch from agent2 (feature 3)`
    const again = await runCli(['eval', '-n', 'lost', '--force', '--dataset-dir', DEMO_DATASET], w.options({ timeoutMs: 120_000 }))
    expect(again.code, describeResult(again)).toBe(ExitCode.failure)
    expect(again.stderr).toContain(`eval  coop textkit_task/12/1,3 error: ${lostError}`)
    expect(again.stderr).toMatch(/error: no pair of lost was judged: 1 evaluation error\(s\)/)
    const record = await readJson(join(dir!, 'eval.json'))
    expect(record).toMatchObject({ error_cause: 'infra', both_passed: false, apply_status: { agent1: 'unknown', agent2: 'unknown' } })
    expect(record.error).toMatch(/restore the file, or run the pair again/)
    const summary = await readJson(join(w.logs, 'lost', 'eval_summary.json'))
    expect(summary).toMatchObject({ passed: 0, failed: 0, errors: 1, error_causes: { infra: 1 } })
    expect(summary.results[0]).toMatchObject({ status: 'error', cause: 'infra' })

    // A resume keeps the pair's result and retries its error verdict: an error again, not a fail.
    const resumed = await runCli(['run', ...pair], w.options({ timeoutMs: 120_000 }))
    expect(resumed.code, describeResult(resumed)).toBe(ExitCode.failure)
    expect(resumed.stdout).toMatch(/evaluated {2}1: passed 0, failed 0, errors 1 \(1 infra\)/)
    expect(await readJson(join(dir!, 'eval.json'))).toMatchObject({ error: expect.stringContaining(lostError), error_cause: 'infra' })

    // An agent that submitted nothing (no lines recorded) is judged on its empty patch, file or not: a fail.
    await writeFile(join(dir!, 'result.json'), JSON.stringify({ ...result, agents: { ...result.agents, agent2: { ...result.agents.agent2, patch_lines: 0 } } }))
    const judged = await runCli(['eval', '-n', 'lost', '--dataset-dir', DEMO_DATASET], w.options({ timeoutMs: 120_000 }))
    expect(judged.code, describeResult(judged)).toBe(0)
    expect(await readJson(join(dir!, 'eval.json'))).toMatchObject({ error: null, both_passed: false, apply_status: { agent1: 'applied', agent2: 'skipped' } })
    expect(await readJson(join(w.logs, 'lost', 'eval_summary.json'))).toMatchObject({ passed: 0, failed: 1, errors: 0 })
  }, 300_000)
})

/**
 * A coop run whose records were copied between pairs or cut down: a passing confkit verdict over a
 * failing textkit pair's, result.json files without task_id or with features and task_id of the
 * wrong type, and an eval.json of null (unreadable before records had to name their pair too).
 */
describe('records of another pair, or that do not say whose they are, in a real coop run', () => {
  let w: Workdir
  let dirs: string[] = []
  let named: string[] = []
  /** Readable pairs left, and how many of them pass. */
  let left = 0
  let passed = 0

  beforeAll(async () => {
    if (bwrapUnavailable !== null && !process.env.CI) return
    w = await makeWorkdir('unreadable-identity', 'file')
    // The shared coop run of task 12's six pairs (under 0.0.14: five pass), copied to be damaged.
    await oracleTask12Run('coop', w.logs, 'rd')
    dirs = await pairDirs(w.logs, 'rd', 'coop')
    const verdicts = await Promise.all(dirs.map((dir) => readJson(join(dir, 'eval.json'))))
    const passing = dirs.filter((_, i) => verdicts[i].both_passed === true)
    const failing = dirs.filter((_, i) => verdicts[i].both_passed === false)
    expect([passing.length >= 5, failing.length >= 1]).toEqual([true, true])
    const [one, two, three, nulled] = passing as [string, string, string, string]
    const [copiedOver] = failing as [string]
    await writeFile(join(copiedOver, 'eval.json'), JSON.stringify({ ...verdicts[dirs.indexOf(one)], repo: 'confkit_task', task_id: 5, features: [1, 3] }))
    await writeFile(join(nulled, 'eval.json'), 'null')
    const result = await readJson(join(one, 'result.json'))
    await writeFile(join(one, 'result.json'), JSON.stringify({ repo: 'textkit_task' }))
    await writeFile(join(two, 'result.json'), JSON.stringify({ ...result, features: 'nope' }))
    await writeFile(join(three, 'result.json'), JSON.stringify({ ...result, task_id: 'abc' }))
    const folderPair = `textkit_task/12/${basename(copiedOver).match(/\d+/g)!.join(',')}`
    named = [
      `${join(copiedOver, 'eval.json')} names another pair (confkit_task/5/1,3, not its folder's ${folderPair})`,
      `${join(nulled, 'eval.json')} is not an eval record (a JSON null, not an object)`,
      `${join(one, 'result.json')} is not a result record (it has no task_id)`,
      `${join(two, 'result.json')} is not a result record (features "nope" is not a list of two or more feature ids)`,
      `${join(three, 'result.json')} is not a result record (task_id "abc" is not an integer)`,
    ]
    left = dirs.length - named.length
    passed = passing.length - 4
  }, 300_000)

  it('report names each with why, counts none of them, and exits 1', async (ctx) => {
    requireLocalBackend(ctx)
    const report = await runCli(['report', '-n', 'rd', '--json'], w.options())
    expect(report.code, describeResult(report)).toBe(1)
    for (const line of named) expect(report.stderr).toContain(line)
    const printed = JSON.parse(report.stdout)
    expect(printed.unreadable).toHaveLength(named.length)
    expect(printed.settings[0]).toMatchObject({ pairs: left, passed, failed: left - passed })
  })

  it('analyze names each with why, counts them unreadable, and exits 1 as report does, with --json too', async (ctx) => {
    requireLocalBackend(ctx)
    const analyze = await runCli(['analyze', '-n', 'rd'], w.options())
    expect.soft(analyze.code, describeResult(analyze)).toBe(1)
    for (const line of named) expect.soft(analyze.stderr).toContain(line)
    expect.soft(analyze.stdout).toContain(`analysis of rd: ${dirs.length} coop pairs, ${left - passed} failed, ${named.length} unreadable (left out)`)
    const json = await runCli(['analyze', '-n', 'rd', '--json'], w.options())
    expect.soft(json.code, describeResult(json)).toBe(1)
    for (const line of named) expect.soft(json.stderr).toContain(`warning: unreadable, left out of the analysis: ${line}`)
    expect(JSON.parse(json.stdout).summary).toMatchObject({ unreadable: named.length })
  })

  it('view --export warns how many records it could not read and where they are named', async (ctx) => {
    requireLocalBackend(ctx)
    const exported = await runCli(['view', '-n', 'rd', '--export', join(w.cwd, 'rd-view')], w.options())
    expect(exported.code, describeResult(exported)).toBe(0)
    expect(exported.stdout).toContain(`(1 run, ${dirs.length} pairs)`)
    expect(exported.stderr).toContain(
      `warning: ${named.length} files could not be read (${named.length} pairs shown as unreadable, left out of every rate); ` +
        `the export's overview lists each with why under "Files that could not be read"`,
    )
  })
})
