import { mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDataset, selectPairs } from '@cooperbench/dataset'
import { type TaskProblem, validateDataset } from '../../src/dataset-check/index.js'
import { fakeCommit, tempDir, writeFeature, writeSubset, writeTask } from '../../../dataset/test/fixture.js'

/** `repo/task/feature severity: file — problem`, shortened for readable expectations. */
function brief(root: string, problem: TaskProblem): string {
  const where = [problem.repo ?? '-', problem.taskId ?? '-', problem.feature ?? '-'].join('/')
  return `${where} ${problem.severity}: ${problem.path.slice(root.length + 1)} — ${problem.problem}`
}

describe('validateDataset on a dataset with several broken tasks', () => {
  let root: string
  let cleanup: () => Promise<void>
  let problems: string[]

  beforeAll(async () => {
    ;({ dir: root, cleanup } = await tempDir('validate'))
    await writeTask(root, 'alpha_task', 1, 3) // healthy
    const noTests = await writeTask(root, 'alpha_task', 2, 3)
    await rm(join(noTests, 'feature2', 'tests.patch'))
    await writeFile(join(noTests, 'feature3', 'tests.patch'), ' \n\n')
    const badText = await writeTask(root, 'beta_task', 7, 2)
    await writeFile(join(badText, 'feature1', 'feature.md'), '  \n')
    await writeFile(join(badText, 'feature2', 'feature.patch'), '--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n')
    await writeFile(join(badText, 'setup.sh'), `BASE_COMMIT="${fakeCommit('other', 1)}"\n`)
    await rm(join(badText, 'runner.sh'))
    await writeFile(join(badText, 'cooperbench.json'), '{"local": {"hostTools": "bash"}}')
    const lonely = await writeTask(root, 'beta_task', 8, 1)
    await writeFeature(lonely, 3) // ids 1, 3: a gap
    await rm(join(lonely, 'Dockerfile'))
    await writeFile(join(lonely, 'setup.sh'), '#!/bin/bash\necho no pin here\n')
    await writeSubset(root, 'good', { tasks: [{ repo: 'alpha_task', task_id: 1, pairs: [[1, 3]] }] })
    await writeSubset(root, 'stale', {
      tasks: [
        { repo: 'alpha_task', task_id: 1, pairs: [[1, 4]] },
        { repo: 'gamma_task', task_id: 5 },
      ],
    })
    await writeSubset(root, 'torn', '{"tasks": [1')
    // tolerant: the malformed cooperbench.json must not stop the load.
    const dataset = await loadDataset(root, { tolerant: true })
    problems = (await validateDataset(dataset)).map((p) => brief(root, p))
  })
  afterAll(async () => cleanup())

  it('strict loading refuses the malformed manifest, naming it', async () => {
    await expect(loadDataset(root)).rejects.toMatchObject({
      code: 'DATASET_INVALID',
      message: expect.stringContaining(join('beta_task', 'task7', 'cooperbench.json')),
    })
  })

  it('reports every problem of every task, in discovery order, and nothing for healthy ones', () => {
    expect(problems).toEqual([
      'alpha_task/2/2 error: alpha_task/task2/feature2/tests.patch — is missing (the hidden tests of feature 2)',
      'alpha_task/2/3 error: alpha_task/task2/feature3/tests.patch — is empty (the hidden tests of feature 3)',
      `beta_task/7/- error: beta_task/task7/setup.sh — BASE_COMMIT ${fakeCommit('other', 1)} disagrees with the Dockerfile's checkout ${fakeCommit('beta_task', 7)}; patches are relative to the Dockerfile's`,
      'beta_task/7/- error: beta_task/task7/runner.sh — is missing; the evaluator runs the tests through it',
      expect.stringMatching(/^beta_task\/7\/- error: beta_task\/task7\/cooperbench\.json — .*"local\.hostTools" must be an array/),
      'beta_task/7/1 error: beta_task/task7/feature1/feature.md — is empty',
      'beta_task/7/2 error: beta_task/task7/feature2/feature.patch — is not a git-style diff (no "diff --git a/… b/…" header)',
      'beta_task/8/- warning: beta_task/task8 — feature ids are 1, 3; expected 1 to 2 without gaps',
      'beta_task/8/- error: beta_task/task8/setup.sh — no base commit: setup.sh pins no 40-hex commit (git checkout <sha> / BASE_COMMIT="<sha>")',
      'beta_task/8/- error: beta_task/task8 — no repository source: no git clone URL in Dockerfile or setup.sh, and no repo.bundle',
      'alpha_task/1/4 error: subsets/stale.json — tasks[0].pairs[0] names feature 4, which alpha_task/1 lacks',
      'gamma_task/5/- error: subsets/stale.json — tasks[1] names gamma_task/5, which is not in the dataset',
      // The file is named once, as the problem's path (`dataset validate` printed it twice).
      expect.stringMatching(/^-\/-\/- error: subsets\/torn\.json — is not valid JSON \(/),
    ])
  })

  it('reports a task with fewer than two features, which pair enumeration skips', async () => {
    const { dir, cleanup: done } = await tempDir('validate-one')
    try {
      await writeTask(dir, 'solo_task', 3, 1)
      await writeTask(dir, 'solo_task', 4, 2)
      const dataset = await loadDataset(dir)
      expect(dataset.tasks.map((t) => t.taskId)).toEqual([3, 4])
      expect(selectPairs(dataset, {}).map((p) => p.task.taskId)).toEqual([4])
      expect((await validateDataset(dataset)).map((p) => brief(dir, p))).toEqual([
        'solo_task/3/- error: solo_task/task3 — has feature 1 only; a task needs at least two features to form a pair, so it is skipped',
      ])
    } finally {
      await done()
    }
  })
})

describe('loadDataset errors', () => {
  it('a missing folder is DATASET_NOT_FOUND with a hint about --dataset-dir', async () => {
    await expect(loadDataset('/nonexistent/cooperbench-dataset')).rejects.toMatchObject({
      code: 'DATASET_NOT_FOUND',
      message: expect.stringContaining('/nonexistent/cooperbench-dataset does not exist'),
      hint: expect.stringMatching(/--dataset-dir.*`cooperbench dataset download` fetches the public CooperBench dataset/),
    })
  })

  it('a folder without *_task folders is DATASET_INVALID (e.g. pointed at a task folder)', async () => {
    const { dir, cleanup } = await tempDir('empty')
    try {
      await mkdir(join(dir, 'subsets'))
      await expect(loadDataset(dir)).rejects.toMatchObject({ code: 'DATASET_INVALID', message: expect.stringContaining('no repo folders') })
    } finally {
      await cleanup()
    }
  })
})
