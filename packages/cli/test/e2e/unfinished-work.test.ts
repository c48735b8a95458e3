import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { ExitCode } from '@cooperbench/core'
import { describe, expect, it } from 'vitest'
import { DEMO_DATASET, describeResult, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli, startCli } from './helpers.js'

/** Unfinished or absent work is never reported as a finished 0 % run with exit 0. */
describe('unfinished work does not exit 0', () => {
  it('eval of a killed run names its unfinished pairs and that `run` resumes them; judging nothing exits 1', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('killed-run')
    // Task 12 of the demo: 6 pairs, one at a time, so a kill leaves most of them unstarted.
    const args = ['run', '-a', 'oracle', '--dataset-dir', DEMO_DATASET, '-r', 'textkit_task', '-t', '12', '-c', '1', '-n', 'killed']
    const cli = startCli(args, w.options({ detached: true, timeoutMs: 180_000 }))
    expect(await cli.waitForStdout(/^run killed: 6 pair\(s\)/m, 60_000), cli.stderr()).toBe(true)
    // Killed mid-way: once its first pair has finished.
    const firstDone = async () => (await pairDirs(w.logs, 'killed', 'coop')).some((dir) => existsSync(join(dir, 'result.json')))
    for (let waited = 0; !(await firstDone()) && waited < 120_000; waited += 100) await new Promise((r) => setTimeout(r, 100))
    process.kill(-cli.child.pid!, 'SIGKILL')
    await cli.result

    const finished = (await pairDirs(w.logs, 'killed', 'coop')).filter((dir) => existsSync(join(dir, 'result.json')))
    const unfinished = 6 - finished.length
    expect(unfinished).toBeGreaterThan(0)
    const evaluated = await runCli(['eval', '-n', 'killed', '--dataset-dir', DEMO_DATASET], w.options({ timeoutMs: 120_000 }))
    const summaryPath = join(w.logs, 'killed', 'eval_summary.json')
    const judged = existsSync(summaryPath) ? ((s) => s.passed + s.failed)(await readJson(summaryPath)) : 0
    if (judged === 0) {
      expect(evaluated.code, describeResult(evaluated)).toBe(ExitCode.failure)
      expect(evaluated.stderr).toContain(`error: no pair of killed was judged: ${unfinished} unfinished pair(s)`)
      expect(evaluated.stderr).toMatch(/^hint: Resume the run with `cooperbench run`/m)
    } else {
      expect(evaluated.code, describeResult(evaluated)).toBe(0)
    }
    expect(finished.length).toBeGreaterThan(0)
    expect(evaluated.stdout).toContain(
      `${unfinished} pair(s) of the run are unfinished (no result.json): \`cooperbench run\` with the run's options resumes them`,
    )
  }, 240_000)

  // A selection with no pair to run (exit 3) is unit/command-refusals.test.ts's, in process; a closed
  // stdout under `dataset list` (exit 0, quiet) is startup.test.ts's, whose reader closes before any write.
})
