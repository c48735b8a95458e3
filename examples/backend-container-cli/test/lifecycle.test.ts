import { spawn, spawnSync } from 'node:child_process'
import { randomBytes, randomInt } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { isCooperbenchError, SANDBOX_LABELS, type Sandbox } from '@cooperbench/spec'
import { hostProcessListing, leftoverProcesses } from '@cooperbench/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContainerCliBackend } from '../src/index.js'
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

const sleep = (ms: number) => new Promise((wake) => setTimeout(wake, ms))
/** A unique `sleep` argument, so that a process listing shows which processes a test started. */
const marker = () => `40.${randomInt(100_000_000, 999_999_999)}`
/** A run name of its own, so that a check by label sees only one test's containers. */
const uniqueRun = () => `${testRunName}-${randomBytes(3).toString('hex')}`

/** Command lines inside the container that contain `text`, read by the CLI directly (not through the sandbox). */
async function processesInside(container: string, text: string): Promise<string[]> {
  const listing = await cli('exec', container, 'sh', '-c', 'for d in /proc/[0-9]*; do { tr "\\000" " " < "$d/cmdline"; echo; } 2>/dev/null; done')
  return leftoverProcesses(listing, text)
}

/** Command lines of this machine that contain `text` (CLI clients left running, say). */
async function processesOnHost(text: string): Promise<string[]> {
  return leftoverProcesses(await hostProcessListing(), text)
}

async function waitFor(condition: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

describe.skipIf(!engineAnswers)(`lifecycle on a real engine (${engineAnswers ? 'docker answers' : engineSkipReason})`, () => {
  let fixture: TaskFixture
  let backend: ContainerCliBackend
  let sandbox: Sandbox

  beforeAll(async () => {
    await ensureBaseImage()
    fixture = await makeTaskFixture()
    backend = newBackend({ memory: '256m', cpus: 0.5 })
    const [prepared] = await backend.prepareTasks([fixture.task], { concurrency: 1 })
    expect(prepared?.action, prepared?.error ?? '').toBe('built')
    sandbox = await backend.createSandbox(specFor(fixture.task, 'solo'))
  }, 300_000)

  afterAll(() => cleanUp([fixture]), 120_000)

  describe('an aborted createSandbox leaves no container', () => {
    it('when the signal is aborted before the call', async () => {
      const runName = uniqueRun()
      const reason = new Error('aborted before')
      await expect(backend.createSandbox(specFor(fixture.task, 'agent1', runName), AbortSignal.abort(reason))).rejects.toBe(reason)
      expect(await containersWithLabel(`${SANDBOX_LABELS.run}=${runName}`)).toEqual([])
    })

    it('when the signal is aborted as soon as the container exists', async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const runName = uniqueRun()
        const controller = new AbortController()
        const reason = new Error(`aborted once the container exists (${attempt})`)
        const creating = backend.createSandbox(specFor(fixture.task, 'agent1', runName), controller.signal)
        creating.catch(() => {})
        let seen = false
        await waitFor(async () => {
          seen = (await containersWithLabel(`${SANDBOX_LABELS.run}=${runName}`)).length > 0
          return (
            seen ||
            (await Promise.race([
              creating.then(
                () => true,
                () => true,
              ),
              sleep(0).then(() => false),
            ]))
          )
        }, 'the container to appear')
        expect(seen, 'the container appeared before createSandbox settled').toBe(true)
        controller.abort(reason)
        const outcome = await creating.then(
          (made) => made,
          (error: unknown) => error,
        )
        if (outcome !== reason) {
          // It was ready before the abort landed: then it is a working sandbox, which we remove.
          expect(outcome).toHaveProperty('exec')
          await (outcome as Sandbox).terminate()
          continue
        }
        // No grace period: createSandbox removed the container before it rejected.
        expect(await containersWithLabel(`${SANDBOX_LABELS.run}=${runName}`)).toEqual([])
        return
      }
      throw new Error('every createSandbox finished before its abort; the abort path was never taken')
    })

    it('when the signal is aborted while the image is being built, leaving no build client behind', async () => {
      const other = await makeTaskFixture('cli_abort_build_task')
      // A first build step that lasts until it is stopped. A small image builds in a second,
      // often before a poll of the process listing sees it, and the test would then wait for a
      // build that was already over.
      const buildStep = marker()
      const dockerfile = join(other.task.dir, 'Dockerfile')
      await writeFile(
        dockerfile,
        (await readFile(dockerfile, 'utf8')).replace(/^FROM .*$/m, (from) => `${from}\nRUN sleep ${buildStep}`),
      )
      try {
        const runName = uniqueRun()
        const image = imageOf(other.task)
        const controller = new AbortController()
        const creating = backend.createSandbox(specFor(other.task, 'agent1', runName), controller.signal)
        let settled = false
        creating.then(
          () => (settled = true),
          () => (settled = true),
        )
        // A busy engine (CI runs other suites at once) may take a while to start the build.
        await waitFor(
          async () => {
            if (settled) throw new Error('createSandbox settled before its image build step was seen running')
            return (await processesOnHost(buildStep)).length > 0
          },
          'the build step to run',
          60_000,
        )
        controller.abort(new Error('aborted during the build'))
        await expect(creating).rejects.toThrow('aborted during the build')
        expect(await containersWithLabel(`${SANDBOX_LABELS.run}=${runName}`)).toEqual([])
        expect(await processesOnHost(image)).toEqual([])
        // The engine stops the build once its client is gone.
        await waitFor(async () => (await processesOnHost(buildStep)).length === 0, 'the build step to stop', 30_000)
      } finally {
        await other.fixture.cleanup()
      }
    }, 120_000)
  })

  describe('a stopped command leaves no process behind, in the container or on this machine', () => {
    it('shows why: killing a plain exec client leaves its command running in the container', async () => {
      const sleeper = marker()
      const client = spawn('docker', ['exec', sandbox.id, 'sleep', sleeper], { stdio: 'ignore' })
      try {
        await waitFor(async () => (await processesInside(sandbox.id, sleeper)).length > 0, 'the plain exec to run')
        client.kill('SIGKILL')
        await new Promise((done) => client.once('close', done))
        await sleep(500)
        expect(await processesInside(sandbox.id, sleeper)).toHaveLength(1)
      } finally {
        client.kill('SIGKILL')
        await cli('exec', sandbox.id, 'pkill', '-KILL', '-f', `sleep ${sleeper}`).catch(() => '')
      }
    })

    // Background children, a double fork, a new session, an emptied environment, and a new
    // session with an emptied environment (found only as a descendant).
    const script = (m: string) =>
      `(sleep ${m} &); sleep ${m} & setsid sleep ${m} & env -i sleep ${m} & setsid env -i sleep ${m} & sleep 0.2; echo started; sleep ${m}`

    it('after a timeout', async () => {
      const sleeper = marker()
      const started = Date.now()
      const result = await sandbox.exec(script(sleeper), { timeoutMs: 1_000 })
      expect(result).toMatchObject({ exitCode: -1, timedOut: true, stdout: 'started\n' })
      // Well under the 40 s the command would take unstopped, whatever the machine's load.
      expect(Date.now() - started).toBeLessThan(20_000)
      expect(await processesInside(sandbox.id, sleeper)).toEqual([])
      expect(await processesOnHost(sleeper)).toEqual([])
    })

    it('after an abort', async () => {
      const sleeper = marker()
      const controller = new AbortController()
      const running = sandbox.exec(script(sleeper), { signal: controller.signal })
      await waitFor(async () => (await processesInside(sandbox.id, sleeper)).length >= 6, 'the command to start its children')
      controller.abort()
      expect(await running).toMatchObject({ exitCode: -1, timedOut: true })
      expect(await processesInside(sandbox.id, sleeper)).toEqual([])
      expect(await processesOnHost(sleeper)).toEqual([])
    })

    it('after terminate, which also removes the container', async () => {
      const doomed = await backend.createSandbox(specFor(fixture.task, 'eval'))
      const sleeper = marker()
      const running = doomed.exec(script(sleeper))
      await waitFor(async () => (await processesInside(doomed.id, sleeper)).length >= 6, 'the command to start its children')
      await doomed.terminate()
      expect(await running).toMatchObject({ exitCode: -1, timedOut: false })
      expect(await cli('ps', '--all', '--quiet', '--filter', `name=^${doomed.id}$`)).toBe('')
      expect(await processesOnHost(sleeper)).toEqual([])
    })
  })

  describe('sandboxes', () => {
    it('are containers with an init process, the labels, no network and the limits', async () => {
      const [info] = JSON.parse(await cli('container', 'inspect', sandbox.id)) as Array<{
        Config: { Labels: Record<string, string>; Entrypoint: string[] }
        HostConfig: { Init: boolean; NetworkMode: string; Memory: number; NanoCpus: number }
      }>
      expect(info!.HostConfig).toMatchObject({ Init: true, NetworkMode: 'none', Memory: 256 * 1024 * 1024, NanoCpus: 500_000_000 })
      expect(info!.Config.Entrypoint).toEqual(['sleep'])
      expect(info!.Config.Labels).toMatchObject({
        [SANDBOX_LABELS.run]: testRunName,
        [SANDBOX_LABELS.role]: 'solo',
        'cooperbench.backend': 'container-cli',
        'cooperbench.task': 'cli_fixture_task/1',
        'cooperbench.owner.pid': String(process.pid),
        'cooperbench.owner.host': hostname(),
      })
    })

    it('give bash -lc the PATH a command was started with, although /etc/profile resets it', async () => {
      const path = '/opt/cooperbench-test/bin:/usr/bin:/bin'
      expect(await sandbox.exec('echo "$PATH"', { env: { PATH: path } })).toMatchObject({ exitCode: 0, stdout: `${path}\n` })
      // The hook is the reason: a login shell started without it gets Debian's PATH.
      expect((await cli('exec', '--env', `PATH=${path}`, sandbox.id, 'bash', '-lc', 'echo "$PATH"')).trim()).not.toBe(path)
    })

    it('run a string command longer than the kernel takes as an argument, still a login shell with its PATH', async () => {
      const path = '/opt/cooperbench-test/bin:/usr/bin:/bin'
      const long = await sandbox.exec(`: ${'x'.repeat(200_000)}\necho "$PATH"; shopt -q login_shell && echo login`, { env: { PATH: path } })
      expect(long).toMatchObject({ exitCode: 0, stdout: `${path}\nlogin\n`, stderr: '' })
      expect((await sandbox.exec('ls -A /tmp')).stdout).not.toContain('.cooperbench-command-')
    })

    it('refuse an argv argument longer than the kernel takes with SANDBOX_FAILED and a hint, and go on working', async () => {
      const error = await sandbox.exec(['echo', 'x'.repeat(200_000)]).then(
        () => null,
        (caught: unknown) => caught,
      )
      expect(isCooperbenchError(error) && error.code).toBe('SANDBOX_FAILED')
      expect(isCooperbenchError(error) && error.hint).toContain('writeFile')
      expect(await sandbox.exec('echo still here')).toMatchObject({ exitCode: 0, stdout: 'still here\n' })
    })

    it('report a container that stopped under them as SANDBOX_FAILED, naming its state', async () => {
      const victim = await backend.createSandbox(specFor(fixture.task, 'agent2'))
      try {
        await cli('kill', victim.id)
        const error = await victim.exec('true').then(
          () => null,
          (caught: unknown) => caught,
        )
        expect(isCooperbenchError(error) && error.code).toBe('SANDBOX_FAILED')
        expect((error as Error).message).toMatch(/the container is exited/)
        await expect(victim.readFile('/etc/hostname')).rejects.toThrow(/the container is exited/)
      } finally {
        await victim.terminate()
      }
    })
  })

  describe('listSandboxes and reap', () => {
    it('tell leftovers of a dead process from sandboxes in use, and remove only the leftovers', async () => {
      const runName = uniqueRun()
      const live = await backend.createSandbox(specFor(fixture.task, 'agent1', runName))
      const deadPid = spawnSync('true').pid!
      const byHand = (owner: string, host: string) =>
        cli(
          'run',
          '--detach',
          '--network',
          'none',
          '--init',
          '--label',
          'cooperbench.backend=container-cli',
          '--label',
          `${SANDBOX_LABELS.run}=${runName}`,
          '--label',
          `cooperbench.owner.pid=${owner}`,
          '--label',
          `cooperbench.owner.host=${host}`,
          '--name',
          `cooperbench-${runName}-${randomBytes(3).toString('hex')}`,
          '--entrypoint',
          'sleep',
          imageOf(fixture.task),
          '600',
        ).then((id) => id.trim())
      const leftover = await byHand(String(deadPid), hostname())
      const elsewhere = await byHand('1', `another-${hostname()}`)
      const names = async (id: string) => (await cli('container', 'inspect', '--format', '{{.Name}}', id)).trim().replace(/^\//, '')

      const listed = await backend.listSandboxes({ runName })
      expect(Object.fromEntries(listed.map((info) => [info.id, info.ownerAlive]))).toEqual({
        [live.id]: true,
        [await names(leftover)]: false,
        [await names(elsewhere)]: null,
      })
      expect(listed.every((info) => info.state === 'running' && typeof info.createdAt === 'string')).toBe(true)
      // Another run's sandboxes are not listed.
      expect((await backend.listSandboxes({ runName: uniqueRun() })).length).toBe(0)

      expect(await backend.reap({ runName })).toBe(1)
      expect((await containersWithLabel(`${SANDBOX_LABELS.run}=${runName}`)).sort()).toEqual([live.id, await names(elsewhere)].sort())
      expect(await live.exec('echo alive')).toMatchObject({ exitCode: 0, stdout: 'alive\n' })

      expect(await backend.reap({ runName, includeLive: true })).toBe(2)
      expect(await containersWithLabel(`${SANDBOX_LABELS.run}=${runName}`)).toEqual([])
      await expect(live.exec('true')).rejects.toThrow(/has been terminated/)
    })
  })
})
