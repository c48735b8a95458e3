import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Task } from '@cooperbench/spec'
import { loadDataset } from '@cooperbench/dataset'
import { createFixtureTask, defaultRunner } from '@cooperbench/testkit'

/** A two-file Python repository and one feature: add `goodbye` to greet.py. */
export interface GreetingsTask {
  task: Task
  baseCommit: string
  /** feature1/feature.md */
  spec: string
  /** The gold diff of the feature (a correct answer of the model). */
  goldPatch: string
  cleanup(): Promise<void>
}

export const GREET_PY = 'def hello(name):\n    return f"Hello, {name}!"\n'

export async function createGreetingsTask(): Promise<GreetingsTask> {
  const spec = '**Title**: Add `goodbye`\n\nAdd `goodbye(name)` to `greet.py`, returning `"Goodbye, <name>!"`.\n'
  const fixture = await createFixtureTask({
    repo: 'greetings_task',
    base: {
      'README.md': '# greetings\n',
      'greet.py': GREET_PY,
      'util/strings.py': 'def shout(text):\n    return text.upper()\n',
      'assets/logo.png': '\u0089PNG\u0000not really\n',
    },
    features: [
      {
        spec,
        source: { 'greet.py': `${GREET_PY}\n\ndef goodbye(name):\n    return f"Goodbye, {name}!"\n` },
        tests: { 'tests/test_goodbye.py': 'from greet import goodbye\n\n\ndef test_goodbye():\n    assert goodbye("Ada") == "Goodbye, Ada!"\n' },
      },
    ],
    runner: defaultRunner('python3 -m pytest -q'),
    hostTools: ['bash', 'git', 'python3'],
  })
  try {
    const task = (await loadDataset(fixture.datasetDir)).tasks.find((t) => t.repo === fixture.repo)
    if (!task) throw new Error(`loadDataset did not find ${fixture.repo}`)
    const goldPatch = await readFile(join(fixture.taskDir, 'feature1', 'feature.patch'), 'utf8')
    return { task, baseCommit: fixture.baseCommit, spec, goldPatch, cleanup: fixture.cleanup }
  } catch (error) {
    await fixture.cleanup()
    throw error
  }
}
