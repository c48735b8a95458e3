import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, realpathSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { isCooperbenchError } from '@cooperbench/spec'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { LocalBackend } from '../src/local-backend.js'
import type { LocalSandbox } from '../src/local-sandbox.js'
import { truncationMarker } from '@cooperbench/backend-kit'
import { bwrapPath, bwrapSkipReason, makeTaskFixture, specFor, type TaskFixture } from './fixture.js'

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')

/** Command lines of host processes containing `needle` (the test runs in the sandboxes' pid space). */
function hostProcessesMatching(needle: string): string[] {
  const out = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })
  return out.split('\n').filter((line) => line.includes(needle) && !line.includes('ps -eo'))
}

describe('local sandbox', () => {
  let fixture: TaskFixture
  let root: string
  let backend: LocalBackend
  let sandbox: LocalSandbox

  beforeAll(async () => {
    if (!bwrapPath) return
    fixture = await makeTaskFixture()
    root = await mkdtemp(join(tmpdir(), 'cb-local-root-'))
    backend = new LocalBackend({ root })
    sandbox = await backend.createSandbox(specFor(fixture.task))
  })

  afterAll(async () => {
    if (!bwrapPath) return
    await backend.close()
    await fixture.cleanup()
    await rm(root, { recursive: true, force: true })
  })

  beforeEach((context) => context.skip(!bwrapPath, bwrapSkipReason))

  describe('the repository', () => {
    it('is at /workspace/repo at the base commit, detached, clean, with no remote and no alternates', async () => {
      const result = await sandbox.exec(
        'git rev-parse HEAD && git rev-parse --abbrev-ref HEAD && cat README.md && git status --porcelain && git remote && test ! -e .git/objects/info/alternates && pwd',
      )
      expect(result).toMatchObject({ exitCode: 0, stderr: '', timedOut: false, truncated: false })
      // `--abbrev-ref` prints HEAD for a detached HEAD, a branch's name otherwise.
      expect(result.stdout).toBe(`${fixture.baseCommit}\nHEAD\nbase version\n/workspace/repo\n`)
    })

    it('does not name the host bundle anywhere in its config', async () => {
      const result = await sandbox.exec(['cat', '.git/config'])
      expect(result.stdout).not.toContain('repo.bundle')
      expect(result.stdout).not.toContain(root)
    })

    it('holds the base and its ancestors only: no later commit, tag, remote ref, leftover branch or stash of the bundle is readable', async () => {
      for (const [kind, object] of Object.entries(fixture.laterObjects)) {
        const read = await sandbox.exec(['git', 'cat-file', '-e', object])
        expect(read.exitCode, `${kind} ${object}`).not.toBe(0)
      }
      const all = await sandbox.exec(['git', 'cat-file', '--batch-all-objects', '--batch-check=%(objectname)'])
      expect(all.exitCode).toBe(0)
      for (const object of Object.values(fixture.laterObjects)) expect(all.stdout).not.toContain(object)
      const refs = await sandbox.exec('git for-each-ref; git stash list; git reflog --all; git log --all --format=%H; ls .git/logs 2>/dev/null; true')
      expect(refs.stdout).toBe(`${fixture.baseCommit}\n${fixture.parentCommit}\n`)
      const grep = await sandbox.exec('git log --all -p | grep -c ANSWER; git grep -c ANSWER $(git rev-list --all); true')
      expect(grep.stdout.trim()).toBe('0')
      // The base's own history stays: ordinary context.
      expect((await sandbox.exec(['git', 'log', '--format=%s'])).stdout).toBe('base\nfirst\n')
      expect((await sandbox.exec(['git', 'show', `${fixture.parentCommit}:README.md`])).stdout).toBe('first version\n')
    })
  })

  describe('exec', () => {
    it('returns the exit code and keeps stdout and stderr apart', async () => {
      const result = await sandbox.exec('echo out; echo err >&2; exit 3')
      expect(result).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false, truncated: false })
      expect(result.durationMs).toBeGreaterThanOrEqual(0)
    })

    it('runs in /workspace/repo by default and in options.cwd when given', async () => {
      expect((await sandbox.exec('pwd')).stdout).toBe('/workspace/repo\n')
      expect((await sandbox.exec('pwd', { cwd: '/tmp' })).stdout).toBe('/tmp\n')
      expect((await sandbox.exec(['pwd'], { cwd: '/patches' })).stdout).toBe('/patches\n')
    })

    it('starts from a clean environment plus options.env', async () => {
      process.env.COOPERBENCH_LEAK_CHECK = 'secret'
      try {
        const result = await sandbox.exec('echo "$HOME|$LANG|$TERM|$GIT_CONFIG_NOSYSTEM|$FOO|${COOPERBENCH_LEAK_CHECK-unset}|${COOPERBENCH_PATH-unset}"', {
          env: { FOO: 'bar baz' },
        })
        expect(result.stdout).toBe('/tmp|C.UTF-8|dumb|1|bar baz|unset|unset\n')
      } finally {
        delete process.env.COOPERBENCH_LEAK_CHECK
      }
    })

    it('keeps the host PATH, also for login shells (bash -lc) and when options.env sets PATH', async () => {
      expect((await sandbox.exec('echo $PATH')).stdout).toBe(`${process.env.PATH}\n`)
      expect((await sandbox.exec(['printenv', 'PATH'])).stdout).toBe(`${process.env.PATH}\n`)
      expect((await sandbox.exec('echo $PATH', { env: { PATH: '/usr/bin:/bin' } })).stdout).toBe('/usr/bin:/bin\n')
      // A command that wipes /tmp (HOME) does not lose the PATH of the next one.
      await sandbox.exec('rm -rf /tmp/.bash_profile')
      expect((await sandbox.exec('echo $PATH')).stdout).toBe(`${process.env.PATH}\n`)
    })

    it("runs a string command over the kernel's 128 KiB argument limit as a login shell with its PATH, leaving no script", async () => {
      const long = await sandbox.exec(`: ${'x'.repeat(200_000)}\necho "$PATH"; shopt -q login_shell && echo login`, { env: { PATH: '/usr/bin:/bin' } })
      expect(long).toMatchObject({ exitCode: 0, stdout: '/usr/bin:/bin\nlogin\n', stderr: '' })
      expect((await sandbox.exec('ls -A /tmp')).stdout).not.toContain('.cooperbench-command-')
    })

    it.skipIf(!existsSync(join(homedir(), '.rustup')))('finds host toolchains that look under HOME (rustup)', async () => {
      const result = await sandbox.exec('rustc --version')
      expect(result).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/^rustc /) })
    })

    it('feeds stdin, text or bytes, then closes it', async () => {
      expect((await sandbox.exec('cat', { stdin: 'hello\nworld' })).stdout).toBe('hello\nworld')
      const bytes = randomBytes(100_000)
      expect((await sandbox.exec(['sha256sum'], { stdin: bytes })).stdout).toBe(`${sha256(bytes)}  -\n`)
      // Without stdin a reader sees end-of-file instead of hanging.
      expect((await sandbox.exec('cat; echo done', { timeoutMs: 10_000 })).stdout).toBe('done\n')
    })

    it('gives a command without input /dev/null as stdin, as Docker does (not a pipe or socket at end-of-file)', async () => {
      const stdin = await sandbox.exec('readlink /proc/self/fd/0; test -c /dev/stdin && echo character-device', { timeoutMs: 10_000 })
      expect(stdin).toMatchObject({ exitCode: 0, stdout: '/dev/null\ncharacter-device\n' })
    })

    it('runs an array as argv, without a shell', async () => {
      expect((await sandbox.exec(['printf', '%s|', 'a b', '$HOME', "it's"])).stdout).toBe("a b|$HOME|it's|")
      const missing = await sandbox.exec(['definitely-not-a-command'])
      expect(missing.exitCode).not.toBe(0)
    })

    it('shows no host path in the command lines visible inside', async () => {
      const result = await sandbox.exec("cat /proc/1/cmdline | tr '\\0' ' '")
      expect(result.stdout).toMatch(/^\S*bwrap --args 3 -- bash -lc /)
      expect(result.stdout).not.toContain(root)
    })

    it('reports a command killed by a signal as 128+n, like a shell', async () => {
      expect((await sandbox.exec(['bash', '-c', 'kill -SEGV $$'])).exitCode).toBe(139)
    })

    it('kills a command at its timeout, with everything it started', async () => {
      const started = Date.now()
      const result = await sandbox.exec("bash -c 'sleep 100.0417 & sleep 100.0417'; echo never", { timeoutMs: 500 })
      expect(result).toMatchObject({ exitCode: -1, timedOut: true })
      expect(result.stdout).toBe('')
      // Well under the 100 s the command would take unstopped, whatever the machine's load.
      expect(Date.now() - started).toBeLessThan(50_000)
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(hostProcessesMatching('sleep 100.0417')).toEqual([])
    })

    it('kills a command when its signal aborts', async () => {
      const controller = new AbortController()
      const started = Date.now()
      setTimeout(() => controller.abort(), 300)
      const result = await sandbox.exec('sleep 100.0418', { signal: controller.signal })
      expect(result).toMatchObject({ exitCode: -1, timedOut: true })
      expect(Date.now() - started).toBeLessThan(50_000)
      expect(hostProcessesMatching('sleep 100.0418')).toEqual([])
      const already = await sandbox.exec('echo no', { signal: AbortSignal.abort() })
      expect(already).toMatchObject({ exitCode: -1, timedOut: true })
    })

    it('caps large output with a marker and keeps draining', async () => {
      const total = 20_000_000
      const result = await sandbox.exec(`head -c ${total} /dev/zero | tr '\\0' a; echo tail >&2`)
      expect(result.exitCode).toBe(0)
      expect(result.truncated).toBe(true)
      const cap = 10 * 1024 * 1024
      expect(result.stdout).toBe(`${'a'.repeat(cap)}\n${truncationMarker(total - cap)}\n`)
      expect(result.stderr).toBe('tail\n')
    })

    it('honours a per-command output cap and never cuts a UTF-8 character in half', async () => {
      const result = await sandbox.exec("printf 'aé%.0s' $(seq 1000)", { maxOutputBytes: 11 })
      // 'aé' is 3 bytes: 11 bytes hold three pairs, an 'a' and half an 'é', which is dropped too.
      expect(result.stdout).toBe(`aéaéaéa\n${truncationMarker(3000 - 10)}\n`)
      expect(result.truncated).toBe(true)
    })
  })

  describe('files', () => {
    it('round-trips 5 MiB of random bytes through writeFile and readFile', async () => {
      const data = randomBytes(5 * 1024 * 1024)
      await sandbox.writeFile('/tmp/blob.bin', data)
      expect(Buffer.from(await sandbox.readFile('/tmp/blob.bin')).equals(data)).toBe(true)
      expect((await sandbox.exec(['sha256sum', '/tmp/blob.bin'])).stdout).toBe(`${sha256(data)}  /tmp/blob.bin\n`)
    })

    it('reads a file that a command wrote, byte for byte', async () => {
      await sandbox.exec('head -c 1000000 /dev/urandom > /workspace/repo/out.bin')
      const bytes = await sandbox.readFile('/workspace/repo/out.bin')
      expect(bytes.length).toBe(1_000_000)
      expect((await sandbox.exec(['sha256sum', 'out.bin'])).stdout).toBe(`${sha256(bytes)}  out.bin\n`)
      await sandbox.exec(['rm', 'out.bin'])
    })

    it('creates parent directories, takes relative paths from /workspace/repo, keeps the mode of a replaced file', async () => {
      await sandbox.writeFile('/patches/deep/er/tests1.patch', 'diff\n')
      expect((await sandbox.exec(['cat', '/patches/deep/er/tests1.patch'])).stdout).toBe('diff\n')
      await sandbox.writeFile('new/file.txt', 'relative\n')
      expect((await sandbox.exec(['cat', '/workspace/repo/new/file.txt'])).stdout).toBe('relative\n')
      await sandbox.exec('printf "#!/bin/sh\\necho v1\\n" > /tmp/tool.sh && chmod 755 /tmp/tool.sh')
      await sandbox.writeFile('/tmp/tool.sh', '#!/bin/sh\necho v2\n')
      expect((await sandbox.exec('/tmp/tool.sh')).stdout).toBe('v2\n')
      await sandbox.exec('rm -rf new')
    })

    it('reads host files the sandbox sees read-only, and refuses to write there', async () => {
      expect(Buffer.from(await sandbox.readFile('/etc/passwd')).toString()).toContain('root:')
      const error = await sandbox.writeFile('/etc/cooperbench-test', 'x').catch((e: unknown) => e)
      expect(isCooperbenchError(error) && error.code).toBe('SANDBOX_FAILED')
      expect((error as Error).message).toContain('read-only')
      await expect(sandbox.readFile('/workspace/repo/missing.txt')).rejects.toThrow(/no such file/)
    })

    it('does not follow a symlink made inside the sandbox out onto the host', async () => {
      const hostDir = await mkdtemp(join(tmpdir(), 'cb-local-escape-'))
      try {
        await sandbox.exec(['ln', '-s', hostDir, '/workspace/repo/escape'])
        await sandbox.exec(['ln', '-s', '/workspace/repo/README.md', '/tmp/readme-link'])
        // Inside the sandbox the link dangles (host /tmp is not shared), so the write fails there.
        await expect(sandbox.writeFile('/workspace/repo/escape/evil', 'x')).rejects.toThrow()
        expect(existsSync(join(hostDir, 'evil'))).toBe(false)
        // A link into the sandbox's own paths resolves as the sandbox sees it.
        expect(Buffer.from(await sandbox.readFile('/tmp/readme-link')).toString()).toBe('base version\n')
        await sandbox.writeFile('/tmp/readme-link', 'changed through link\n')
        expect((await sandbox.exec(['cat', 'README.md'])).stdout).toBe('changed through link\n')
      } finally {
        await sandbox.exec('git checkout -- README.md && rm -f escape /tmp/readme-link')
        await rm(hostDir, { recursive: true, force: true })
      }
    })
  })

  describe('isolation', () => {
    it('sees the host read-only outside /workspace/repo, /patches and /tmp', async () => {
      for (const path of ['/usr/cb-test', '/etc/cb-test', '/cb-test', '/workspace/cb-test', '/usr/local/bin/cb-test', '/root/cb-test']) {
        const result = await sandbox.exec(`echo x > ${path}`)
        expect(result.exitCode, path).not.toBe(0)
        expect(existsSync(path), path).toBe(false)
      }
      for (const path of ['/workspace/repo/cb-test', '/patches/cb-test', '/tmp/cb-test']) {
        expect((await sandbox.exec(`echo x > ${path} && rm ${path}`)).exitCode, path).toBe(0)
      }
    })

    it("shows container engines' state as an empty read-only directory", async () => {
      for (const path of ['/var/lib/docker', '/var/lib/containerd'].filter((dir) => existsSync(dir))) {
        expect(await sandbox.exec(`ls -A ${path}; touch ${path}/cb-test`), path).toMatchObject({ exitCode: 1, stdout: '' })
      }
      expect((await sandbox.exec(['test', '-d', '/var/lib'])).exitCode).toBe(0)
    })

    it('does not see the host /tmp, the workspace root or the task folder', async () => {
      const marker = join(tmpdir(), `cb-host-only-${randomBytes(4).toString('hex')}`)
      await writeFile(marker, 'host')
      try {
        for (const path of [marker, root, sandbox.workspaceDir, fixture.task.dir]) {
          expect((await sandbox.exec(['test', '-e', path])).exitCode, path).toBe(1)
        }
      } finally {
        await rm(marker)
      }
    })

    it('shows a host folder under /tmp that an agent shares (a CLI in a checkout there) read-only, and still no other /tmp entry', async () => {
      // The host's /tmp itself, whatever TMPDIR says: the sandbox has its own /tmp over it.
      const shared = await mkdtemp('/tmp/cb-shared-cli-')
      const other = await mkdtemp('/tmp/cb-not-shared-')
      try {
        await writeFile(join(shared, 'cli.sh'), 'echo cli ran\n')
        expect((await sandbox.exec(['test', '-e', join(shared, 'cli.sh')])).exitCode).toBe(1)
        expect(await sandbox.shareHostPath(shared)).toBe(shared)
        expect(await sandbox.exec(`bash ${shared}/cli.sh`)).toMatchObject({ exitCode: 0, stdout: 'cli ran\n' })
        expect((await sandbox.exec(`echo x > ${shared}/new`)).exitCode).not.toBe(0)
        expect(existsSync(join(shared, 'new'))).toBe(false)
        expect((await sandbox.exec(['test', '-e', other])).exitCode).toBe(1)
        expect((await sandbox.exec('echo x > /tmp/cb-own && rm /tmp/cb-own')).exitCode).toBe(0)
      } finally {
        await rm(shared, { recursive: true, force: true })
        await rm(other, { recursive: true, force: true })
      }
    })

    it('shareHostPath: a path the host root shows is returned as it is; the task folder, host plumbing and a missing path are refused', async () => {
      expect(await sandbox.shareHostPath('/usr/bin')).toBe(realpathSync('/usr/bin'))
      for (const path of [fixture.task.dir, '/run', '/tmp/cb-no-such-path']) {
        const error = await sandbox.shareHostPath(path).then(
          () => null,
          (e: unknown) => e,
        )
        expect(isCooperbenchError(error) && error.code, path).toBe('SANDBOX_FAILED')
      }
      expect((await sandbox.exec(['test', '-e', fixture.task.dir])).exitCode).toBe(1)
    })

    it('runs string commands (bash -lc) without the host user’s shell startup files', async () => {
      // A home the sandbox can read (not under /tmp), planted with startup files that would print and fail.
      const home = await mkdtemp('/var/tmp/cb-planted-home-')
      const names = ['.bashrc', '.bash_profile', '.bash_login', '.profile']
      for (const name of names) await writeFile(join(home, name), `echo PLANTED ${name}; exit 97\n`)
      const saved = process.env.HOME
      process.env.HOME = home
      let planted: LocalSandbox | undefined
      try {
        planted = await backend.createSandbox(specFor(fixture.task, 'agent3'))
        process.env.HOME = saved
        expect((await planted.exec(['test', '-r', join(home, '.bashrc')])).exitCode).toBe(0)
        expect(await planted.exec('echo ran')).toMatchObject({ exitCode: 0, stdout: 'ran\n', stderr: '' })
      } finally {
        process.env.HOME = saved
        await planted?.terminate()
        await rm(home, { recursive: true, force: true })
      }
    })

    it('has no network: a port open on the host is unreachable', async () => {
      const server: Server = createServer((socket) => socket.end('hi'))
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const port = (server.address() as { port: number }).port
      try {
        const result = await sandbox.exec(`exec 3<>/dev/tcp/127.0.0.1/${port} && echo connected`, { timeoutMs: 10_000 })
        expect(result.exitCode).not.toBe(0)
        expect(result.stdout).toBe('')
        const redis = await sandbox.exec('exec 3<>/dev/tcp/127.0.0.1/6379', { timeoutMs: 10_000 })
        expect(redis.exitCode).not.toBe(0)
      } finally {
        server.close()
      }
    })

    it('has runner.sh at /usr/local/bin/runner.sh, read-only, beside the host /usr/local/bin', async () => {
      const result = await sandbox.exec('bash /usr/local/bin/runner.sh tests1.patch feature.patch')
      expect(result).toMatchObject({ exitCode: 0, stdout: 'runner ok: tests1.patch feature.patch\n' })
      expect((await sandbox.exec('echo x >> /usr/local/bin/runner.sh')).exitCode).not.toBe(0)
      const inside = (await sandbox.exec(['ls', '/usr/local/bin'])).stdout.split('\n').filter(Boolean)
      const host = execFileSync('ls', ['/usr/local/bin'], { encoding: 'utf8' }).split('\n').filter(Boolean)
      expect(inside.sort()).toEqual([...new Set([...host, 'runner.sh'])].sort())
    })

    it('keeps two sandboxes of the same task apart', async () => {
      const other = await backend.createSandbox(specFor(fixture.task, 'agent2'))
      try {
        await sandbox.exec('echo mine > /tmp/only-a && echo mine > only-a.txt && echo mine > /patches/only-a.patch')
        for (const path of ['/tmp/only-a', '/workspace/repo/only-a.txt', '/patches/only-a.patch', sandbox.workspaceDir]) {
          expect((await other.exec(['test', '-e', path])).exitCode, path).toBe(1)
        }
        expect((await other.exec(['git', 'status', '--porcelain'])).stdout).toBe('')
        expect((await sandbox.exec(['test', '-e', other.workspaceDir])).exitCode).toBe(1)
      } finally {
        await sandbox.exec('rm -f /tmp/only-a only-a.txt /patches/only-a.patch')
        await other.terminate()
      }
    })
  })

  describe('terminate', () => {
    it('stops a running command promptly, removes the workspace, and is idempotent', async () => {
      const doomed = await backend.createSandbox(specFor(fixture.task, 'eval'))
      const running = doomed.exec("bash -c 'sleep 100.0419 & sleep 100.0419'")
      await new Promise((resolve) => setTimeout(resolve, 300))
      const started = Date.now()
      await doomed.terminate()
      expect(Date.now() - started).toBeLessThan(50_000)
      expect(await running).toMatchObject({ exitCode: -1, timedOut: false })
      expect(existsSync(doomed.workspaceDir)).toBe(false)
      expect(hostProcessesMatching('sleep 100.0419')).toEqual([])
      await doomed.terminate()
      const error = await doomed.exec('true').catch((e: unknown) => e)
      expect(isCooperbenchError(error) && error.code).toBe('SANDBOX_FAILED')
      await expect(doomed.readFile('/tmp/x')).rejects.toThrow(/terminated/)
    })

    it('removes a workspace that a task made read-only', async () => {
      const doomed = await backend.createSandbox(specFor(fixture.task, 'eval'))
      await doomed.exec('mkdir -p /tmp/gomod/pkg && touch /tmp/gomod/pkg/f && chmod -R a-w /tmp/gomod')
      await doomed.terminate()
      expect(existsSync(doomed.workspaceDir)).toBe(false)
    })
  })
})
