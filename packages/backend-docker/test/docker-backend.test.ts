import { spawnSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Logger, SANDBOX_LABELS } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { LOGIN_PATH_HOOK_FILE } from '@cooperbench/backend-kit'
import { PluginRegistry, applyPlugin } from '@cooperbench/core'
import { cooperbenchRejection } from '@cooperbench/testkit'
import Docker from 'dockerode'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DockerBackend } from '../src/docker-backend.js'
import plugin from '../src/register.js'
import {
  BASE_IMAGE,
  TEST_LABEL,
  closeBackends,
  containersWithLabel,
  dockerCli,
  type DockerTaskFixture,
  engineAnswers,
  engineSkipReason,
  ensureBaseImage,
  makeTaskFixture,
  newBackend,
  removeTestLeftovers,
  specFor,
  testBackendSettings,
  testImageOf,
  testImageSuffix,
  testRunName,
} from './fixture.js'
import { cleanedImagesOf } from './cleaned-images.js'

/** A logger that remembers what it was told. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    debug: (m) => lines.push(`debug: ${m}`),
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  }
}

/** A real client whose pulls, builds and container starts are counted (starts: how many overlap). */
function countingClient(createDelayMs = 0) {
  const docker = new Docker()
  const counts = { pull: 0, build: 0, create: 0, activeStarts: 0, maxActiveStarts: 0 }
  const pull = docker.pull.bind(docker)
  docker.pull = ((...args: Parameters<Docker['pull']>) => {
    counts.pull++
    return pull(...args)
  }) as Docker['pull']
  const buildImage = docker.buildImage.bind(docker)
  docker.buildImage = ((...args: Parameters<Docker['buildImage']>) => {
    counts.build++
    return buildImage(...args)
  }) as Docker['buildImage']
  const createContainer = docker.createContainer.bind(docker)
  docker.createContainer = (async (options: Docker.ContainerCreateOptions) => {
    counts.create++
    counts.activeStarts++
    counts.maxActiveStarts = Math.max(counts.maxActiveStarts, counts.activeStarts)
    try {
      await new Promise((r) => setTimeout(r, createDelayMs))
      const container = await createContainer(options)
      const start = container.start.bind(container)
      container.start = (async () => {
        try {
          return await start()
        } finally {
          counts.activeStarts--
        }
      }) as Docker.Container['start']
      return container
    } catch (error) {
      counts.activeStarts--
      throw error
    }
  }) as Docker['createContainer']
  return { docker, counts }
}

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  return spawnSync('true').pid!
}

describe('preflight', () => {
  it('names the address and the fix when DOCKER_HOST points at nothing', async () => {
    const backend = new DockerBackend({ env: { DOCKER_HOST: 'unix:///nonexistent.sock' } })
    const error = await cooperbenchRejection(backend.preflight())
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.message).toBe('no Docker engine answers at unix:///nonexistent.sock (from DOCKER_HOST): the socket does not exist')
    expect(error.hint).toContain('sudo dockerd')
    expect(error.hint).toContain('DOCKER_HOST')
    expect(error.hint).toContain('docker group')
  })

  it('reports a refused TCP address from the host option', async () => {
    const error = await cooperbenchRejection(new DockerBackend({ host: 'tcp://127.0.0.1:9' }).preflight())
    expect(error.message).toBe('no Docker engine answers at tcp://127.0.0.1:9 (from the backend option "host"): connection refused')
  })

  it('refuses an address it cannot use', async () => {
    const error = await cooperbenchRejection(new DockerBackend({ host: 'ftp://example.com' }).preflight())
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.message).toContain('unsupported scheme ftp')
  })

  it.skipIf(!engineAnswers)('passes against the engine here', async () => {
    await new DockerBackend().preflight()
  })
})

describe('registration', () => {
  it('registers backend "docker" with its options schema and creates it from config options', async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, plugin.plugin)
    const entry = registry.get('backend', 'docker')
    expect(entry.plugin).toEqual({ name: '@cooperbench/backend-docker', version: expect.stringMatching(/^\d+\.\d+\.\d+/), coreRange: '^0.1.0' })
    expect(entry.optionsSchema).toMatchObject({ type: 'object', properties: { network: { type: 'string' }, memory: {} } })
    const backend = await registry.create('backend', 'docker', { options: { network: 'none', memory: '1g', cpus: 0.5 }, logger: silentLogger })
    expect(backend).toMatchObject({
      name: 'docker',
      specificationVersion: 'backend-v1',
      capabilities: { isolation: 'container', network: false, snapshots: false },
    })
    expect((backend as DockerBackend).options).toMatchObject({ network: 'none', memory: 1024 ** 3, cpus: 0.5, pids: 1024, maxConcurrentStarts: 4 })
  })

  it('rejects invalid options with CONFIG_INVALID', async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, plugin.plugin)
    const error = await cooperbenchRejection(
      Promise.resolve().then(() =>
        registry.create('backend', 'docker', { options: { memory: 'lots', pull: 'sometimes', colour: 'red' }, logger: silentLogger }),
      ),
    )
    expect(error.code).toBe('CONFIG_INVALID')
    // The registry checks options against the plugin's schema, naming each key's config path.
    expect(error.details).toEqual([
      'backends.docker.colour: unknown key "colour"',
      'backends.docker.memory: must be integer or must be a number of bytes or a size such as "4g" or "512m"',
      'backends.docker.pull: must be one of "auto", "always", "never"',
    ])
  })
})

describe.skipIf(!engineAnswers)(`backend on a real engine (${engineAnswers ? 'engine answers' : engineSkipReason})`, () => {
  let fixture: DockerTaskFixture

  beforeAll(async () => {
    await ensureBaseImage()
    fixture = await makeTaskFixture()
  }, 300_000)
  afterEach(async () => {
    await closeBackends()
  })
  afterAll(async () => {
    await removeTestLeftovers()
    await fixture?.fixture.cleanup()
  }, 120_000)

  describe('task images', () => {
    it('builds a missing image from the task Dockerfile once, then finds it present', async () => {
      const logger = recordingLogger()
      const { docker, counts } = countingClient()
      const backend = newBackend({ docker, logger })
      const image = backend.imageFor(fixture.task)
      expect(image).toBe(`cooperbench-test/fixture-${testImageSuffix}:task1`)
      expect(await backend.listImages([fixture.task])).toEqual([{ repo: 'fixture_task', taskId: 1, image, present: false, sizeBytes: null, createdAt: null }])
      // Two concurrent requests for one image share one build.
      const [first, second] = await Promise.all([
        backend.prepareTasks([fixture.task], { concurrency: 2 }),
        backend.prepareTasks([fixture.task], { concurrency: 2 }),
      ])
      expect(counts.build).toBe(1)
      expect(first).toEqual([{ repo: 'fixture_task', taskId: 1, image, action: 'built', durationMs: expect.any(Number), error: null }])
      expect(second[0]?.action).toBe('built')
      expect(counts.pull).toBe(0)
      expect(logger.lines.filter((l) => l.startsWith('info:'))).toEqual([
        expect.stringMatching(
          new RegExp(`^info: image ${image.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: built from fixture_task/1/Dockerfile in \\d+\\.\\d s$`),
        ),
      ])
      const events: string[] = []
      const again = await backend.prepareTasks([fixture.task], {
        concurrency: 1,
        onProgress: (event) => events.push(`${event.phase} ${event.preparation?.action ?? ''}`.trim()),
      })
      expect(again[0]?.action).toBe('present')
      expect(events).toEqual(['start', 'done present'])
      expect(counts.build).toBe(1)
      const [listed] = await backend.listImages([fixture.task])
      expect(listed).toMatchObject({ present: true, sizeBytes: expect.any(Number), createdAt: expect.any(String) })
      const labels = JSON.parse(await dockerCli('image', 'inspect', image))[0].Config.Labels
      expect(labels).toMatchObject({ 'cooperbench.built-image': 'true', 'cooperbench.task': 'fixture_task/1' })
      expect(labels).not.toHaveProperty('cooperbench.managed')
    }, 120_000)

    it('tries a registry only in pull mode auto, for a missing image, and falls back to building quickly', async () => {
      const { docker, counts } = countingClient()
      const logger = recordingLogger()
      const backend = newBackend({
        docker,
        logger,
        pull: 'auto',
        imageNamespace: 'registry.invalid',
        imageTemplate: `{namespace}/cooperbench-{slug}-${testImageSuffix}:task{taskId}`,
      })
      const started = Date.now()
      const [prepared] = await backend.prepareTasks([fixture.task], { concurrency: 1 })
      expect(Date.now() - started).toBeLessThan(30_000)
      expect(prepared).toMatchObject({ image: `registry.invalid/cooperbench-fixture-${testImageSuffix}:task1`, action: 'built', error: null })
      expect(counts.pull).toBe(1)
      expect(logger.lines.some((l) => l.startsWith('debug:') && l.includes('pull failed') && l.includes('registry.invalid'))).toBe(true)
      // Present now: no second pull.
      expect((await backend.prepareTasks([fixture.task], { concurrency: 1 }))[0]?.action).toBe('present')
      expect(counts.pull).toBe(1)
      // pull: never does not try at all, even with --force (which rebuilds from the Dockerfile).
      const { docker: docker2, counts: counts2 } = countingClient()
      const never = newBackend({ docker: docker2, pull: 'never', imageNamespace: 'registry.invalid', imageTemplate: backend.options.imageTemplate })
      expect((await never.prepareTasks([fixture.task], { concurrency: 1, force: true }))[0]?.action).toBe('built')
      expect(counts2).toMatchObject({ pull: 0, build: 1 })
    }, 120_000)

    it('refreshes a present image once in pull mode always, keeping it when the registry does not answer', async () => {
      const { docker, counts } = countingClient()
      const logger = recordingLogger()
      const backend = newBackend({ docker, logger, pull: 'always' })
      expect((await backend.prepareTasks([fixture.task], { concurrency: 1 }))[0]?.action).toBe('present')
      expect((await backend.prepareTasks([fixture.task], { concurrency: 1 }))[0]?.action).toBe('present')
      expect(counts).toMatchObject({ pull: 1, build: 0 })
      expect(logger.lines.filter((l) => l.startsWith('warn:'))).toEqual([expect.stringContaining('refresh failed')])
    })

    it('stops a build when its only requester aborts, leaving no image and no build container', async () => {
      const slow = await makeTaskFixture('slow_task')
      try {
        // A mark of this build's own in its command: other files' containers of the base image run
        // commands such as `sleep 600`, which a match on `sleep 60` took for this build's.
        const mark = `cb-abort-${process.pid}-${Date.now()}`
        await writeFile(join(slow.task.dir, 'Dockerfile'), `FROM ${BASE_IMAGE}\nRUN sleep 60 && echo ${mark}\n`)
        const backend = newBackend()
        const controller = new AbortController()
        const creating = backend.createSandbox(specFor(backend, slow.task, 'slow'), controller.signal)
        await new Promise((r) => setTimeout(r, 1_500))
        const started = Date.now()
        controller.abort()
        await expect(creating).rejects.toThrow()
        // Well under the build's 60 s sleep, whatever the machine's load.
        expect(Date.now() - started).toBeLessThan(30_000)
        // The engine notices the closed connection, cancels the build and removes its container.
        const buildContainers = async () =>
          (await dockerCli('ps', '-a', '--no-trunc', '--format', '{{.Command}}', '--filter', `ancestor=${BASE_IMAGE}`))
            .split('\n')
            .filter((c) => c.includes(mark))
        for (let i = 0; i < 50 && (await buildContainers()).length > 0; i++) await new Promise((r) => setTimeout(r, 200))
        expect(await buildContainers()).toEqual([])
        expect((await backend.listImages([slow.task]))[0]?.present).toBe(false)
      } finally {
        await slow.fixture.cleanup()
      }
    }, 180_000)

    it('reports a failed build with its last lines, and a missing base image with the fix', async () => {
      const broken = await makeTaskFixture('broken_task')
      try {
        await writeFile(join(broken.task.dir, 'Dockerfile'), `FROM ${BASE_IMAGE}\nRUN echo "about to fail" && exit 7\n`)
        const backend = newBackend()
        const [result] = await backend.prepareTasks([broken.task], { concurrency: 1 })
        expect(result).toMatchObject({ action: 'failed', image: backend.imageFor(broken.task) })
        expect(result?.error).toContain(`building image ${backend.imageFor(broken.task)} from broken_task/1/Dockerfile failed:`)
        expect(result?.error).toContain('non-zero code: 7')
        const error = await cooperbenchRejection(backend.createSandbox(specFor(backend, broken.task)))
        expect(error.code).toBe('SANDBOX_FAILED')
        expect(error.details).toContain('about to fail')

        const noBase = newBackend({
          buildArgs: { BASE_IMAGE: 'cooperbench-demo-base:no-such-tag' },
          imageTemplate: `{namespace}/nobase-${testImageSuffix}:task{taskId}`,
        })
        const missing = await cooperbenchRejection(noBase.createSandbox(specFor(noBase, fixture.task)))
        expect(missing.message).toContain(`building image ${noBase.imageFor(fixture.task)} from fixture_task/1/Dockerfile failed`)
        expect(missing.hint).toContain('pnpm images:base')
      } finally {
        await broken.fixture.cleanup()
      }
    }, 120_000)

    it('supports a task with a Dockerfile, or whose image is present, and explains the rest', async () => {
      const backend = newBackend({ imageTemplate: `{namespace}/never-built-${testImageSuffix}:task{taskId}` })
      expect(await backend.supportsTask(fixture.task)).toEqual({ ok: true })
      const noDockerfile = { ...fixture.task, dir: join(fixture.task.dir, 'feature1') }
      expect(await backend.supportsTask(noDockerfile)).toMatchObject({
        ok: false,
        reason: `task fixture_task/1 has no Dockerfile and its image ${backend.imageFor(fixture.task)} is not present`,
        hint: expect.stringContaining('cooperbench images build -r fixture_task -t 1'),
      })
      const present = newBackend({ imageNamespace: 'cooperbench-demo-base', imageTemplate: '{namespace}:latest' })
      expect(await present.supportsTask(noDockerfile)).toEqual({ ok: true })
    })

    it('an image with an agent layer (`-oh`) is never pulled nor built from the task Dockerfile: missing, it is reported with the build command', async () => {
      // A run of `-a openhands` before `images build --agent openhands`: a registry's `-oh` image
      // (or the task image built under that name) would hold no agent server.
      const { docker, counts } = countingClient()
      const backend = newBackend({ docker, pull: 'auto', pullTimeoutSeconds: 2, imageTemplate: `{namespace}/layered-${testImageSuffix}:task{taskId}-oh` })
      const layer = { owner: 'agent openhands_sdk', agent: 'openhands', tagSuffix: '-oh' }
      const image = backend.imageFor(fixture.task)
      const support = await backend.supportsTask(fixture.task, { layer })
      expect(support).toMatchObject({
        ok: false,
        reason: expect.stringContaining(`image ${image}`),
        hint: expect.stringContaining('cooperbench images build --agent openhands -r fixture_task -t 1'),
      })
      const failure = await backend.createSandbox({ ...specFor(backend, fixture.task), layer }).catch((error: unknown) => error)
      expect(failure).toMatchObject({
        code: 'SANDBOX_FAILED',
        message: expect.stringContaining('never pulled'),
        hint: expect.stringContaining('images build --agent openhands'),
      })
      expect(counts).toMatchObject({ pull: 0, build: 0, create: 0 })
      expect(await backend.listImages([fixture.task])).toEqual([expect.objectContaining({ image, present: false })])
      // Once built (here: tagged by hand), it is used as it is.
      await dockerCli('tag', BASE_IMAGE, image)
      expect(await backend.supportsTask(fixture.task, { layer })).toEqual({ ok: true })
    }, 120_000)
  })

  describe('sandboxes', () => {
    it('applies the configured limits and network, capping CPUs at the engine', async () => {
      const backend = newBackend({ cpus: 64, memory: '256m', pids: 100 })
      const sandbox = await backend.createSandbox(specFor(backend, fixture.task))
      const info = JSON.parse(await dockerCli('inspect', sandbox.id))[0]
      const engineCpus = Number((await dockerCli('info', '--format', '{{.NCPU}}')).trim())
      expect(info.HostConfig).toMatchObject({ NetworkMode: 'none', Memory: 256 * 1024 * 1024, PidsLimit: 100, NanoCpus: engineCpus * 1e9, Init: true })
      // A root image checks itself as it starts, then idles for keepAliveSeconds.
      expect(info.Config.Entrypoint.slice(0, 2)).toEqual(['sh', '-c'])
      expect(info.Config.Entrypoint.at(-1)).toBe('7200')
      expect(info.Config.WorkingDir).toBe('/workspace/repo')
      expect(sandbox.id).toMatch(new RegExp(`^cooperbench-${testRunName}-agent1-[0-9a-f]{8}$`))
      // The limits are real: the container's own cgroup says so (v1 or v2 layout).
      const cgroup = await sandbox.exec(
        'cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max',
      )
      expect(cgroup.stdout).toBe(`100\n${256 * 1024 * 1024}\n`)
    }, 180_000)

    it('checks a root image as its container starts: no exec before the sandbox is handed over', async () => {
      const docker = new Docker()
      let execs = 0
      const createContainer = docker.createContainer.bind(docker)
      docker.createContainer = (async (options: Docker.ContainerCreateOptions) => {
        const container = await createContainer(options)
        const exec = container.exec.bind(container)
        container.exec = ((...args: Parameters<Docker.Container['exec']>) => {
          execs++
          return exec(...args)
        }) as Docker.Container['exec']
        return container
      }) as Docker['createContainer']
      const backend = newBackend({ docker })
      const sandbox = await backend.createSandbox(specFor(backend, fixture.task, 'self-check'))
      expect(execs).toBe(0)
      // What the check leaves: /patches and the login shell's PATH hook, and the image's PATH restored.
      const result = await sandbox.exec(`test -d /patches && test -f ${LOGIN_PATH_HOOK_FILE} && echo "$PATH" && ps -eo args= | grep -c '^sleep 7200$'`)
      expect(result.exitCode).toBe(0)
      expect(result.stdout.split('\n')[1]).toBe('1')
      expect(execs).toBe(1)
    }, 180_000)

    it('keeps the exec check, as root, for an image with another user, whose commands run as that user', async () => {
      const image = `cooperbench-test-nonroot:${testImageSuffix}`
      const dir = await mkdtemp(join(tmpdir(), 'cb-nonroot-'))
      try {
        const backend = newBackend()
        // The task's image first (built from its Dockerfile when missing), then one on top with another user.
        await (await backend.createSandbox(specFor(backend, fixture.task, 'nonroot-base'))).terminate()
        await writeFile(join(dir, 'Dockerfile'), `FROM ${testImageOf(fixture.task)}\nUSER nobody\n`)
        await dockerCli('build', '-q', '-t', image, dir)
        const sandbox = await backend.createSandbox({ ...specFor(backend, fixture.task, 'nonroot'), image })
        const info = JSON.parse(await dockerCli('inspect', sandbox.id))[0]
        expect(info.Config.Entrypoint).toEqual(['sleep', '7200'])
        const result = await sandbox.exec(`id -un && test -f ${LOGIN_PATH_HOOK_FILE} && git -c safe.directory='*' rev-parse HEAD`)
        expect(result.stdout).toBe(`nobody\n${fixture.fixture.baseCommit}\n`)
        await sandbox.terminate()
      } finally {
        await dockerCli('rmi', '-f', '--no-prune', ...cleanedImagesOf([image]), image).catch(() => '')
        await rm(dir, { recursive: true, force: true })
      }
    }, 120_000)

    it("starts an agent's sandboxes from its image with the agent's set-up layer, built once per image; one that fails is said and skipped", async () => {
      const logger = recordingLogger()
      const backend = newBackend({ logger })
      const setupLayer = {
        owner: 'agent test_agent',
        tagSuffix: '-test-setup',
        dockerfile: 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nARG IMAGE_USER=root\nRUN echo "set up as $IMAGE_USER" > /opt/set-up\n',
      }
      const withLayer = (role: string) => ({ ...specFor(backend, fixture.task, role), setupLayer })
      // Two sandboxes at once (a pair's agents) share one build.
      const sandboxes = await Promise.all([backend.createSandbox(withLayer('setup-1')), backend.createSandbox(withLayer('setup-2'))])
      for (const sandbox of sandboxes) {
        // The layer under the sandbox, and the clean layer over it (the repository at the base commit, its later history gone).
        const seen = await sandbox.exec('cat /opt/set-up && git -c safe.directory="*" rev-parse HEAD')
        expect(seen.stdout).toBe(`set up as root\n${fixture.fixture.baseCommit}\n`)
      }
      const built = logger.lines.filter((line) => line.includes('with agent test_agent'))
      expect(built).toEqual([
        expect.stringMatching(/^info: image \S+:task1-test-setup-[0-9a-f]{8}: \S+:task1 with agent test_agent \(\d+\.\d s, once per image\)$/),
      ])
      const image = built[0]!.split(' ')[2]!.replace(/:$/, '')
      expect(JSON.parse(await dockerCli('image', 'inspect', image))[0].Config.Labels).toMatchObject({ 'cooperbench.built-image': 'true' })
      // Another backend (a later run) finds it built.
      const later = newBackend({ logger })
      await later.createSandbox(withLayer('setup-3'))
      expect(logger.lines.filter((line) => line.includes('with agent test_agent'))).toHaveLength(1)
      // A sandbox without it (an evaluation's) starts from the task image as it is.
      const plain = await backend.createSandbox(specFor(backend, fixture.task, 'eval'))
      expect((await plain.exec('test -e /opt/set-up; echo $?')).stdout).toBe('1\n')
      // A layer that does not build: said once; its sandboxes start from the task image, where the agent sets up itself.
      const broken = { owner: 'agent broken_agent', tagSuffix: '-broken-setup', dockerfile: 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN exit 3\n' }
      for (const role of ['broken-1', 'broken-2']) {
        const sandbox = await backend.createSandbox({ ...specFor(backend, fixture.task, role), setupLayer: broken })
        expect((await sandbox.exec('test -e /opt/set-up; echo $?')).stdout).toBe('1\n')
      }
      expect(logger.lines.filter((line) => line.startsWith('warn:'))).toEqual([
        expect.stringMatching(/^warn: docker: \S+:task1 with agent broken_agent did not build \(.*\); its sandboxes set up in the task image$/),
      ])
    }, 240_000)

    it('refuses an image whose repository is not at the task base commit, leaving no container', async () => {
      const backend = newBackend()
      const task = { ...fixture.task, source: { ...fixture.task.source, baseCommit: 'f'.repeat(40) } }
      const error = await cooperbenchRejection(backend.createSandbox(specFor(backend, task, 'stale')))
      expect(error.code).toBe('SANDBOX_FAILED')
      expect(error.message).toBe(
        `image ${backend.imageFor(task)} has /workspace/repo at ${fixture.fixture.baseCommit}, but the base commit of fixture_task/1 is ${'f'.repeat(40)}`,
      )
      expect(error.hint).toContain('cooperbench images build --force -r fixture_task -t 1')
      expect(await containersWithLabel('cooperbench.role=stale')).toEqual([])
    }, 180_000)

    it('starts at most maxConcurrentStarts containers at once', async () => {
      const { docker, counts } = countingClient(150)
      const backend = newBackend({ docker, maxConcurrentStarts: 2 })
      const sandboxes = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => backend.createSandbox(specFor(backend, fixture.task, `agent${n}`))))
      expect(counts.create).toBe(6)
      expect(counts.maxActiveStarts).toBe(2)
      expect(new Set(sandboxes.map((s) => s.id)).size).toBe(6)
    }, 120_000)

    it('does not create anything for an aborted signal, and removes everything on close', async () => {
      const backend = newBackend()
      await expect(backend.createSandbox(specFor(backend, fixture.task, 'aborted'), AbortSignal.abort())).rejects.toThrow()
      expect(await containersWithLabel('cooperbench.role=aborted')).toEqual([])
      const sandbox = await backend.createSandbox(specFor(backend, fixture.task, 'closing'))
      const running = sandbox.exec('sleep 100')
      await new Promise((r) => setTimeout(r, 300))
      await backend.close()
      expect((await running).exitCode).toBe(-1)
      expect(await containersWithLabel('cooperbench.role=closing')).toEqual([])
      await expect(backend.createSandbox(specFor(backend, fixture.task))).rejects.toThrow(/closed/)
    }, 180_000)
  })

  describe('leftovers', () => {
    const runA = `${testRunName}-a`
    const runB = `${testRunName}-b`

    /** A container as a crashed harness process would leave it. */
    async function leftover(runName: string, pid: number): Promise<string> {
      const labels = {
        'cooperbench.managed': 'true',
        [SANDBOX_LABELS.run]: runName,
        [TEST_LABEL]: testRunName,
        'cooperbench.creator.pid': String(pid),
        'cooperbench.creator.host': hostname(),
      }
      const args = Object.entries(labels).flatMap(([key, value]) => ['--label', `${key}=${value}`])
      return (await dockerCli('create', '--network', 'none', ...args, BASE_IMAGE, 'sleep', '60')).trim()
    }
    const exists = async (id: string) => spawnSync('docker', ['inspect', id], { stdio: 'ignore' }).status === 0

    it('lists sandboxes and leftovers with their state and whether their creator runs', async () => {
      const backend = newBackend()
      const live = await backend.createSandbox(specFor(backend, fixture.task, 'agent1', { [SANDBOX_LABELS.run]: runA }))
      const dead = await leftover(runA, deadPid())
      const other = await leftover(runB, deadPid())
      const listed = await backend.listSandboxes({ runName: runA })
      expect(listed).toHaveLength(2)
      expect(listed.find((s) => s.id === live.id)).toMatchObject({ state: 'running', ownerAlive: true, labels: { [SANDBOX_LABELS.run]: runA } })
      const gone = listed.find((s) => s.id !== live.id)!
      expect(gone).toMatchObject({ state: 'created', ownerAlive: false, createdAt: expect.any(String) })
      expect(dead.startsWith(JSON.parse(await dockerCli('inspect', gone.id))[0].Id.slice(0, 12))).toBe(true)
      expect((await backend.listSandboxes({})).length).toBeGreaterThanOrEqual(3)
      await dockerCli('rm', '-f', dead, other)
    }, 180_000)

    it('reaps leftovers of gone processes by run name, sparing live ones unless asked', async () => {
      const backend = newBackend()
      const live = await backend.createSandbox(specFor(backend, fixture.task, 'agent1', { [SANDBOX_LABELS.run]: runA }))
      const deadA = await leftover(runA, deadPid())
      const deadB = await leftover(runB, deadPid())
      const aliveA = await leftover(runA, process.ppid)

      expect(await backend.reap({ runName: runA })).toBe(1)
      expect([await exists(deadA), await exists(deadB), await exists(aliveA)]).toEqual([false, true, true])
      expect((await live.exec('true')).exitCode).toBe(0)

      expect(await backend.reap({ runName: runB })).toBe(1)
      expect(await exists(deadB)).toBe(false)

      expect(await backend.reap({ runName: runA, includeLive: true })).toBe(2)
      expect(await exists(aliveA)).toBe(false)
      await expect(live.exec('true')).rejects.toThrow(/terminated/)
      expect(await containersWithLabel(`${SANDBOX_LABELS.run}=${runA}`)).toEqual([])
    }, 180_000)
  })
})
