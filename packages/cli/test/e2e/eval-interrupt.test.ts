import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { DEMO_DATASET, describeResult, expectNothingLeft, leftoverSandboxes, makeWorkdir, readJson, requireLocalBackend, runCli, startCli } from './helpers.js'
import { oracleTask12Run } from './oracle-task12-runs.js'

/** Ctrl+C during `eval --force`: the verdicts it did not reach are earlier ones, and the summary says so. */
describe('interrupting eval --force', () => {
  it('says "interrupted", counts the earlier verdicts as reused, and marks eval_summary.json interrupted', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('eval-interrupt')
    // Task 12 of the demo: 6 coop pairs, each with a verdict (the shared run, copied: eval rewrites it).
    const base = ['--dataset-dir', DEMO_DATASET, '-r', 'textkit_task', '-t', '12']
    await oracleTask12Run('coop', w.logs, 'ev')
    const before = await readJson(join(w.logs, 'ev', 'eval_summary.json'))
    expect(before).toMatchObject({ total_runs: 6, not_evaluated: 0 })
    expect(before.interrupted).toBeUndefined()

    // One evaluation at a time; Ctrl+C (SIGINT to the process group) once the first verdict is in.
    const cli = startCli(['eval', '-n', 'ev', '--force', '-c', '1', ...base], w.options({ detached: true, timeoutMs: 240_000 }))
    expect(await cli.waitForStderr(/^eval {2}coop /m, 180_000), cli.stderr()).toBe(true)
    process.kill(-cli.child.pid!, 'SIGINT')
    const r = await cli.result
    expect(r.code, describeResult(r)).toBe(130)

    const judgedNow = r.stderr.split('\n').filter((line) => line.startsWith('eval  coop ')).length
    expect(judgedNow).toBeLessThan(6)
    const after = await readJson(join(w.logs, 'ev', 'eval_summary.json'))
    expect(after).toMatchObject({ interrupted: true, total_runs: 6, skipped: 6 - judgedNow })
    expect(r.stdout).toMatch(/^evaluation of ev interrupted: 6 pair\(s\)/m)
    expect(r.stdout).toContain(`(reused ${6 - judgedNow})`)
    await expectNothingLeft(w)

    // Evaluated again to the end: no longer marked interrupted.
    const again = await runCli(['eval', '-n', 'ev', ...base], w.options({ timeoutMs: 240_000 }))
    expect(again.code, describeResult(again)).toBe(0)
    expect((await readJson(join(w.logs, 'ev', 'eval_summary.json'))).interrupted).toBeUndefined()
  }, 480_000)

  it('an eval that died (kill -9, a second Ctrl+C) leaves its sandbox; the next eval of the run removes it first, and, filtered to one pair, counts the verdicts it did not make as reused', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('eval-killed')
    // The shared coop run of task 12 (six pairs, each with a verdict), copied; the evals below
    // judge its pair 1,2 alone (-f).
    const base = ['--dataset-dir', DEMO_DATASET, '-r', 'textkit_task', '-t', '12', '-f', '1,2']
    await oracleTask12Run('coop', w.logs, 'ek')

    const cli = startCli(['eval', '-n', 'ek', '--force', ...base], w.options({ timeoutMs: 240_000 }))
    const evalSandbox = async () => (await leftoverSandboxes(w.sandboxRoot)).some((name) => name.startsWith('eval-'))
    for (let waited = 0; !(await evalSandbox()) && waited < 1_800; waited++) await sleep(100)
    expect(await evalSandbox(), `no evaluation sandbox appeared\n${cli.stderr()}`).toBe(true)
    cli.child.kill('SIGKILL')
    await cli.result
    const orphans = await leftoverSandboxes(w.sandboxRoot)
    expect(orphans.length).toBeGreaterThan(0)

    const again = await runCli(['eval', '-n', 'ek', '--force', ...base], w.options({ timeoutMs: 240_000 }))
    expect(again.code, describeResult(again)).toBe(0)
    expect(again.stderr).toContain(`removed ${orphans.length} leftover sandbox(es) of run ek whose process is gone`)
    // eval --force filtered to part of the run: its summary counts the whole run, so the verdicts
    // outside the filter are reused ones, in eval_summary.json and on the terminal.
    expect(again.stderr).toContain('evaluating 1 pair(s) (0 already evaluated)')
    expect(again.stdout).toMatch(/^evaluation of ek: 6 pair\(s\)/m)
    // The copy's verdicts (cooperbench-0.0.14): five pairs pass, 1,4 fails; 1,2 passes judged again.
    expect(again.stdout).toContain('passed 5, failed 1, errors 0, not evaluated 0 (reused 5)')
    const summary = await readJson(join(w.logs, 'ek', 'eval_summary.json'))
    expect(summary).toMatchObject({ total_runs: 6, passed: 5, failed: 1, errors: 0, skipped: 5 })
    await expectNothingLeft(w)
  })
})
