import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process'
import { accessSync, constants, type Dirent, readdirSync, readlinkSync } from 'node:fs'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join, posix } from 'node:path'
import { promisify } from 'node:util'
import { type ExecOptions, type ExecResult, SANDBOX_PATCHES_DIR, SANDBOX_REPO_DIR, SANDBOX_RUNNER_PATH, type Sandbox, type Task } from '@cooperbench/core'

/*
 * A small real sandbox for this package's tests, built on bubblewrap the way a third party
 * without a backend plugin of its own would: `@cooperbench/testkit` has the agent conformance
 * suite but no sandbox, and this package may not import `@cooperbench/backend-local`.
 *
 * Each sandbox is a temp directory holding a clone of the task's repo bundle at its base commit;
 * every command is a fresh `bwrap` process that sees the host read-only, no network, and the
 * directory at the paths the task scripts expect (`/workspace/repo`, `/patches`, `/tmp`,
 * `/usr/local/bin/runner.sh`). Killing bwrap's process group kills the command's whole pid
 * namespace (`--die-with-parent`).
 */

const run = promisify(execFile)

/** Why the sandboxed tests cannot run here, or false. Under CI there is no reason: they must run. */
export const bwrapSkipReason: string | false = (() => {
  if (process.env.CI) return false
  if (!onPath('bwrap')) return 'bubblewrap (bwrap) is not installed'
  const probe = spawnSync('bwrap', ['--unshare-all', '--die-with-parent', '--ro-bind', '/', '/', 'true'], { encoding: 'utf8', timeout: 10_000 })
  return probe.status === 0 ? false : `bwrap cannot create a sandbox here: ${(probe.stderr || probe.error?.message || '').trim()}`
})()

function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

/** Host paths a sandbox never sees, or sees only as its own (`/tmp`, `/workspace`, `/patches`, the runner). */
const HOLES = ['/proc', '/dev', '/sys', '/run', '/tmp', '/workspace', '/patches', SANDBOX_RUNNER_PATH]

/**
 * bwrap arguments that rebuild the host root read-only in bwrap's empty root, leaving out
 * {@link HOLES}: directories above a hole are recreated and their other entries bound one by
 * one, so a mount point such as `/usr/local/bin/runner.sh` can be added below a read-only `/usr`.
 */
function hostRootArgs(dir = '/', args: string[] = []): string[] {
  let entries: Dirent[]
  try {
    entries = readdirSync(dir, { withFileTypes: true })
  } catch {
    args.push('--ro-bind', dir, dir)
    return args
  }
  if (dir !== '/') args.push('--dir', dir)
  for (const entry of entries) {
    const path = posix.join(dir, entry.name)
    if (HOLES.includes(path)) continue
    if (entry.isSymbolicLink()) args.push('--symlink', readlinkSync(path), path)
    else if (entry.isDirectory() && HOLES.some((hole) => hole.startsWith(`${path}/`))) hostRootArgs(path, args)
    else if (entry.isDirectory() || entry.isFile()) args.push('--ro-bind', path, path)
  }
  return args
}

let rootArgs: string[] | undefined

export interface TestSandbox extends Sandbox {
  /** The host directory bound at `/workspace/repo`. */
  readonly hostRepo: string
}

/** A sandbox of `task` at its base commit; `terminate` removes it. */
export async function createBwrapSandbox(task: Task): Promise<TestSandbox> {
  const { bundlePath, baseCommit } = task.source
  if (bundlePath === null || baseCommit === null) throw new Error(`task ${task.repo}/${task.taskId} ships no repo.bundle and base commit`)
  const dir = await mkdtemp(join(tmpdir(), 'oneshot-sandbox-'))
  const mounts = { repo: join(dir, 'repo'), patches: join(dir, 'patches'), tmp: join(dir, 'tmp') }
  await run('git', ['clone', '-q', bundlePath, mounts.repo])
  await run('git', ['-C', mounts.repo, 'checkout', '-q', '--detach', baseCommit])
  await mkdir(mounts.patches)
  await mkdir(mounts.tmp)
  await chmod(mounts.tmp, 0o1777)
  rootArgs ??= hostRootArgs()
  const base = [
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    ...rootArgs,
    '--dev', '/dev',
    '--proc', '/proc',
    '--bind', mounts.tmp, '/tmp',
    '--bind', mounts.repo, SANDBOX_REPO_DIR,
    '--bind', mounts.patches, SANDBOX_PATCHES_DIR,
    '--ro-bind', join(task.dir, 'runner.sh'), SANDBOX_RUNNER_PATH,
    '--remount-ro', '/',
  ]
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/tmp', LANG: 'C.UTF-8', GIT_CONFIG_NOSYSTEM: '1' }
  // pyenv's shims find their interpreters through these, not through HOME.
  for (const name of ['PYENV_ROOT', 'PYENV_VERSION']) if (process.env[name]) env[name] = process.env[name]!

  const running = new Set<ChildProcess>()
  let terminated = false
  const usable = () => {
    if (terminated) throw new Error(`sandbox ${dir} has been terminated`)
  }
  /** The host path of a sandbox path under one of the sandbox's own directories. */
  const hostPath = (path: string) => {
    const absolute = posix.resolve(SANDBOX_REPO_DIR, path)
    for (const [prefix, host] of [[SANDBOX_REPO_DIR, mounts.repo], [SANDBOX_PATCHES_DIR, mounts.patches], ['/tmp', mounts.tmp]] as const) {
      if (absolute === prefix || absolute.startsWith(`${prefix}/`)) return join(host, absolute.slice(prefix.length))
    }
    throw new Error(`the test sandbox only reaches files under ${SANDBOX_REPO_DIR}, ${SANDBOX_PATCHES_DIR} and /tmp, not ${path}`)
  }

  return {
    id: dir,
    hostRepo: mounts.repo,
    async exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
      usable()
      // `bash -c`, not the contract's `bash -lc`: this host's /etc/profile resets PATH and would hide pyenv's python.
      const argv = typeof command === 'string' ? ['bash', '-c', command] : command
      const args = [...base, '--chdir', posix.resolve(SANDBOX_REPO_DIR, options.cwd ?? SANDBOX_REPO_DIR), '--clearenv']
      for (const [name, value] of Object.entries({ ...env, ...options.env })) args.push('--setenv', name, value)
      return runProcess([...args, '--', ...argv], options, running)
    },
    async writeFile(path, data) {
      usable()
      const target = hostPath(path)
      await mkdir(dirname(target), { recursive: true })
      await writeFile(target, data)
    },
    async readFile(path) {
      usable()
      return readFile(hostPath(path))
    },
    async terminate() {
      if (terminated) return
      terminated = true
      for (const child of running) killGroup(child)
      await rm(dir, { recursive: true, force: true })
    },
  }
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
  } catch {
    // already gone
  }
}

const DEFAULT_MAX_OUTPUT = 1024 * 1024

function runProcess(args: string[], options: ExecOptions, running: Set<ChildProcess>): Promise<ExecResult> {
  const started = Date.now()
  const cap = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT
  return new Promise((resolve, reject) => {
    const child = spawn('bwrap', args, { detached: true, stdio: 'pipe' })
    running.add(child)
    const out = { stdout: [] as Buffer[], stderr: [] as Buffer[], bytes: { stdout: 0, stderr: 0 }, truncated: false }
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const room = cap - out.bytes[stream]
      if (chunk.length > room) out.truncated = true
      if (room > 0) out[stream].push(chunk.subarray(0, room))
      out.bytes[stream] += Math.min(chunk.length, Math.max(room, 0))
    }
    child.stdout.on('data', collect('stdout'))
    child.stderr.on('data', collect('stderr'))
    let killed = false
    const kill = () => {
      killed = true
      killGroup(child)
    }
    const timer = options.timeoutMs && options.timeoutMs > 0 ? setTimeout(kill, options.timeoutMs) : undefined
    options.signal?.addEventListener('abort', kill, { once: true })
    if (options.signal?.aborted) kill()
    child.stdin.on('error', () => {})
    child.stdin.end(options.stdin)
    child.once('error', (error) => {
      clearTimeout(timer)
      running.delete(child)
      reject(error)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', kill)
      running.delete(child)
      resolve({
        exitCode: killed || code === null ? -1 : code,
        stdout: Buffer.concat(out.stdout).toString('utf8'),
        stderr: Buffer.concat(out.stderr).toString('utf8'),
        timedOut: killed,
        truncated: out.truncated,
        durationMs: Date.now() - started,
      })
    })
  })
}
