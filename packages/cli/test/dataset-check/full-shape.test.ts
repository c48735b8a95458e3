import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Dataset, loadDataset, parseFeatureList, selectPairs, loadSubset } from '@cooperbench/dataset'
import { datasetStats } from '../../src/dataset-check/index.js'
import type { Pair } from '@cooperbench/spec'
import { FULL_SHAPE, FULL_SHAPE_PER_REPO, fakeCommit, fakeUrl, tempDir, writeDataset, writeSubset } from '../../../dataset/test/fixture.js'

const labels = (pairs: Pair[]): string[] => pairs.map((p) => `${p.task.repo}/${p.task.taskId}/${p.features.join(',')}`)

/** Runs `fn`, returning what it threw (so a test can look at code, message and hint). */
function thrown(fn: () => unknown): { code?: string; message?: string; hint?: string } {
  try {
    fn()
  } catch (error) {
    return error as { code?: string; message?: string; hint?: string }
  }
  throw new Error('expected an error')
}

describe('a synthetic dataset of the full shape (docs/reference-compatibility.md#dataset)', () => {
  let root: string
  let cleanup: () => Promise<void>
  let dataset: Dataset

  beforeAll(async () => {
    ;({ dir: root, cleanup } = await tempDir('full-shape'))
    await writeDataset(root, FULL_SHAPE)
    // A non-repo folder and a stray file at the root must be ignored.
    await writeSubset(root, 'mini', {
      name: 'mini',
      tasks: [
        // File order deliberately differs from discovery order: discovery order must win for tasks.
        {
          repo: 'react_hook_form_task',
          task_id: 85,
          pairs: [
            [4, 5],
            [1, 2],
          ],
        },
        { repo: 'openai_tiktoken_task', task_id: 0 },
        { repo: 'react_hook_form_task', task_id: 153, pairs: [[1, 6]] },
      ],
    })
    dataset = await loadDataset(root)
  })
  afterAll(async () => cleanup())

  it('has 12 repos, 30 tasks, 199 features, 652 pairs and the per-repo table', () => {
    const stats = datasetStats(dataset, selectPairs(dataset, {}))
    expect([stats.repos, stats.tasks, stats.features, stats.pairs]).toEqual([12, 30, 199, 652])
    expect(stats.perRepo.map((r) => `${r.repo} ${r.tasks} ${r.features} ${r.pairs}`)).toEqual(FULL_SHAPE_PER_REPO)
    expect(datasetStats(dataset)).toEqual(stats) // without pairs: the whole dataset
  })

  it('orders task folders lexicographically by name: task153 before task85, task25 < task290 < task68', () => {
    const ids = (repo: string) => dataset.tasks.filter((t) => t.repo === repo).map((t) => t.taskId)
    expect(ids('react_hook_form_task')).toEqual([153, 85])
    expect(ids('pillow_task')).toEqual([25, 290, 68])
    expect(ids('llama_index_task')).toEqual([17070, 17244, 18813])
  })

  it('reads base commit and URL of every task', () => {
    for (const task of dataset.tasks) {
      expect(task.source).toEqual({ url: fakeUrl(task.repo), baseCommit: fakeCommit(task.repo, task.taskId), bundlePath: null })
    }
  })

  it('-t 0 selects task 0 only (fixed here; the reference selected all 652)', () => {
    const pairs = selectPairs(dataset, { task: 0 })
    expect(pairs).toHaveLength(45)
    expect(new Set(pairs.map((p) => p.task.repo))).toEqual(new Set(['openai_tiktoken_task']))
  })

  it('-f 1,2 selects that pair in every one of the 30 tasks', () => {
    const pairs = selectPairs(dataset, { features: parseFeatureList('2,1') })
    expect(pairs).toHaveLength(30)
    expect(pairs.every((p) => p.features.join() === '1,2')).toBe(true)
    const stats = datasetStats(dataset, pairs)
    expect([stats.repos, stats.tasks, stats.features, stats.featuresInPairs]).toEqual([12, 30, 199, 60])
  })

  it('-r pallets_click_task -t 2068 → 66 pairs', () => {
    expect(selectPairs(dataset, { repo: 'pallets_click_task', task: 2068 })).toHaveLength(66)
    expect(selectPairs(dataset, { repo: 'openai_tiktoken_task' })).toHaveLength(45)
  })

  it('-f with a feature no task in scope has is a FILTER_NO_MATCH listing what exists', () => {
    const error = thrown(() => selectPairs(dataset, { repo: 'go_chi_task', task: 26, features: [1, 12] }))
    expect(error.code).toBe('FILTER_NO_MATCH')
    expect(error.message).toContain('features 1 and 12')
    expect(error.hint).toContain('go_chi_task/26 has features 1–4')
  })

  it('-f needs exactly two distinct ids with --agents 2; three ids alone make a triple', () => {
    expect(thrown(() => selectPairs(dataset, { features: [1, 1] })).code).toBe('USAGE')
    expect(thrown(() => selectPairs(dataset, { features: [1, 2, 3], pairSize: 2 })).message).toMatch(/exactly two distinct feature ids, got 3/)
    expect(selectPairs(dataset, { features: [3, 2, 1], task: 0 }).map((p) => p.features)).toEqual([[1, 2, 3]])
    expect(selectPairs(dataset, { features: [3, 2, 1], pairSize: 3, task: 0 })).toHaveLength(1)
  })

  it('teams of three: every triple of each task, lexicographic; -f takes three ids; a subset chooses tasks, not pairs', async () => {
    const triples = selectPairs(dataset, { pairSize: 3 })
    const choose3 = (n: number): number => (n * (n - 1) * (n - 2)) / 6
    expect(triples).toHaveLength(dataset.tasks.reduce((sum, t) => sum + choose3(t.features.length), 0))
    const chi = triples.filter((p) => p.task.repo === 'go_chi_task' && p.task.taskId === 26).map((p) => p.features.join(','))
    expect(chi).toEqual(['1,2,3', '1,2,4', '1,3,4', '2,3,4'])
    const hint = thrown(() => selectPairs(dataset, { features: [1, 2, 3], pairSize: 2 })).hint
    expect(hint).toContain('--agents 3')
    expect(thrown(() => selectPairs(dataset, { features: [1, 2], pairSize: 3 })).message).toMatch(/exactly 3 distinct feature ids, got 2/)
    expect(thrown(() => selectPairs(dataset, { pairSize: 1 })).code).toBe('USAGE')
    // The subset's pair lists name pairs; with teams of three its tasks contribute every triple.
    const subset = await loadSubset(root, 'mini')
    const fromSubset = selectPairs(dataset, { subset, pairSize: 3 })
    expect(new Set(fromSubset.map((p) => `${p.task.repo}/${p.task.taskId}`))).toEqual(
      new Set(['openai_tiktoken_task/0', 'react_hook_form_task/85', 'react_hook_form_task/153']),
    )
    expect(fromSubset).toHaveLength(
      fromSubset.reduce((n, p, i, all) => (all.findIndex((q) => q.task === p.task) === i ? n + choose3(p.task.features.length) : n), 0),
    )
  })

  it('unknown repo → FILTER_NO_MATCH suggesting the close name', () => {
    const error = thrown(() => selectPairs(dataset, { repo: 'pallets_jinja' }))
    expect(error.code).toBe('FILTER_NO_MATCH')
    expect(error.message).toContain('"pallets_jinja"')
    expect(error.hint).toContain('Did you mean pallets_jinja_task?')
    expect(error.hint).toContain('typst_task')
  })

  it('unknown task → FILTER_NO_MATCH listing the task ids in scope', () => {
    const inRepo = thrown(() => selectPairs(dataset, { repo: 'pillow_task', task: 26 }))
    expect(inRepo.code).toBe('FILTER_NO_MATCH')
    expect(inRepo.message).toBe('no task 26 in pillow_task')
    expect(inRepo.hint).toContain('25, 290, 68')
    const anywhere = thrown(() => selectPairs(dataset, { task: 12345 }))
    expect(anywhere.hint).toContain('react_hook_form_task: 153, 85')
  })

  describe('subsets', () => {
    it('keeps discovery order for tasks, file order for pairs; a task without pairs gets all of them', async () => {
      const subset = await loadSubset(root, 'mini')
      const pairs = labels(selectPairs(dataset, { subset }))
      expect(pairs).toHaveLength(45 + 1 + 2)
      expect(pairs.slice(0, 2)).toEqual(['openai_tiktoken_task/0/1,2', 'openai_tiktoken_task/0/1,3'])
      expect(pairs.slice(-3)).toEqual(['react_hook_form_task/153/1,6', 'react_hook_form_task/85/4,5', 'react_hook_form_task/85/1,2'])
    })

    it('-f takes precedence over subset pairs but stays within the subset tasks', async () => {
      const subset = await loadSubset(root, 'mini')
      expect(labels(selectPairs(dataset, { subset, features: [2, 3] }))).toEqual([
        'openai_tiktoken_task/0/2,3',
        'react_hook_form_task/153/2,3',
        'react_hook_form_task/85/2,3',
      ])
    })

    it('drops a pair naming a missing feature, with a warning', async () => {
      await writeSubset(root, 'stale', {
        tasks: [
          {
            repo: 'go_chi_task',
            task_id: 26,
            pairs: [
              [1, 2],
              [3, 9],
              [2, 4],
            ],
          },
        ],
      })
      const warnings: string[] = []
      const pairs = selectPairs(dataset, { subset: await loadSubset(root, 'stale') }, (m) => warnings.push(m))
      expect(labels(pairs)).toEqual(['go_chi_task/26/1,2', 'go_chi_task/26/2,4'])
      expect(warnings).toEqual([expect.stringMatching(/go_chi_task\/26 pair \[3,9\] names feature 9, which the task lacks \(it has features 1–4\)/)])
    })

    it('warns about subset tasks the dataset lacks and skips them', async () => {
      await writeSubset(root, 'wider', {
        tasks: [
          { repo: 'go_chi_task', task_id: 26 },
          { repo: 'go_chi_task', task_id: 999 },
          { repo: 'rust_task', task_id: 1 },
        ],
      })
      const warnings: string[] = []
      const pairs = selectPairs(dataset, { subset: await loadSubset(root, 'wider') }, (m) => warnings.push(m))
      expect(pairs).toHaveLength(6)
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain('names 2 tasks')
      expect(warnings[0]).toContain('go_chi_task/999, rust_task/1')
    })

    it('missing subset → SUBSET_NOT_FOUND naming the path and the subsets that exist', async () => {
      await expect(loadSubset(root, 'lite')).rejects.toMatchObject({
        code: 'SUBSET_NOT_FOUND',
        message: expect.stringContaining(`${root}/subsets/lite.json`),
        hint: expect.stringMatching(/Available subsets: .*mini/),
      })
    })

    it('malformed subset JSON → SUBSET_INVALID naming the file', async () => {
      const path = await writeSubset(root, 'broken', '{"tasks": [')
      await expect(loadSubset(root, 'broken')).rejects.toMatchObject({
        code: 'SUBSET_INVALID',
        message: expect.stringMatching(new RegExp(`^${path}.* is not valid JSON`)),
      })
    })
  })
})
