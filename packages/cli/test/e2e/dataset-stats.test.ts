import { describe, expect, it } from 'vitest'
import { FULL_SHAPE, FULL_SHAPE_PER_REPO, writeDataset, writeSubset } from '../../../dataset/test/fixture.js'
import { requireSampleDataset, SAMPLE_DATASET, describeResult, makeWorkdir, runCli, runCliInProcess, tempDir } from './helpers.js'

interface Stats {
  repos: number
  tasks: number
  features: number
  pairs: number
  perRepo: Array<{ repo: string; tasks: number; features: number; pairs: number }>
}

/**
 * `dataset stats --json` in the test's own process: the counts are the command's work, not a
 * process's. The human output below comes from a real CLI process.
 */
async function stats(args: string[]): Promise<Stats> {
  const w = await makeWorkdir('stats')
  const r = await runCliInProcess(['dataset', 'stats', '--json', ...args], w.options())
  expect(r.code, describeResult(r)).toBe(0)
  return JSON.parse(r.stdout) as Stats
}

const counts = (s: Stats) => [s.repos, s.tasks, s.features, s.pairs]

describe('cooperbench dataset stats', () => {
  it('the reference sample: 3 repos, 3 tasks, 19 features, 61 pairs (45 + 6 + 10)', async (ctx) => {
    requireSampleDataset(ctx)
    const s = await stats(['--dataset-dir', SAMPLE_DATASET])
    expect(counts(s)).toEqual([3, 3, 19, 61])
    expect(s.perRepo.map((r) => [r.repo, r.pairs])).toEqual([
      ['go_chi_task', 6],
      ['pallets_jinja_task', 45],
      ['react_hook_form_task', 10],
    ])
  })

  it('a synthetic dataset of the full shape: 12 repos, 30 tasks, 199 features, 652 pairs; with -s, the subset’s counts', async () => {
    const root = await tempDir('full-shape')
    await writeDataset(root, FULL_SHAPE)
    // Shaped like subsets/lite.json: informational keys, tasks in (repo, id) order, some without pairs.
    await writeSubset(root, 'lite', {
      name: 'lite',
      description: 'a few pairs of the full shape',
      stats: { tasks: 4, pairs: 11, repos: 3 },
      tasks: [
        {
          repo: 'dspy_task',
          task_id: 8394,
          pairs: [
            [1, 2],
            [3, 5],
          ],
        },
        { repo: 'go_chi_task', task_id: 26 },
        { repo: 'react_hook_form_task', task_id: 85, pairs: [[4, 5]] },
        {
          repo: 'react_hook_form_task',
          task_id: 153,
          pairs: [
            [1, 6],
            [2, 3],
          ],
        },
      ],
    })

    const whole = await stats(['--dataset-dir', root])
    expect(counts(whole)).toEqual([12, 30, 199, 652])
    expect(whole.perRepo.map((r) => `${r.repo} ${r.tasks} ${r.features} ${r.pairs}`)).toEqual(FULL_SHAPE_PER_REPO)

    // dspy 8394 (5 features, 2 pairs) + chi 26 (4 features, all 6 pairs) + rhf 85 (5, 1) + rhf 153 (6, 2).
    const subset = await stats(['--dataset-dir', root, '-s', 'lite'])
    expect(counts(subset)).toEqual([3, 4, 20, 11])
    expect(subset.perRepo.map((r) => `${r.repo} ${r.tasks} ${r.pairs}`)).toEqual(['dspy_task 1 2', 'go_chi_task 1 6', 'react_hook_form_task 2 3'])

    // -t 0 is task 0 only (fixed here), and the human output states the same totals.
    expect(counts(await stats(['--dataset-dir', root, '-t', '0']))).toEqual([1, 1, 10, 45])
    const w = await makeWorkdir('stats-text')
    const text = await runCli(['dataset', 'stats', '--dataset-dir', root], w.options())
    expect(text.code, describeResult(text)).toBe(0)
    expect(text.stdout).toContain('12 repos, 30 tasks, 199 features, 652 pairs')
  })
})
