/** "No leaked answers" on GCP: a sandbox of a pulled task image holds the base commit and its ancestors only. */
import { addLaterHistory, type LaterObjects } from '@cooperbench/testkit'
import { SANDBOX_LABELS, type Task } from '@cooperbench/spec'
import { type FakeCompute, startFakeCompute } from '@cooperbench/standins/gcp'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backendOnStandin, ensureTaskImage, imageOf, makeTaskFixture, skipReason } from './fixture.js'

describe.skipIf(skipReason)(`backend "gcp" through the Compute stand-in: no later history${skipReason ? ` (${skipReason})` : ''}`, () => {
  let task: Task
  let baseCommit: string
  let later: LaterObjects
  let fake: FakeCompute
  let cleanup: () => Promise<void>

  beforeAll(async () => {
    const made = await makeTaskFixture('gcp_leak_task')
    ;({ task } = made)
    baseCommit = made.fixture.baseCommit
    cleanup = made.fixture.cleanup
    later = await addLaterHistory(join(task.dir, 'repo.bundle'), baseCommit)
    await ensureTaskImage(task)
    fake = await startFakeCompute()
  }, 600_000)
  afterAll(async () => {
    await fake?.close()
    await cleanup?.()
  })

  it('reads none of the later commits, tags, remote refs, branches or stash by any git command; the base stays', async () => {
    const backend = backendOnStandin(fake, { sshReadyTimeoutMs: 30_000 })
    try {
      const sandbox = await backend.createSandbox({ task, image: imageOf(task), role: 'agent1', labels: { [SANDBOX_LABELS.run]: 'gcp-leak' } })
      for (const [kind, object] of Object.entries(later)) {
        expect((await sandbox.exec(['git', 'cat-file', '-e', object])).exitCode, `${kind} ${object}`).not.toBe(0)
      }
      const refs = await sandbox.exec(
        'git for-each-ref; git stash list; git reflog --all; git remote; git log --all --format=%H; ls .git/logs 2>/dev/null; true',
      )
      expect(refs.stdout).toBe(`${baseCommit}\n`)
      expect((await sandbox.exec('git log --all -p | grep -c ANSWER; true')).stdout.trim()).toBe('0')
      await sandbox.terminate()
    } finally {
      await backend.close()
    }
  }, 300_000)
})
