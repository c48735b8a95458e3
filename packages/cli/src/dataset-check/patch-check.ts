import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { type Task, errorMessage } from '@cooperbench/spec'
import { isFile } from '@cooperbench/dataset'
import type { TaskProblem } from './task-problem.js'

const run = promisify(execFile)

/**
 * Whether each `feature.patch` and `tests.patch` applies alone to the base commit (`git apply --cached --check`, private index, bare
 * clone of `repo.bundle`): a gold patch that does not is the dataset's defect. Tasks without bundle or base commit are skipped (network).
 */
export async function checkPatchesApply(task: Task): Promise<TaskProblem[]> {
  const { bundlePath, baseCommit } = task.source
  if (bundlePath === null || baseCommit === null) return []
  const problems: TaskProblem[] = []
  const report = (feature: number | null, path: string, problem: string) =>
    problems.push({ repo: task.repo, taskId: task.taskId, feature, path, problem, severity: 'error' })
  const work = await mkdtemp(join(tmpdir(), 'cooperbench-patch-check-'))
  const env = { ...process.env, GIT_INDEX_FILE: join(work, 'index') }
  const git = (args: string[]) => run('git', ['-C', join(work, 'repo.git'), ...args], { env, maxBuffer: 16 << 20 })
  try {
    try {
      await run('git', ['clone', '--quiet', '--bare', bundlePath, join(work, 'repo.git')])
      await git(['read-tree', baseCommit])
    } catch (error) {
      report(null, bundlePath, `cannot check the patches: the base commit ${baseCommit} cannot be read from it (${firstLine(error)})`)
      return problems
    }
    for (const feature of task.features) {
      for (const name of ['feature.patch', 'tests.patch']) {
        const path = join(feature.dir, name)
        if (!(await isFile(path))) continue
        try {
          await git(['apply', '--cached', '--check', path])
        } catch (error) {
          report(feature.id, path, `does not apply to the base commit ${baseCommit.slice(0, 12)} (${firstLine(error)})`)
        }
      }
    }
    return problems
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

function firstLine(error: unknown) {
  const stderr = (error as { stderr?: unknown }).stderr
  const text = typeof stderr === 'string' && stderr.trim() !== '' ? stderr : errorMessage(error)
  return text.trim().split('\n')[0] ?? text
}
