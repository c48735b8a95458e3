/** "No leaked answers" on Modal: a sandbox of a pushed task image holds the base commit and its ancestors only. */
import { addLaterHistory, type LaterObjects } from '@cooperbench/testkit'
import type { Task } from '@cooperbench/spec'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureTaskImage, makeTaskFixture, modalOverStandin, skipReason, specFor } from './fixture.js'

describe.skipIf(skipReason)(`backend "modal" through the stand-in: no later history${skipReason ? ` (${skipReason})` : ''}`, () => {
  let task: Task
  let baseCommit: string
  let later: LaterObjects
  let cleanup: () => Promise<void>

  beforeAll(async () => {
    const made = await makeTaskFixture('modal_leak_task')
    ;({ task } = made)
    baseCommit = made.fixture.baseCommit
    cleanup = made.fixture.cleanup
    later = await addLaterHistory(join(task.dir, 'repo.bundle'), baseCommit)
    await ensureTaskImage(task)
  }, 300_000)
  afterAll(() => cleanup?.())

  it('reads none of the later commits, tags, remote refs, branches or stash by any git command; the base stays', async () => {
    const { backend } = modalOverStandin()
    try {
      const sandbox = await backend.createSandbox(specFor(task))
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
