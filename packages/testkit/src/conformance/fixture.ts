import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Task } from '@cooperbench/core'
import { loadDataset } from '@cooperbench/dataset'
import { createFixtureTask, defaultRunner, type FixtureTask } from '../fixture-task.js'

/** The task every backend conformance suite runs against, loaded as the harness loads tasks. */
export interface ConformanceFixture {
  /** The task as `loadDataset` returns it. */
  task: Task
  /** Where it was built; `cleanup` removes it. */
  fixture: FixtureTask
  baseCommit: string
  /** The gold `tests.patch` of feature 1: with it alone one test passes and one fails. */
  testsPatch: string
  /** The gold `feature.patch` of feature 1: with it both tests pass. */
  featurePatch: string
  cleanup(): Promise<void>
}

/** A fixture task as the harness loads it (`loadDataset`), for a sandbox of it. */
export async function loadFixtureTask(fixture: FixtureTask): Promise<Task> {
  const dataset = await loadDataset(fixture.datasetDir)
  const task = dataset.tasks.find((t) => t.repo === fixture.repo && t.taskId === fixture.taskId)
  if (!task) throw new Error(`loadDataset did not find ${fixture.repo}/task${fixture.taskId} in ${fixture.datasetDir}`)
  return task
}

/** Repo folder name of the conformance task. */
export const CONFORMANCE_TASK_REPO = 'conformance_task'

/**
 * A dependency-free test runner with pytest's summary line (`== 1 failed, 1 passed in 0.01s ==`),
 * so the harness' pytest parser reads its output and the sandbox needs nothing but python3.
 */
const RUN_TESTS_PY = `import importlib.util
import pathlib
import sys
import time

sys.path.insert(0, ".")
start = time.time()
passed = failed = 0
for path in sorted(pathlib.Path("tests").glob("test_*.py")):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in sorted(dir(module)):
        if name.startswith("test_") and callable(getattr(module, name)):
            try:
                getattr(module, name)()
                passed += 1
                print(f"{path}::{name} PASSED")
            except Exception as error:
                failed += 1
                print(f"{path}::{name} FAILED: {error!r}")
parts = ([f"{failed} failed"] if failed else []) + [f"{passed} passed"]
print(f"{'=' * 10} {', '.join(parts)} in {time.time() - start:.2f}s {'=' * 10}")
sys.exit(1 if failed or not passed else 0)
`

/**
 * Builds the conformance task with {@link createFixtureTask}: a tiny Python repository
 * (`calc.py`, a test of `add`), one feature adding `sub` with a hidden test of it, the default
 * runner running `python3 run_tests.py`, and a manifest naming bash, git and python3 as host
 * tools. Call `cleanup` when done.
 */
export async function createConformanceFixture(): Promise<ConformanceFixture> {
  const fixture = await createFixtureTask({
    repo: CONFORMANCE_TASK_REPO,
    taskId: 1,
    base: {
      'README.md': '# conformance fixture\n',
      'calc.py': 'def add(a, b):\n    return a + b\n',
      'run_tests.py': RUN_TESTS_PY,
      'tests/test_add.py': 'import calc\n\n\ndef test_add():\n    assert calc.add(2, 3) == 5\n',
    },
    features: [
      {
        spec: '**Title**: Add `sub`\n\nAdd `sub(a, b)` to `calc.py`, returning `a - b`.\n',
        source: { 'calc.py': 'def add(a, b):\n    return a + b\n\n\ndef sub(a, b):\n    return a - b\n' },
        tests: { 'tests/test_sub.py': 'import calc\n\n\ndef test_sub():\n    assert calc.sub(5, 3) == 2\n' },
      },
    ],
    runner: defaultRunner('python3 run_tests.py'),
    hostTools: ['bash', 'git', 'python3'],
  })
  try {
    const task = await loadFixtureTask(fixture)
    const feature = join(fixture.taskDir, 'feature1')
    return {
      task,
      fixture,
      baseCommit: fixture.baseCommit,
      testsPatch: await readFile(join(feature, 'tests.patch'), 'utf8'),
      featurePatch: await readFile(join(feature, 'feature.patch'), 'utf8'),
      cleanup: () => fixture.cleanup(),
    }
  } catch (error) {
    await fixture.cleanup()
    throw error
  }
}
