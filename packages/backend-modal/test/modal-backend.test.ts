import { PluginRegistry, applyPlugin } from '@cooperbench/core'
import { SANDBOX_LABELS, type Task } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { cooperbenchRejection } from '@cooperbench/testkit'
import { Status } from 'nice-grpc-common'
import { randomInt } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ModalBackend, MODAL_TAGS, modalTagValue, TAG_ORIGINALS_FILE } from '../src/index.js'
import plugin from '../src/register.js'
import type { ModalSandbox } from '../src/modal-sandbox.js'
import { docker, ensureTaskImage, makeTaskFixture, modalOverStandin, skipReason, specFor, testRunName } from './fixture.js'

/** Containers on the engine carrying this run's tag, whatever the code under test believes. */
async function containersOfRun(): Promise<string[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${SANDBOX_LABELS.run}=${testRunName}`] } })
  return list.map((c) => c.Id)
}

describe('backend "modal" without Modal', () => {
  it('is registered with its options schema and fills the defaults', async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, plugin.plugin)
    const create = (options: Record<string, unknown>) => Promise.resolve().then(() => registry.create('backend', 'modal', { options, logger: silentLogger }))
    const backend = (await create({ appName: 'research', createsPerSecond: 2 })) as ModalBackend
    expect(backend).toMatchObject({ name: 'modal', specificationVersion: 'backend-v1', capabilities: { isolation: 'container', network: true } })
    expect(backend.options).toMatchObject({ appName: 'research', createsPerSecond: 2, cpu: 2, memoryMiB: 4096, maxLiveSandboxes: 100 })
    expect((await cooperbenchRejection(create({ createsPerSecond: 50 }))).code).toBe('CONFIG_INVALID')
    expect((await cooperbenchRejection(create({ gpu: 'A100' }))).code).toBe('CONFIG_INVALID')
  })

  it('fails preflight in one line naming the variables and `modal token new` when no credentials exist', async () => {
    const backend = new ModalBackend({ env: { MODAL_CONFIG_PATH: '/nonexistent/cooperbench/.modal.toml' } })
    const error = await cooperbenchRejection(backend.preflight())
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.message).toMatch(/no Modal credentials: MODAL_TOKEN_ID and MODAL_TOKEN_SECRET are not set/)
    expect(error.message).not.toContain('\n')
    expect(error.hint).toContain('modal token new')
  })
})

describe.skipIf(skipReason)(`backend "modal" through the stand-in${skipReason ? ` (${skipReason})` : ''}`, () => {
  let task: Task
  let removeFixture = async () => {}
  const backends: ModalBackend[] = []
  const backendFor = (settings: Parameters<typeof modalOverStandin>[0] = {}) => {
    const made = modalOverStandin(settings)
    backends.push(made.backend)
    return made
  }

  beforeAll(async () => {
    const made = await makeTaskFixture('modal_task')
    task = made.task
    removeFixture = made.fixture.cleanup
    await ensureTaskImage(task)
  }, 600_000)

  afterAll(async () => {
    for (const backend of backends) await backend.close()
    await removeFixture()
    expect(await containersOfRun()).toEqual([])
  })

  it('tags each sandbox with run, pair, role, task and its creator, and lists and reaps by tag', async () => {
    const { backend } = backendFor()
    const sandbox = await backend.createSandbox(specFor(task, 'agent2', 'pair-tags'))
    const [listed] = (await backend.listSandboxes({ runName: testRunName })).filter((s) => s.id === sandbox.id)
    expect(listed?.labels).toMatchObject({
      [SANDBOX_LABELS.run]: testRunName,
      [SANDBOX_LABELS.pair]: 'pair-tags',
      [SANDBOX_LABELS.role]: 'agent2',
      [MODAL_TAGS.managed]: 'true',
      [MODAL_TAGS.task]: modalTagValue(`${task.repo}/${task.taskId}`),
      [MODAL_TAGS.creatorPid]: String(process.pid),
    })
    expect(listed?.ownerAlive).toBe(true)
    // A live sandbox of this process is spared unless asked.
    expect(await backend.reap({ runName: testRunName })).toBe(0)
    expect(await backend.reap({ runName: testRunName, includeLive: true })).toBe(1)
    await expect(sandbox.exec('true')).rejects.toMatchObject({ code: 'SANDBOX_FAILED' })
  })

  it('tags a run whose name and pair hold `/`, `,`, spaces or nothing as Modal takes them, still lists and reaps it by name, and keeps the originals in the run folder', async () => {
    const { backend, port } = backendFor()
    const runDir = await mkdtemp(join(tmpdir(), 'cb-modal-tags-'))
    const runName = `${testRunName}/retry 2`
    try {
      const labels = { [SANDBOX_LABELS.run]: runName, [SANDBOX_LABELS.pair]: `${task.repo}/${task.taskId}/1,2`, [SANDBOX_LABELS.runId]: '' }
      const sandbox = await backend.createSandbox({ ...specFor(task, 'eval'), labels: { ...labels, [SANDBOX_LABELS.role]: 'eval' }, runDir })
      const listed = await backend.listSandboxes({ runName })
      expect(listed.map((s) => s.id)).toEqual([sandbox.id])
      expect(listed[0]!.labels[SANDBOX_LABELS.run]).toBe(modalTagValue(runName))
      // A run whose name differs only in the characters Modal refuses is another run.
      expect(await backend.listSandboxes({ runName: `${testRunName}_retry_2` })).toEqual([])
      const originals = JSON.parse(await readFile(join(runDir, TAG_ORIGINALS_FILE), 'utf8'))
      expect(Object.values(originals)).toEqual(
        expect.arrayContaining([
          { key: SANDBOX_LABELS.run, value: runName },
          { key: SANDBOX_LABELS.pair, value: labels[SANDBOX_LABELS.pair] },
          { key: SANDBOX_LABELS.runId, value: '' },
        ]),
      )
      expect(await backend.reap({ runName, includeLive: true })).toBe(1)
      expect(await port.runningSandboxIds()).toEqual([])
    } finally {
      await rm(runDir, { recursive: true, force: true })
    }
  })

  it('runs a command whose timeout is not whole seconds (Modal takes whole seconds only)', async () => {
    const { backend } = backendFor()
    const sandbox = await backend.createSandbox(specFor(task))
    const result = await sandbox.exec('echo ok', { timeoutMs: 20_500 })
    expect(result, result.stderr).toMatchObject({ exitCode: 0, stdout: 'ok\n', timedOut: false })
    await sandbox.terminate()
  })

  it('is refused by the stand-in as by Modal: tags outside [A-Za-z0-9._-]{1,63}, timeouts that are not whole seconds', async () => {
    const { port } = backendFor()
    const app = await port.appFromName('cooperbench', { createIfMissing: true })
    const image = await port.imageFromRegistry(specFor(task).image, null)
    const refused: Array<Record<string, string>> = [{ 'cooperbench.pair': 'repo/1/1,2' }, { 'cooperbench.run_id': '' }, { 'cooperbench.run': 'x'.repeat(64) }]
    for (const tags of refused) {
      await expect(port.createSandbox(app, image, { tags })).rejects.toMatchObject({
        code: Status.INVALID_ARGUMENT,
        details: expect.stringMatching(/^Invalid tag value/),
      })
    }
    await expect(port.createSandbox(app, image, { timeoutMs: 90_500 })).rejects.toThrow('timeoutMs must be a multiple of 1000ms, got 90500')
    expect(await port.runningSandboxIds()).toEqual([])
  })

  it('reaps a leftover whose creating process is gone, found by tag through a new backend', async () => {
    const { backend, port } = backendFor()
    const app = await port.appFromName('cooperbench', { createIfMissing: true })
    const image = await port.imageFromRegistry(specFor(task).image, null)
    // What a killed run leaves: a sandbox tagged by a process that no longer exists.
    const leftover = await port.createSandbox(app, image, {
      tags: {
        [SANDBOX_LABELS.run]: testRunName,
        [MODAL_TAGS.managed]: 'true',
        [MODAL_TAGS.creatorPid]: '999999',
        [MODAL_TAGS.creatorStart]: '1',
        [MODAL_TAGS.creatorHost]: (await import('node:os')).hostname(),
      },
    })
    const listed = await backend.listSandboxes({ runName: testRunName })
    expect(listed.find((s) => s.id === leftover.sandboxId)?.ownerAlive).toBe(false)
    expect(await backend.reap({ runName: testRunName })).toBe(1)
    expect(await port.runningSandboxIds()).toEqual([])
  })

  it('retries a creation refused with UNAVAILABLE and RESOURCE_EXHAUSTED, never one refused with INVALID_ARGUMENT', async () => {
    const { backend, port } = backendFor()
    port.failNextCreates(Status.UNAVAILABLE, Status.RESOURCE_EXHAUSTED)
    const sandbox = await backend.createSandbox(specFor(task))
    expect(port.createCalls).toHaveLength(3)
    expect((await sandbox.exec('echo ok')).stdout).toBe('ok\n')
    await sandbox.terminate()

    port.failNextCreates(Status.INVALID_ARGUMENT)
    const error = await cooperbenchRejection(backend.createSandbox(specFor(task)))
    expect(port.createCalls).toHaveLength(4)
    expect(error.code).toBe('SANDBOX_FAILED')
    expect(error.message).toMatch(/INVALID_ARGUMENT/)
    expect(await port.runningSandboxIds()).toEqual([])
  }, 180_000)

  it('gives up after its retries with BACKEND_UNAVAILABLE (infrastructure), leaving nothing', async () => {
    const { backend, port } = backendFor()
    port.failNextCreates(...Array.from({ length: 6 }, () => Status.UNAVAILABLE))
    const error = await cooperbenchRejection(backend.createSandbox(specFor(task)))
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.message).toMatch(/after 6 attempts: UNAVAILABLE/)
    expect(port.createCalls).toHaveLength(6)
    expect(await port.runningSandboxIds()).toEqual([])
  }, 120_000)

  it('creates sandboxes no faster than createsPerSecond', async () => {
    const { backend, port } = backendFor({ createsPerSecond: 4 })
    const started = performance.now()
    const sandboxes = await Promise.all(Array.from({ length: 6 }, (_, i) => backend.createSandbox(specFor(task, 'eval', `pair-rate-${i}`))))
    const elapsed = performance.now() - started
    expect(port.createCalls).toHaveLength(6)
    // 4 per second: the sixth creation is sent 5 × 250 ms after the first at the earliest. A loaded
    // machine only lengthens this (stamps taken where calls arrive move both ways, so they are not
    // compared); without the limit the six take a few milliseconds.
    expect(elapsed).toBeGreaterThanOrEqual(5 * 250 - 10)
    await Promise.all(sandboxes.map((s) => s.terminate()))
  }, 180_000)

  it('holds at most maxLiveSandboxes alive: the next creation waits for a termination', async () => {
    const { backend } = backendFor({ maxLiveSandboxes: 2 })
    const [one, two] = await Promise.all([backend.createSandbox(specFor(task, 'agent1')), backend.createSandbox(specFor(task, 'agent2'))])
    let third: ModalSandbox | undefined
    const waiting = backend.createSandbox(specFor(task, 'eval')).then((s) => (third = s))
    await new Promise((r) => setTimeout(r, 1_500))
    expect(third).toBeUndefined()
    await one!.terminate()
    await waiting
    expect(third).toBeDefined()
    await Promise.all([two!.terminate(), third!.terminate()])
  }, 180_000)

  it('fails a command whose sandbox Modal stops under it as SANDBOX_FAILED, not as the command’s exit', async () => {
    const { backend, port } = backendFor()
    const sandbox = await backend.createSandbox(specFor(task))
    // Its handler is attached at once: the command may fail while the kill is still being awaited.
    const failing = cooperbenchRejection(sandbox.exec('sleep 30', { timeoutMs: 60_000 }))
    await new Promise((r) => setTimeout(r, 500))
    await port.killSandbox(sandbox.id)
    const error = await failing
    expect(error.code).toBe('SANDBOX_FAILED')
    expect(error.message).toMatch(/stopped while a command ran/)
    await sandbox.terminate()
  }, 180_000)

  it('names the image and how to push it when Modal cannot pull it', async () => {
    const { backend, port } = backendFor()
    const error = await cooperbenchRejection(backend.createSandbox({ ...specFor(task), image: 'cooperbench-test/never-pushed:task1' }))
    expect(error.code).toBe('SANDBOX_FAILED')
    expect(error.message).toMatch(/Modal cannot pull image cooperbench-test\/never-pushed:task1/)
    expect(error.hint).toMatch(/docker push cooperbench-test\/never-pushed:task1/)
    expect(await port.runningSandboxIds()).toEqual([])
  })

  it('creates nothing for an aborted signal, and terminates what it holds on close', async () => {
    const { backend, port } = backendFor()
    await expect(backend.createSandbox(specFor(task), AbortSignal.abort())).rejects.toBeDefined()
    const held = await backend.createSandbox(specFor(task))
    const controller = new AbortController()
    const cut = backend.createSandbox(specFor(task), controller.signal)
    controller.abort()
    await cut.catch(() => {})
    await backend.close()
    await expect(held.exec('true')).rejects.toMatchObject({ code: 'SANDBOX_FAILED' })
    expect(await port.runningSandboxIds()).toEqual([])
  }, 180_000)

  it('serves --git from one git server per pair, reached through its tunnel, stopped with the pair', async () => {
    const { backend, port } = backendFor({ blockNetwork: false })
    const sharedDirs = [{ hostPath: '/host/pair-git/team.git', sandboxPath: '/cooperbench/team.git' }]
    const [one, two] = await Promise.all(['agent1', 'agent2'].map((role) => backend.createSandbox({ ...specFor(task, role, 'pair-git'), sharedDirs })))
    const servers = (await backend.listSandboxes({ runName: testRunName })).filter((s) => s.labels[SANDBOX_LABELS.role] === 'git-server')
    expect(servers).toHaveLength(1)
    const push = await one!.exec('git remote add team /cooperbench/team.git && git push -q team HEAD:refs/heads/agent1')
    expect(push.exitCode, push.stderr).toBe(0)
    const fetch = await two!.exec('git remote add team /cooperbench/team.git && git fetch -q team && git rev-parse team/agent1')
    expect(fetch.exitCode, fetch.stderr).toBe(0)
    await one!.terminate()
    expect(await port.runningSandboxIds()).toHaveLength(2)
    await two!.terminate()
    await new Promise((r) => setTimeout(r, 500))
    expect(await port.runningSandboxIds()).toEqual([])
  }, 180_000)

  it("starts the pair's git server on another port when the one picked is taken (the stand-in's sandboxes share the host's network)", async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '0.0.0.0', resolve))
    const takenPort = (taken.address() as AddressInfo).port
    const picked: number[] = []
    const { backend, port } = backendFor({
      blockNetwork: false,
      gitServerPort: () => {
        picked.push(picked.length === 0 ? takenPort : randomInt(20_000, 32_768))
        return picked.at(-1)!
      },
    })
    try {
      const sharedDirs = [{ hostPath: '/host/pair-git-taken/team.git', sandboxPath: '/cooperbench/team.git' }]
      const sandbox = await backend.createSandbox({ ...specFor(task, 'agent1', 'pair-git-taken'), sharedDirs })
      expect(picked).toHaveLength(2)
      const push = await sandbox.exec('git remote add team /cooperbench/team.git && git push -q team HEAD:refs/heads/agent1')
      expect(push.exitCode, push.stderr).toBe(0)
      // The server on the taken port was given up at once: the agent's sandbox and one server live.
      expect(await port.runningSandboxIds()).toHaveLength(2)
      await sandbox.terminate()
    } finally {
      taken.close()
    }
  }, 180_000)
})
