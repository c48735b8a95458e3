import { createHash, randomBytes } from 'node:crypto'
import { isCooperbenchError, SANDBOX_LABELS } from '@cooperbench/spec'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { truncationMarker } from '@cooperbench/backend-kit'
import type { DockerBackend } from '../src/docker-backend.js'
import type { DockerSandbox } from '../src/docker-sandbox.js'
import {
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
} from './fixture.js'

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')

/**
 * Processes in the sandbox other than init, the idle sleep, the `ps` itself and the kit's kill
 * script with what it runs (on a loaded machine it may still be in its last pass, or waiting out
 * its `sleep 0.1` for the record of a command that already ended, when the exec has returned).
 */
async function strayProcesses(sandbox: DockerSandbox): Promise<string[]> {
  const result = await sandbox.exec(['ps', '-eo', 'pid=,ppid=,args='])
  const rows = result.stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s(.*)$/.exec(line))
    .filter((m) => m !== null)
    .map((m) => ({ pid: m[1]!, ppid: m[2]!, args: m[3]! }))
  const killScripts = new Set(rows.filter((row) => /cooperbench-kill \w+/.test(row.args)).map((row) => row.pid))
  return (
    rows
      // A process that has exited and waits to be reaped (the kill script's `grep`, seen once) is not running.
      .filter((row) => !killScripts.has(row.pid) && !killScripts.has(row.ppid) && !row.args.endsWith('<defunct>'))
      .map((row) => `${row.pid} ${row.args}`)
      // The startup check's shell becomes the idle sleep right after its last line; the listing's own exec wrapper.
      .filter(
        (line) => !/^\d+ (\/sbin\/docker-init|sleep 7200|ps -eo|sh -c \(.mkdir -p \/patches)/.test(line) && !/cooperbench-exec \w+ 0 \S+ ps -eo/.test(line),
      )
  )
}

describe.skipIf(!engineAnswers)(`docker sandbox (${engineAnswers ? 'engine answers' : engineSkipReason})`, () => {
  let fixture: DockerTaskFixture
  let backend: DockerBackend
  let sandbox: DockerSandbox

  beforeAll(async () => {
    await ensureBaseImage()
    fixture = await makeTaskFixture()
    backend = newBackend()
    sandbox = await backend.createSandbox(specFor(backend, fixture.task))
  }, 300_000)

  afterAll(async () => {
    await closeBackends()
    await removeTestLeftovers()
    await fixture?.fixture.cleanup()
  }, 120_000)

  beforeEach((context) => context.skip(!engineAnswers, engineSkipReason))

  describe('the container', () => {
    it('holds the repository at the base commit in /workspace/repo, and /patches', async () => {
      const result = await sandbox.exec('git rev-parse HEAD && cat README.md && git status --porcelain && pwd && test -d /patches && echo patches')
      expect(result).toMatchObject({ exitCode: 0, stderr: '', timedOut: false, truncated: false })
      expect(result.stdout).toBe(`${fixture.fixture.baseCommit}\nbase version\n/workspace/repo\npatches\n`)
    })

    it('idles under an init process instead of running the image entrypoint', async () => {
      // init runs the startup check's shell, which has become the idle sleep by now.
      const result = await sandbox.exec(['ps', '-eo', 'pid=,ppid=,args='])
      expect(result.stdout).toMatch(/^\s*1\s+0 \/sbin\/docker-init -- sh -c /m)
      expect(result.stdout).toMatch(/^\s*\d+\s+1 sleep 7200$/m)
      expect(result.stdout).not.toContain('runner.sh')
    })

    it('has the labels of run, role and creator', async () => {
      const info = JSON.parse(await dockerCli('inspect', sandbox.id))[0]
      expect(info.Config.Labels).toMatchObject({
        [SANDBOX_LABELS.run]: expect.stringMatching(/^cb-docker-test-/),
        [SANDBOX_LABELS.role]: 'agent1',
        'cooperbench.managed': 'true',
        'cooperbench.task': 'fixture_task/1',
        'cooperbench.creator.pid': String(process.pid),
      })
      expect(info.HostConfig).toMatchObject({ Init: true, AutoRemove: false, NetworkMode: 'none', NanoCpus: 1e9, Memory: 512 * 1024 * 1024, PidsLimit: 1024 })
    })
  })

  describe('exec', () => {
    it('returns the exit code and keeps stdout and stderr apart', async () => {
      const result = await sandbox.exec('echo out; echo err >&2; exit 3')
      expect(result).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false, truncated: false })
      expect(result.durationMs).toBeGreaterThanOrEqual(0)
    })

    it('runs argv without a shell', async () => {
      const result = await sandbox.exec(['printf', '%s|', 'a b', '$HOME', "'q'"])
      expect(result.stdout).toBe("a b|$HOME|'q'|")
    })

    it('reports a missing program like a shell (127) and a signal death as 128+n', async () => {
      const missing = await sandbox.exec(['definitely-not-a-program'])
      expect(missing.exitCode).toBe(127)
      expect(missing.stdout).toBe('')
      expect(missing.stderr).toContain('definitely-not-a-program')
      expect((await sandbox.exec('kill -SEGV $$')).exitCode).toBe(139)
    })

    it('runs in /workspace/repo by default and in options.cwd when given', async () => {
      expect((await sandbox.exec('pwd')).stdout).toBe('/workspace/repo\n')
      expect((await sandbox.exec('pwd', { cwd: '/tmp' })).stdout).toBe('/tmp\n')
      expect((await sandbox.exec(['pwd'], { cwd: '/patches' })).stdout).toBe('/patches\n')
      expect((await sandbox.exec(['pwd'], { cwd: '.git' })).stdout).toBe('/workspace/repo/.git\n')
      const missing = await sandbox.exec('pwd', { cwd: '/nonexistent' })
      expect(missing.exitCode).toBe(1)
      expect(missing.stderr).toContain('/nonexistent')
    })

    it('passes options.env, and keeps the image PATH in login shells', async () => {
      const result = await sandbox.exec('echo "$GREETING $OTHER"; echo "$PATH"', { env: { GREETING: 'hi there', OTHER: 'x=y' } })
      expect(result.stdout).toBe('hi there x=y\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n')
      const custom = await sandbox.exec('echo "$PATH"', { env: { PATH: '/opt/tool/bin:/usr/bin:/bin' } })
      expect(custom.stdout).toBe('/opt/tool/bin:/usr/bin:/bin\n')
      expect((await sandbox.exec('env')).stdout).not.toContain('COOPERBENCH_PATH')
    })

    it("runs a string command over the kernel's 128 KiB argument limit as a login shell with its PATH, leaving no script", async () => {
      const long = await sandbox.exec(`: ${'x'.repeat(200_000)}\necho "$PATH"; shopt -q login_shell && echo login`, {
        env: { PATH: '/opt/tool/bin:/usr/bin:/bin' },
      })
      expect(long).toMatchObject({ exitCode: 0, stdout: '/opt/tool/bin:/usr/bin:/bin\nlogin\n', stderr: '' })
      expect((await sandbox.exec('ls -A /tmp')).stdout).not.toContain('.cooperbench-command-')
    })

    it('feeds stdin, text or binary, and closes it', async () => {
      expect((await sandbox.exec('tr a-z A-Z', { stdin: 'hello\n' })).stdout).toBe('HELLO\n')
      const bytes = randomBytes(3 * 1024 * 1024)
      const result = await sandbox.exec('sha256sum | cut -d" " -f1', { stdin: bytes })
      expect(result.stdout.trim()).toBe(sha256(bytes))
      // Without stdin a reading command sees end-of-file at once, not a hang.
      const empty = await sandbox.exec('cat; echo done', { timeoutMs: 10_000 })
      expect(empty).toMatchObject({ exitCode: 0, stdout: 'done\n', timedOut: false })
    })

    it('gives a command without input /dev/null as stdin (the local backend does the same)', async () => {
      const stdin = await sandbox.exec('readlink /proc/self/fd/0; test -c /dev/stdin && echo character-device', { timeoutMs: 10_000 })
      expect(stdin).toMatchObject({ exitCode: 0, stdout: '/dev/null\ncharacter-device\n' })
    })

    it('kills a command and everything it started when the timeout fires', async () => {
      const started = Date.now()
      const result = await sandbox.exec("bash -c 'sleep 100 & sleep 100'", { timeoutMs: 1_000 })
      const elapsed = Date.now() - started
      expect(result).toMatchObject({ exitCode: -1, timedOut: true })
      // Well under the 100 s the command would take unstopped, whatever the machine's load.
      expect(elapsed).toBeLessThan(50_000)
      expect(await strayProcesses(sandbox)).toEqual([])
    })

    it('also kills children that left the process group or the session', async () => {
      const result = await sandbox.exec('setsid sleep 101 & (set -m; sleep 102 & wait) & sleep 103', { timeoutMs: 1_000 })
      expect(result).toMatchObject({ exitCode: -1, timedOut: true })
      expect(await strayProcesses(sandbox)).toEqual([])
    })

    it('stops at once with a timeout shorter than the exec start', async () => {
      const result = await sandbox.exec('sleep 100', { timeoutMs: 1 })
      expect(result).toMatchObject({ exitCode: -1, timedOut: true })
      expect(await strayProcesses(sandbox)).toEqual([])
    })

    it('kills the command when the signal aborts, and refuses to start with an aborted signal', async () => {
      const controller = new AbortController()
      const running = sandbox.exec('sleep 100', { signal: controller.signal })
      setTimeout(() => controller.abort(), 500)
      const started = Date.now()
      expect(await running).toMatchObject({ exitCode: -1, timedOut: true })
      expect(Date.now() - started).toBeLessThan(50_000)
      expect(await strayProcesses(sandbox)).toEqual([])
      expect(await sandbox.exec('echo never', { signal: AbortSignal.abort() })).toMatchObject({ exitCode: -1, stdout: '' })
    })

    it('leaves background processes of a finished command alone', async () => {
      const result = await sandbox.exec('nohup sleep 30 >/dev/null 2>&1 & echo started')
      expect(result).toMatchObject({ exitCode: 0, stdout: 'started\n' })
      expect((await sandbox.exec('pgrep -x sleep -a')).stdout).toContain('sleep 30')
      await sandbox.exec('pkill -f "sleep 30"')
    })

    it('caps 20 MB of output with the marker and keeps draining', async () => {
      const result = await sandbox.exec('head -c 20000000 /dev/zero | tr "\\0" a; echo tail >&2', { maxOutputBytes: 1024 * 1024 })
      expect(result.exitCode).toBe(0)
      expect(result.truncated).toBe(true)
      expect(result.stdout).toBe(`${'a'.repeat(1024 * 1024)}\n${truncationMarker(20_000_000 - 1024 * 1024)}\n`)
      expect(result.stderr).toBe('tail\n')
    })

    it('caps at the backend default of 10 MiB', async () => {
      const result = await sandbox.exec('head -c 20000000 /dev/zero')
      expect(result.truncated).toBe(true)
      expect(result.stdout.length).toBeLessThan(10 * 1024 * 1024 + 200)
      expect(result.stdout).toContain(truncationMarker(20_000_000 - 10 * 1024 * 1024))
    })
  })

  describe('files', () => {
    it('round-trips 5 MiB of binary data, creating parent directories', async () => {
      const data = randomBytes(5 * 1024 * 1024)
      await sandbox.writeFile('/tmp/deep/er/blob.bin', data)
      const back = await sandbox.readFile('/tmp/deep/er/blob.bin')
      expect(sha256(back)).toBe(sha256(data))
      expect((await sandbox.exec(['stat', '-c', '%s %a %U', '/tmp/deep/er/blob.bin'])).stdout).toBe(`${data.length} 644 root\n`)
    })

    it('moves a 64 MiB file each way', async () => {
      const data = randomBytes(64 * 1024 * 1024)
      await sandbox.writeFile('/tmp/big.bin', data)
      expect((await sandbox.exec('sha256sum /tmp/big.bin | cut -d" " -f1')).stdout.trim()).toBe(sha256(data))
      expect(sha256(await sandbox.readFile('/tmp/big.bin'))).toBe(sha256(data))
      await sandbox.exec('rm /tmp/big.bin')
    }, 120_000)

    it('writes text relative to the repository, empty files, and keeps an existing mode', async () => {
      await sandbox.writeFile('notes/new.txt', 'héllo\n')
      expect((await sandbox.exec(['cat', '/workspace/repo/notes/new.txt'])).stdout).toBe('héllo\n')
      await sandbox.writeFile('/patches/empty.patch', '')
      expect((await sandbox.exec(['stat', '-c', '%s', '/patches/empty.patch'])).stdout).toBe('0\n')
      await sandbox.exec('printf "#!/bin/sh\\necho one\\n" > /tmp/tool.sh && chmod 755 /tmp/tool.sh')
      await sandbox.writeFile('/tmp/tool.sh', '#!/bin/sh\necho two\n')
      expect((await sandbox.exec('/tmp/tool.sh')).stdout).toBe('two\n')
      await sandbox.exec('rm -rf notes')
    })

    it('writes and reads through symlinks', async () => {
      await sandbox.exec('mkdir -p /tmp/real && ln -sfn /tmp/real/target.txt /tmp/link.txt')
      await sandbox.writeFile('/tmp/link.txt', 'through the link')
      expect((await sandbox.exec('test -L /tmp/link.txt && cat /tmp/real/target.txt')).stdout).toBe('through the link')
      expect(Buffer.from(await sandbox.readFile('/tmp/link.txt')).toString()).toBe('through the link')
      // A relative link to a link; a loop is refused.
      await sandbox.exec('ln -sfn link.txt /tmp/chain.txt && ln -sfn loop-b /tmp/loop-a && ln -sfn loop-a /tmp/loop-b')
      expect(Buffer.from(await sandbox.readFile('/tmp/chain.txt')).toString()).toBe('through the link')
      await expect(sandbox.readFile('/tmp/loop-a')).rejects.toThrow(/cannot read \/tmp\/loop-a/)
    })

    it('reports a missing file and a directory clearly', async () => {
      const missing = await sandbox.readFile('/no/such/file').catch((e: unknown) => e)
      expect(isCooperbenchError(missing) && missing.code).toBe('SANDBOX_FAILED')
      expect((missing as Error).message).toBe(`sandbox ${sandbox.id}: cannot read /no/such/file: no such file`)
      await expect(sandbox.readFile('/workspace')).rejects.toThrow(/is a directory/)
      await expect(sandbox.writeFile('/workspace/repo', 'x')).rejects.toThrow(/is a directory/)
    })
  })

  describe('isolation and termination', () => {
    it('keeps concurrent sandboxes apart', async () => {
      const [a, b] = await Promise.all([
        backend.createSandbox(specFor(backend, fixture.task, 'agent1')),
        backend.createSandbox(specFor(backend, fixture.task, 'agent2')),
      ])
      await Promise.all([a.writeFile('/workspace/repo/mine.txt', 'a'), b.writeFile('/tmp/other.txt', 'b')])
      expect((await a.exec('ls mine.txt /tmp/other.txt')).exitCode).not.toBe(0)
      expect((await b.exec('test -e mine.txt')).exitCode).toBe(1)
      expect((await b.exec('cat /tmp/other.txt')).stdout).toBe('b')
      await Promise.all([a.terminate(), b.terminate()])
    })

    it('terminates at once and idempotently; later calls fail clearly', async () => {
      const doomed = await backend.createSandbox(specFor(backend, fixture.task, 'doomed'))
      const started = Date.now()
      await doomed.terminate()
      // Under the engine's 10 s stop grace: the container is killed, not asked to stop.
      expect(Date.now() - started).toBeLessThan(9_000)
      await doomed.terminate()
      expect(await containersWithLabel(`cooperbench.role=doomed`)).toEqual([])
      const error = await doomed.exec('true').catch((e: unknown) => e)
      expect(isCooperbenchError(error) && error.code).toBe('SANDBOX_FAILED')
      expect((error as Error).message).toBe(`sandbox ${doomed.id} has been terminated`)
      await expect(doomed.readFile('/etc/hostname')).rejects.toThrow(/terminated/)
    })

    it('resolves a running command with -1 when terminated under it, and removes the container', async () => {
      const doomed = await backend.createSandbox(specFor(backend, fixture.task, 'doomed-exec'))
      const running = doomed.exec('sleep 100')
      await new Promise((r) => setTimeout(r, 500))
      const started = Date.now()
      await Promise.all([doomed.terminate(), doomed.terminate()])
      const result = await running
      expect(result).toMatchObject({ exitCode: -1, timedOut: false })
      expect(Date.now() - started).toBeLessThan(9_000)
      expect(await containersWithLabel(`cooperbench.role=doomed-exec`)).toEqual([])
    })
  })
})
