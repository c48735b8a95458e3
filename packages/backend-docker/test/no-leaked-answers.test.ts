/**
 * "No leaked answers": a task image made by `git clone <upstream> && git checkout <base>` still holds
 * the later history; a sandbox must start from an image whose repository holds the base commit and
 * its ancestors only, built once per image and reused.
 */
import { addLaterHistory, type LaterObjects } from '@cooperbench/testkit'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  closeBackends,
  dockerCli,
  type DockerTaskFixture,
  engineAnswers,
  engineSkipReason,
  ensureBaseImage,
  makeTaskFixture,
  newBackend,
  removeTestLeftovers,
  specFor,
  testImageSuffix,
} from './fixture.js'

describe.skipIf(!engineAnswers)(`docker sandboxes hold no later history (${engineAnswers ? 'engine answers' : engineSkipReason})`, () => {
  let fixture: DockerTaskFixture
  let later: LaterObjects

  beforeAll(async () => {
    await ensureBaseImage()
    fixture = await makeTaskFixture('leak_task')
    later = await addLaterHistory(join(fixture.task.dir, 'repo.bundle'), fixture.fixture.baseCommit)
  }, 300_000)
  afterEach(() => closeBackends())
  afterAll(async () => {
    await removeTestLeftovers()
    await fixture?.fixture.cleanup()
  }, 120_000)

  it('the task image carries the later commits; a sandbox of it reads none of them, by any git command, and still has the base', async () => {
    const backend = newBackend()
    const spec = specFor(backend, fixture.task)
    const sandbox = await backend.createSandbox(spec)
    // The image the Dockerfile made leaks (what upstream found in 0.0.23): the clone's branches and tags.
    const raw = await dockerCli('run', '--rm', '--entrypoint', 'git', '-w', '/workspace/repo', spec.image, 'log', '--all', '--format=%H')
    expect(raw).toContain(later.tip)
    expect(raw).toContain(later.tag)
    for (const [kind, object] of Object.entries(later)) {
      expect((await sandbox.exec(['git', 'cat-file', '-e', object])).exitCode, `${kind} ${object}`).not.toBe(0)
    }
    const all = await sandbox.exec(['git', 'cat-file', '--batch-all-objects', '--batch-check=%(objectname)'])
    expect(all.exitCode).toBe(0)
    for (const object of Object.values(later)) expect(all.stdout).not.toContain(object)
    const refs = await sandbox.exec('git for-each-ref; git stash list; git reflog --all; git remote; git log --all --format=%H; ls .git/logs 2>/dev/null; true')
    expect(refs.stdout).toBe(`${fixture.fixture.baseCommit}\n`)
    expect((await sandbox.exec('git log --all -p | grep -c ANSWER; true')).stdout.trim()).toBe('0')
    expect((await sandbox.exec(['git', 'show', '--format=%s', '-s', 'HEAD'])).stdout).toBe('base\n')
    await sandbox.terminate()

    // Built once: a second backend (another process, in effect) starts from the same cleaned image.
    // Only this test's images count (other files build and remove theirs meanwhile), in name order.
    const images = async () =>
      (await dockerCli('images', '--format', '{{.Repository}}:{{.Tag}}'))
        .split('\n')
        .filter((name) => name.includes('-clean-') && name.includes(testImageSuffix))
        .sort()
    const before = await images()
    expect(before).toHaveLength(1)
    const again = newBackend()
    await (await again.createSandbox(specFor(again, fixture.task, 'agent2'))).terminate()
    expect(await images()).toEqual(before)
  }, 300_000)
})
