import { readdir, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { ExitCode } from '@cooperbench/core'
import { describe, expect, it } from 'vitest'
import {
  describeResult,
  linesStartingWith,
  makeWorkdir,
  mtimeOf,
  pairDirs,
  readJson,
  requireLocalBackend,
  runCli,
  snapshotTree,
  stackLines,
  useDemoDatasetCopy,
  writeTextkitSubset,
} from './helpers.js'
import { oracleTask12Run } from './oracle-task12-runs.js'

const dataset = useDemoDatasetCopy()
const task7 = () => ['--dataset-dir', dataset(), '-r', 'textkit_task', '-t', '7', '-a', 'oracle', '-c', '4']
/** Two pairs of task 12 (a subset keeps the rerun cycles short): one rerun alone, one reused. */
const twoPairs = async () => {
  await writeTextkitSubset(dataset(), 'two', 12, ['1,2', '2,4'])
  // The policy of the shared run these pairs are copied from (oracle-task12-runs.ts).
  return ['--dataset-dir', dataset(), '-s', 'two', '-a', 'oracle', '-c', '4', '--policy', 'cooperbench-0.0.14']
}

async function mtimes(files: string[]): Promise<number[]> {
  return Promise.all(files.map(mtimeOf))
}

describe('rerunning into an existing run folder', () => {
  it('reuses finished pairs, reruns them all with --force, reruns alone a pair that lost its result.json, and `eval` evaluates only the pair that lost its eval.json', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('resume')
    const command = ['run', ...(await twoPairs()), '--setting', 'solo', '-n', 'resume']
    const summaryOf = () => readJson(join(w.logs, 'resume', 'summary.json'))

    // The first run of the two pairs: those of the shared oracle solo run of task 12, copied
    // without its other pairs (a run of its own here would be made only to be resumed).
    await oracleTask12Run('solo', w.logs, 'resume')
    for (const dir of await pairDirs(w.logs, 'resume', 'solo')) if (!['f1_f2', 'f2_f4'].includes(basename(dir))) await rm(dir, { recursive: true })
    const dirs = await pairDirs(w.logs, 'resume', 'solo')
    const n = dirs.length
    expect(n).toBe(2)
    const results = dirs.map((d) => join(d, 'result.json'))
    const evals = dirs.map((d) => join(d, 'eval.json'))
    const resultTimes = await mtimes(results)
    const evalTimes = await mtimes(evals)

    // The same command again: nothing to do.
    const again = await runCli(command, w.options())
    expect(again.code, describeResult(again)).toBe(0)
    expect(await summaryOf()).toMatchObject({ total_tasks: n, completed: 0, skipped: n, failed: 0, interrupted: false, pass_rate: 1 })
    expect((await summaryOf()).results.every((e: { status: string }) => e.status === 'skip')).toBe(true)
    expect(await mtimes(results)).toEqual(resultTimes)
    expect(await mtimes(evals)).toEqual(evalTimes)

    // --force reruns every pair (and re-evaluates it).
    const forced = await runCli([...command, '--force'], w.options())
    expect(forced.code, describeResult(forced)).toBe(0)
    expect(await summaryOf()).toMatchObject({ total_tasks: n, completed: n, skipped: 0, failed: 0, pass_rate: 1 })
    const forcedTimes = await mtimes(results)
    for (const [i, t] of forcedTimes.entries()) expect(t, results[i]).toBeGreaterThan(resultTimes[i]!)

    // A pair without result.json (an interrupted one) is rerun, alone.
    await rm(results[1]!)
    const resumed = await runCli(command, w.options())
    expect(resumed.code, describeResult(resumed)).toBe(0)
    expect(await summaryOf()).toMatchObject({ total_tasks: n, completed: 1, skipped: n - 1, failed: 0, pass_rate: 1 })
    const resumedTimes = await mtimes(results)
    expect(resumedTimes[1]).toBeGreaterThan(forcedTimes[1]!)
    expect(resumedTimes[0], results[0]).toBe(forcedTimes[0])

    // eval evaluates only the pair that lost its eval.json; eval_summary.json still covers the run.
    await rm(evals[0]!)
    const before = await mtimes(evals.filter((_, i) => i !== 0))
    const evaluated = await runCli(['eval', '--dataset-dir', dataset(), '-n', 'resume', '--json'], w.options())
    expect(evaluated.code, describeResult(evaluated)).toBe(0)
    expect(await mtimes(evals.filter((_, i) => i !== 0))).toEqual(before)
    expect(await readJson(evals[0]!)).toMatchObject({ both_passed: true, error: null })
    const evalSummary = await readJson(join(w.logs, 'resume', 'eval_summary.json'))
    expect(evalSummary).toMatchObject({ total_runs: n, passed: n, failed: 0, errors: 0, not_evaluated: 0, skipped: n - 1, pass_rate: 1 })
    expect(evalSummary.results).toHaveLength(n)
    expect(JSON.parse(evaluated.stdout)).toMatchObject({ total_runs: n, skipped: n - 1 })
  }, 180_000)

  it('with the default run name, an invocation with another -f counts only its own pairs and summary.json says the same; the name reused with another configuration is refused naming the field, leaving logs/ untouched; the same configuration reuses its pair; coop beside solo is accepted, its summary.json describing the coop pairs only', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('summary-scope')
    // No -n: the default name does not depend on the filters (as the reference's), so both invocations share the folder.
    const base = ['run', ...task7(), '--setting', 'solo']
    const first = await runCli([...base, '-f', '1,2'], w.options())
    expect(first.code, describeResult(first)).toBe(0)
    const second = await runCli([...base, '-f', '3,4'], w.options())
    expect(second.code, describeResult(second)).toBe(0)
    const runs = await readdir(w.logs)
    expect(runs, 'both selections share the default-named folder').toHaveLength(1)
    const name = runs[0]!
    const folder = join(w.logs, name)
    expect(second.stdout, 'none of the other selection is reused').toContain('  pairs      1 (completed 1, reused 0, failed 0)')
    // config.json and summary.json keep the reference meaning: the pairs this invocation selected.
    expect((await readJson(join(folder, 'config.json'))).total_tasks, "config.json counts the invocation's pairs").toBe(1)
    const summary = await readJson(join(folder, 'summary.json'))
    expect(summary, "summary.json counts the invocation's pairs").toMatchObject({ total_tasks: 1, completed: 1, skipped: 0, failed: 0, pass_rate: 1 })
    expect(summary.results.map((e: { task: string; status: string }) => [e.task, e.status])).toEqual([['textkit_task/7/3,4', 'done']])
    expect(summary.eval).toMatchObject({ total_evaluated: 1, passed: 1, skipped: 0 })
    // eval_summary.json describes the whole folder.
    expect(await readJson(join(folder, 'eval_summary.json')), 'eval_summary.json covers the whole folder').toMatchObject({ total_runs: 2, passed: 2 })

    // The name reused with another configuration: refused, with one error line and a hint, logs/ untouched.
    const command = [...base, '-f', '1,2', '-n', name]
    for (const [extra, field] of [
      [['--step-limit', '7'], 'step_limit'],
      // The oracle calls no model, so -m does not make another configuration (its records carry model: null).
      [['--cost-limit', '1'], 'cost_limit'],
    ] as const) {
      const before = await snapshotTree(w.logs)
      const r = await runCli([...command, ...extra], w.options())
      expect(r.code, describeResult(r)).toBe(ExitCode.runConflict)
      const errors = linesStartingWith(r.stderr, 'error:')
      expect(errors, describeResult(r)).toHaveLength(1)
      expect(errors[0], 'the error names the run').toContain(`"${name}"`)
      expect(errors[0], 'the error names the differing field').toContain(field)
      expect(linesStartingWith(r.stderr, 'hint:'), describeResult(r)).toHaveLength(1)
      expect(stackLines(r.stderr + r.stdout)).toEqual([])
      expect(await snapshotTree(w.logs), `${extra.join(' ')} changed logs/`).toEqual(before)
    }

    // The same configuration, selected again: accepted, the finished pair reused.
    const again = await runCli(command, w.options())
    expect(again.code, describeResult(again)).toBe(0)
    expect(again.stdout, 'the finished pair is reused').toContain('  pairs      1 (completed 0, reused 1, failed 0)')
    expect(await readJson(join(folder, 'summary.json'))).toMatchObject({ total_tasks: 1, completed: 0, skipped: 1, failed: 0 })

    // Another setting is another configuration of the run, beside the first: accepted. The folder holds
    // solo results too; the invocation's summary.json counts its coop pairs alone.
    const coop = await runCli(['run', ...task7(), '-f', '1,2', '--setting', 'coop', '-n', name], w.options())
    expect(coop.code, describeResult(coop)).toBe(0)
    const coopSummary = await readJson(join(folder, 'summary.json'))
    const coopVerdict = (await readJson(join(folder, 'coop', 'textkit_task', '7', 'f1_f2', 'eval.json'))).both_passed ? 1 : 0
    expect(coopSummary, 'summary.json describes the coop pairs alone').toMatchObject({ setting: 'coop', total_tasks: 1, completed: 1, skipped: 0, failed: 0 })
    expect(coopSummary.results.map((e: { setting: string }) => e.setting)).toEqual(['coop'])
    expect(coopSummary.eval).toMatchObject({ total_evaluated: 1, passed: coopVerdict })
    expect(coopSummary.pass_rate, "the coop pairs' pass rate").toBe(coopVerdict)
  }, 180_000)
})
