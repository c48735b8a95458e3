import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  cleanUp,
  cli,
  containersWithLabel,
  engineAnswers,
  engineSkipReason,
  ensureBaseImage,
  imageOf,
  makeTaskFixture,
  newBackend,
  specFor,
  type TaskFixture,
  testRunName,
} from './fixture.js'

describe.skipIf(!engineAnswers)(`task images on a real engine (${engineAnswers ? 'docker answers' : engineSkipReason})`, () => {
  let dir: string
  /** A docker CLI that writes each command line to a log, then runs the real one. */
  let loggingCli: string
  const logged = async () => (await readFile(join(dir, 'cli.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean)
  const builds = async () => (await logged()).filter((line) => line.startsWith('build '))
  const fixtures: TaskFixture[] = []
  const fixture = async (repo: string) => {
    const made = await makeTaskFixture(repo)
    fixtures.push(made)
    return made
  }

  beforeAll(async () => {
    await ensureBaseImage()
    dir = await mkdtemp(join(tmpdir(), 'cooperbench-container-cli-images-'))
    loggingCli = join(dir, 'docker')
    await writeFile(loggingCli, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${join(dir, 'cli.log')}'\nexec docker "$@"\n`)
    await chmod(loggingCli, 0o755)
  }, 300_000)

  afterAll(async () => {
    await cleanUp(fixtures)
    await rm(dir, { recursive: true, force: true })
  }, 120_000)

  it('builds a missing image from the task folder once, even when asked twice at once, then finds it present', async () => {
    const { task } = await fixture('cli_images_task')
    const backend = newBackend({ binary: loggingCli })
    const image = backend.imageFor(task)
    expect(image).toBe(imageOf(task))
    expect(await backend.listImages([task])).toEqual([{ repo: task.repo, taskId: 1, image, present: false, sizeBytes: null, createdAt: null }])

    const [first, second] = await Promise.all([backend.prepareTasks([task], { concurrency: 1 }), backend.prepareTasks([task], { concurrency: 1 })])
    expect(first).toEqual([{ repo: task.repo, taskId: 1, image, action: 'built', durationMs: expect.any(Number), error: null }])
    expect(second?.[0]?.action).toBe('built')
    expect(await builds()).toEqual([
      `build --tag ${image} --label cooperbench.built-by=container-cli --label cooperbench.task=${task.repo}/1 --force-rm --file ${task.dir}/Dockerfile ${task.dir}`,
    ])

    const events: string[] = []
    const again = await backend.prepareTasks([task], {
      concurrency: 1,
      onProgress: (event) => events.push(`${event.phase} ${event.preparation?.action ?? ''}`.trim()),
    })
    expect(again[0]?.action).toBe('present')
    expect(events).toEqual(['start', 'done present'])
    expect(await builds()).toHaveLength(1)

    const [listed] = await backend.listImages([task])
    expect(listed).toMatchObject({ present: true, sizeBytes: expect.any(Number), createdAt: expect.any(String) })
    const labels = JSON.parse(await cli('image', 'inspect', image))[0].Config.Labels
    expect(labels).toMatchObject({ 'cooperbench.built-by': 'container-cli', 'cooperbench.task': `${task.repo}/1` })
    // Containers inherit image labels: a container someone else starts from it must not look like a sandbox of ours.
    expect(labels).not.toHaveProperty('cooperbench.backend')

    expect((await backend.prepareTasks([task], { concurrency: 1, force: true }))[0]?.action).toBe('built')
    expect(await builds()).toHaveLength(2)
    // Nothing here ever contacts a registry.
    expect((await logged()).filter((line) => line.startsWith('pull '))).toEqual([])
  })

  it('builds the image on demand when a sandbox is created from a task whose image is missing', async () => {
    const { task } = await fixture('cli_on_demand_task')
    const backend = newBackend()
    const sandbox = await backend.createSandbox(specFor(task, 'solo'))
    expect(await sandbox.exec('git log --format=%s')).toMatchObject({ exitCode: 0, stdout: 'base\n' })
    await sandbox.terminate()
    expect(await containersWithLabel(`cooperbench.run=${testRunName}`)).not.toContain(sandbox.id)
  })

  it('reports a failing build as a failed entry with its exit status and how to reproduce it', async () => {
    const { task } = await fixture('cli_broken_task')
    await writeFile(join(task.dir, 'Dockerfile'), 'FROM cooperbench-demo-base:latest\nRUN echo about to fail && exit 3\n')
    const backend = newBackend()
    const [preparation] = await backend.prepareTasks([task], { concurrency: 1 })
    expect(preparation).toMatchObject({
      repo: task.repo,
      taskId: 1,
      action: 'failed',
      error: expect.stringContaining(`building image ${imageOf(task)} from ${task.repo}/1/Dockerfile failed`),
    })
    expect(preparation?.error).toMatch(/non-zero code: 3|exit code: 3/)
    expect(preparation?.error).toContain(`Reproduce it with \`docker build --tag ${imageOf(task)} ${task.dir}\``)
    expect((await backend.listImages([task]))[0]?.present).toBe(false)
  })

  it('refuses a task without a Dockerfile whose image is missing, and says it does not pull', async () => {
    const { task } = await fixture('cli_no_dockerfile_task')
    await rm(join(task.dir, 'Dockerfile'))
    const backend = newBackend()
    expect(await backend.supportsTask(task)).toEqual({
      ok: false,
      reason: `task ${task.repo}/1 has no Dockerfile and its image ${imageOf(task)} does not exist`,
      hint: expect.stringContaining(`docker pull ${imageOf(task)}`),
    })
    const [preparation] = await backend.prepareTasks([task], { concurrency: 1 })
    expect(preparation?.action).toBe('failed')
    expect(preparation?.error).toContain('This backend does not pull')
  })
})
