import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { expectPairsAsExpected } from './expected-verdicts.js'
import { DEMO_DATASET, describeResult, leftoverSandboxes, makeWorkdir, pairDirs, readJson, requireLocalBackend, runCli, startCli } from './helpers.js'

/**
 * Two runs on one machine must not touch each other: two oracle runs at `-c 8` side by side in
 * one shared temp folder, while a third process prunes sandboxes, give the verdicts of a lone
 * run: the oracle's, committed in dataset/expected/demo-verdicts.json (which eval/demo-dataset.test.ts
 * holds a lone run of every demo pair to). The cheapest form of the case: one task of the demo, its
 * 3 pairs.
 */
const PAIRS = ['-a', 'oracle', '--dataset-dir', DEMO_DATASET, '-s', 'demo', '-r', 'textkit_task', '-t', '7', '-c', '8']

/** Every pair of the run: its agents submitted (no sandbox failure), its verdict the committed one. */
async function expectLoneVerdicts(logs: string, run: string): Promise<void> {
  const dirs = await pairDirs(logs, run, 'coop')
  expect(dirs, `${run}: the 3 pairs of textkit_task 7`).toHaveLength(3)
  for (const dir of dirs) {
    const result = await readJson(join(dir, 'result.json'))
    for (const id of Object.keys(result.agents)) expect(result.agents[id].status, `${dir} ${id}`).toBe('Submitted')
  }
  expectPairsAsExpected(dirs, 'coop')
}

describe('two runs side by side and a prune', () => {
  it('give the verdicts of a lone run, with no sandbox failure and none left', async (ctx) => {
    requireLocalBackend(ctx)
    const w = await makeWorkdir('side-by-side')
    const a = startCli(['run', ...PAIRS, '-n', 'a'], w.options({ timeoutMs: 300_000 }))
    const b = startCli(['run', ...PAIRS, '-n', 'b'], w.options({ timeoutMs: 300_000 }))
    const prunes: number[] = []
    const running = () => a.child.exitCode === null || b.child.exitCode === null
    while (running()) {
      const prune = await runCli(['sandboxes', 'prune'], w.options({ timeoutMs: 60_000 }))
      prunes.push(prune.code ?? -1)
      await new Promise((r) => setTimeout(r, 500))
    }
    const [ra, rb] = await Promise.all([a.result, b.result])
    expect(ra.code, describeResult(ra)).toBe(0)
    expect(rb.code, describeResult(rb)).toBe(0)
    expect(prunes.length).toBeGreaterThan(0)
    expect(prunes.every((code) => code === 0)).toBe(true)
    await expectLoneVerdicts(w.logs, 'a')
    await expectLoneVerdicts(w.logs, 'b')
    expect(await leftoverSandboxes(w.sandboxRoot)).toEqual([])
  }, 600_000)
})
