import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, onTestFinished } from 'vitest'
import { loadDataset, selectPairs } from '@cooperbench/dataset'
// The CLI's `dataset validate` checks, on the fixture task.
import { validateDataset } from '../../cli/src/dataset-check/index.js'
import { createFixtureTask, type FixtureTask } from '../src/index.js'

describe('createFixtureTask', () => {
  let task: FixtureTask
  afterAll(() => task?.cleanup())

  it('builds a task core loads and validates, with patches that apply to the bundled base', async () => {
    task = await createFixtureTask({
      repo: 'tiny_task',
      taskId: 3,
      base: { 'calc.py': 'def add(a, b):\n    return a + b\n' },
      features: [
        {
          spec: '**Title**: sub',
          source: { 'calc.py': 'def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n' },
          tests: { 'tests/test_sub.py': 'assert True\n' },
        },
        { spec: '**Title**: mul', source: { 'ops/mul.py': 'def mul(a, b):\n    return a * b\n' }, tests: { 'tests/test_mul.py': 'assert True\n' } },
      ],
      hostTools: ['bash', 'git', 'python3'],
    })
    const dataset = await loadDataset(task.datasetDir)
    expect(dataset.tasks.map((t) => [t.repo, t.taskId, t.source.baseCommit, t.manifest?.local?.hostTools])).toEqual([
      ['tiny_task', 3, task.baseCommit, ['bash', 'git', 'python3']],
    ])
    expect(selectPairs(dataset).map((p) => p.features)).toEqual([[1, 2]])
    expect((await validateDataset(dataset)).filter((p) => p.severity === 'error')).toEqual([])

    const clone = mkdtempSync(join(tmpdir(), 'fixture-clone-'))
    onTestFinished(() => rmSync(clone, { recursive: true, force: true }))
    execFileSync('git', ['clone', '-q', join(task.taskDir, 'repo.bundle'), clone])
    execFileSync('git', ['checkout', '-q', task.baseCommit], { cwd: clone })
    for (const name of ['feature1/feature.patch', 'feature1/tests.patch', 'feature2/feature.patch']) {
      execFileSync('git', ['apply', join(task.taskDir, name)], { cwd: clone })
    }
    expect(readFileSync(join(clone, 'ops/mul.py'), 'utf8')).toContain('def mul')
  })
})
