/**
 * A run refuses, before any agent starts, pairs whose task folder lacks what the run needs: each
 * feature's spec, and when it evaluates, each feature's hidden tests and the task's runner.sh. The
 * CLI's exit on such a refusal (3, the dataset's, nothing run) is e2e/dataset-defects.test.ts's.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Pair } from '@cooperbench/spec'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ensurePairInputs } from '../../src/runner/pair-inputs.js'

let folder: string
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'cooperbench-pair-inputs-'))
})
afterEach(async () => {
  await rm(folder, { recursive: true, force: true })
})

/** Task 7 with features 1 and 2, each with its spec and tests, and a runner.sh. */
async function pairOfTask(): Promise<Pair> {
  const dir = join(folder, 'textkit_task', 'task7')
  for (const id of [1, 2]) {
    await mkdir(join(dir, `feature${id}`), { recursive: true })
    await writeFile(join(dir, `feature${id}`, 'feature.md'), `# Feature ${id}\n`)
    await writeFile(join(dir, `feature${id}`, 'tests.patch'), 'diff --git a/t b/t\n')
  }
  await writeFile(join(dir, 'runner.sh'), '#!/bin/sh\n')
  const features = [1, 2].map((id) => ({ id, dir: join(dir, `feature${id}`) }))
  const task = { repo: 'textkit_task', taskId: 7, dir, features, source: { url: null, bundlePath: null, baseCommit: null }, manifest: null }
  return { task, features: [1, 2] }
}

describe('the inputs of a pair, checked before any agent starts', () => {
  it('a complete task passes, evaluated or not', async () => {
    const pair = await pairOfTask()
    await expect(ensurePairInputs([pair], true)).resolves.toBeUndefined()
    await expect(ensurePairInputs([pair], false)).resolves.toBeUndefined()
  })

  it("a missing tests.patch is the dataset's error naming the file when the run evaluates; a run without evaluation needs none", async () => {
    const pair = await pairOfTask()
    const missing = join(pair.task.dir, 'feature2', 'tests.patch')
    await rm(missing)
    await expect(ensurePairInputs([pair], true), 'refused, naming the file').rejects.toMatchObject({
      code: 'DATASET_INVALID',
      message: `1 required dataset file(s) missing, e.g. ${missing}`,
      hint: expect.stringContaining('`cooperbench dataset validate` lists every problem'),
    })
    await expect(ensurePairInputs([pair], false), 'without evaluation the hidden tests are not needed').resolves.toBeUndefined()
  })
})
