/**
 * The default evaluator, unchanged, on Docker: a demo coop pair with the gold patches goes
 * through per-agent branches, the merge and each feature's runner.sh inside a task container
 * built from the dataset's Dockerfile. Merge statuses are checked against plain git.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDefaultEvaluator } from '@cooperbench/evaluator-default'
import { type EvalRecord, SANDBOX_LABELS, type Task } from '@cooperbench/spec'
import { loadDataset } from '@cooperbench/dataset'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DockerBackend } from '../src/docker-backend.js'
import {
  TEST_LABEL,
  closeBackends,
  containersWithLabel,
  engineAnswers,
  engineSkipReason,
  ensureBaseImage,
  newBackend,
  removeTestLeftovers,
  repoRoot,
  testRunName,
} from './fixture.js'

const gitEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
}

/** Whether plain git conflicts when merging the two gold patches, each committed on its own branch from the base. */
async function plainGitConflicts(task: Task, patch1: string, patch2: string): Promise<boolean> {
  const dir = await mkdtemp(join(tmpdir(), 'cb-docker-git-'))
  const git = (args: string[], input?: string) => execFileSync('git', args, { cwd: join(dir, 'repo'), env: gitEnv, input, stdio: ['pipe', 'pipe', 'pipe'] })
  try {
    execFileSync('git', ['clone', '-q', task.source.bundlePath!, join(dir, 'repo')], { env: gitEnv })
    git(['checkout', '-q', '-b', 'one', task.source.baseCommit!])
    git(['apply', '-'], patch1)
    git(['commit', '-qam', 'one'])
    git(['checkout', '-q', '-b', 'two', task.source.baseCommit!])
    git(['apply', '-'], patch2)
    git(['add', '-A'])
    git(['commit', '-qm', 'two'])
    try {
      git(['merge', '--no-commit', '--no-ff', 'one'])
      return false
    } catch {
      return true
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

describe.skipIf(!engineAnswers)(`the default evaluator on docker (${engineAnswers ? 'engine answers' : engineSkipReason})`, () => {
  let backend: DockerBackend
  let task: Task

  beforeAll(async () => {
    await ensureBaseImage()
    const dataset = await loadDataset(join(repoRoot, 'dataset'))
    task = dataset.tasks.find((t) => t.repo === 'textkit_task' && t.taskId === 12)!
    backend = newBackend()
  }, 300_000)

  afterAll(async () => {
    await closeBackends()
    await removeTestLeftovers()
  }, 120_000)

  const evaluate = async (features: [number, number]): Promise<{ record: EvalRecord; gitConflicts: boolean; ms: number }> => {
    const gold = (id: number) => readFile(join(task.dir, `feature${id}`, 'feature.patch'), 'utf8')
    const [agent1, agent2] = [await gold(features[0]), await gold(features[1])]
    const started = Date.now()
    const record = await createDefaultEvaluator().evaluate({
      task,
      features,
      setting: 'coop',
      patches: { rule: 'merge', agents: [agent1, agent2] },
      testTimeoutMs: 600_000,
      // The union fallback below is 0.0.14's.
      policy: 'cooperbench-0.0.14',
      createSandbox: () =>
        backend.createSandbox({
          task,
          image: backend.imageFor(task),
          role: 'eval',
          labels: {
            [SANDBOX_LABELS.run]: testRunName,
            [SANDBOX_LABELS.pair]: `${task.repo}/${task.taskId}/${features.join(',')}`,
            [TEST_LABEL]: testRunName,
          },
        }),
    })
    return { record, gitConflicts: await plainGitConflicts(task, agent1, agent2), ms: Date.now() - started }
  }

  it('passes both features of a clean gold pair, as plain git and the tests say', async () => {
    // The first evaluation also builds the task image from dataset/textkit_task/task12/Dockerfile.
    await backend.prepareTasks([task], { concurrency: 1 })
    const { record, gitConflicts, ms } = await evaluate([1, 2])
    console.log(`docker evaluation of textkit_task/12 f1,f2: ${ms} ms (${JSON.stringify(record.timings)})`)
    expect(record.error).toBeNull()
    expect(record.apply_status).toEqual({ agent1: 'applied', agent2: 'applied' })
    expect(gitConflicts).toBe(false)
    expect(record.merge).toMatchObject({ status: 'clean', strategy: 'naive' })
    expect(record.feature1).toMatchObject({ feature_id: 1, passed: true, exit_code: 0, tests_failed: 0 })
    expect(record.feature2).toMatchObject({ feature_id: 2, passed: true, exit_code: 0, tests_failed: 0 })
    expect(record.feature1.tests_passed).toBeGreaterThan(0)
    expect(record.both_passed).toBe(true)
    expect(record.base_commit).toBe(task.source.baseCommit)
    // The evaluator terminated its sandbox.
    expect(await containersWithLabel(`${SANDBOX_LABELS.pair}=textkit_task/12/1,2`)).toEqual([])
  }, 300_000)

  it('falls back to the union merge for a conflicting gold pair, as plain git conflicts', async () => {
    const { record, gitConflicts } = await evaluate([1, 4])
    expect(record.error).toBeNull()
    expect(gitConflicts).toBe(true)
    expect(record.apply_status).toEqual({ agent1: 'applied', agent2: 'applied' })
    expect(record.merge).toMatchObject({ status: 'conflicts', strategy: 'union' })
  }, 300_000)
})
