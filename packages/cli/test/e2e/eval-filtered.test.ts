import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEMO_DATASET, describeResult, makeWorkdir, readJson, requireLocalBackend, runCli } from './helpers.js'
import { oracleTask12Run } from './oracle-task12-runs.js'

/** `eval --force` filtered to part of a run: the summary counts the whole run, so the verdicts outside the filter are reused ones. */
describe('a filtered eval --force', () => {
  it('counts the verdicts it did not make (outside -f) as reused, in eval_summary.json and on the terminal', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('eval-filtered')
    // Task 12 of the demo: 6 solo pairs, each with a verdict (the shared run, copied: eval rewrites it).
    await oracleTask12Run('solo', w.logs)

    const base = ['--dataset-dir', DEMO_DATASET, '-r', 'textkit_task', '-t', '12']
    const again = await runCli(['eval', '-n', 'solo', '--force', '-f', '1,2', ...base], w.options({ timeoutMs: 240_000 }))
    expect(again.code, describeResult(again)).toBe(0)
    expect(again.stderr).toContain('evaluating 1 pair(s) (0 already evaluated)')
    expect(again.stdout).toMatch(/^evaluation of solo: 6 pair\(s\)/m)
    expect(again.stdout).toContain('passed 6, failed 0, errors 0, not evaluated 0 (reused 5)')
    expect(await readJson(join(w.logs, 'solo', 'eval_summary.json'))).toMatchObject({ total_runs: 6, passed: 6, skipped: 5 })
  }, 480_000)
})
