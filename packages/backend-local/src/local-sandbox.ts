import { existsSync } from 'node:fs'
import { mkdir, readFile, realpath, rm } from 'node:fs/promises'
import { join, posix } from 'node:path'
import {
  commandResult,
  firstPrintedLine,
  type HostCommandOutcome,
  LOGIN_PATH_HOOK,
  onceUntilDone,
  type PortRelay,
  type RunningHostCommand,
  sandboxCommand,
  startHostCommand,
  startPortRelay,
  terminatedSandboxError,
} from '@cooperbench/backend-kit'
import { CooperbenchError, type ExecOptions, type ExecResult, type Logger, SANDBOX_REPO_DIR, type Sandbox } from '@cooperbench/spec'
import { commandExecuted, commandInvocation, hostPathSharing, isInside } from './bwrap-args.js'
import type { SandboxNetwork } from './sandbox-network.js'
import { type Workspace, walkBelow, writeFileAtomic } from './workspace.js'

/** What a {@link LocalSandbox} is made of. */
export interface LocalSandboxInit {
  id: string
  workspace: Workspace
  /** Absolute path of the bwrap binary. */
  bwrap: string
  /** bwrap arguments shared by every command (from `sandboxArgs`), given the host paths bound for agents. */
  baseArgs: (hostPaths: readonly string[]) => string[]
  /** Host paths (real) the sandbox hides; `shareHostPath` refuses what lies in them. */
  hidden: readonly string[]
  /** Environment every command starts from (from `baseEnvironment`). */
  env: Record<string, string>
  maxOutputBytes: number
  logger: Logger
  /** Called once the sandbox is gone. */
  onTerminated?: (sandbox: LocalSandbox) => void
  /** The sandbox's own network namespace, which every command joins; absent: one per command. */
  network?: SandboxNetwork | null
  /** Commands share this machine's network: a port is reachable as it is. */
  hostNetwork?: boolean
  /** The shared directories the sandbox mounts: their files are written and read in the host folder. */
  shared?: ReadonlyArray<{ hostPath: string; sandboxPath: string }>
}

interface RunOptions {
  cwd?: string
  env?: Record<string, string>
  stdin?: string | Uint8Array
  timeoutMs?: number
  signal?: AbortSignal
  maxOutputBytes: number
}

/** How often a command whose sandbox setup failed is started before that is an error. */
export const SETUP_ATTEMPTS = 3
const SETUP_RETRY_DELAY_MS = 100

/**
 * What became of one bwrap run, from its status (fd 4), which has an exit code only once the command was exec'ed:
 * - `ran`: it has one; or we stopped the run; or the command's own cwd or program failed (`bwrap: Can't chdir to …`,
 *   `bwrap: execvp …`, exit 1), its result as on the container backends.
 * - `not-started`: none and exit 1, bwrap's or nsenter's own failure (a mount gone during setup, a dead namespace holder): may be restarted.
 * - `lost`: none and another status: bwrap was killed (128+n) while the command may have run.
 */
type BwrapFate = { kind: 'ran' } | { kind: 'not-started' | 'lost'; line: string }

function bwrapFate(result: HostCommandOutcome): BwrapFate {
  if (result.stoppedBy !== null || commandExecuted(result.fd4)) return { kind: 'ran' }
  const first = firstPrintedLine(result.stderr.text())
  if (result.exitCode === 1 && /^bwrap: (execvp |Can't chdir to )/.test(first)) return { kind: 'ran' }
  const line = first === '' ? `exit ${result.exitCode}` : `${first} (exit ${result.exitCode})`
  return { kind: result.exitCode === 1 ? 'not-started' : 'lost', line }
}

/** How long `terminate` waits for a killed command's last processes to end. */
const TERMINATE_WAIT_MS = 10_000

/** The host pid of a command's first process, the init of its pid namespace (bwrap's `child-pid`), when bwrap said it. */
function namespaceInitPid(fd4: string): number | null {
  const match = /"child-pid"\s*:\s*(\d+)/.exec(fd4)
  return match ? Number(match[1]) : null
}

/** Whether `pid` ended (gone, or a zombie) within `boundMs`. */
async function untilEnded(pid: number, boundMs: number): Promise<boolean> {
  const deadline = Date.now() + boundMs
  for (;;) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null)
    if (stat === null) return true
    // `pid (comm) S …`: the state follows the last parenthesis.
    const state = stat.charAt(stat.lastIndexOf(')') + 2)
    if (state === 'Z' || state === 'X') return true
    if (Date.now() >= deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/**
 * A sandbox of backend `local`: a private workspace, and each command a fresh bubblewrap process seeing the host read-only, no
 * network, and the workspace at the task image's paths; a command's background processes end with it.
 */
export class LocalSandbox implements Sandbox {
  readonly id: string
  private readonly running = new Set<RunningHostCommand>()
  private terminated = false
  private readonly relays = new Map<number, Promise<PortRelay>>()
  /** Host paths under `/tmp` that agents asked to see, bound read-only into every later command. */
  private readonly hostPaths: string[] = []
  private baseArgs: string[]

  constructor(private readonly init: LocalSandboxInit) {
    this.id = init.id
    this.baseArgs = init.baseArgs([])
  }

  /** Shows the host path to later commands read-only at the same path (one under the host's `/tmp` is bound over the sandbox's). */
  async shareHostPath(hostPath: string): Promise<string> {
    this.assertUsable()
    let real: string
    try {
      real = await realpath(hostPath)
    } catch (error) {
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot share ${hostPath}: ${(error as Error).message}`, { cause: error })
    }
    const sharing = hostPathSharing(real, this.init.hidden)
    if (sharing.kind === 'refused') throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot share ${hostPath}: ${sharing.reason}`)
    if (sharing.kind === 'bind' && !this.hostPaths.some((shared) => isInside(real, shared))) {
      this.hostPaths.push(real)
      this.baseArgs = this.init.baseArgs(this.hostPaths)
    }
    return real
  }

  /** The host directory of this sandbox (for diagnostics and tests). */
  get workspaceDir(): string {
    return this.init.workspace.dir
  }

  /** Killed by the timeout or the signal, resolves with exit code -1 and `timedOut`; by `terminate`, without. */
  async exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.assertUsable()
    // The cwd stays as given: `run` places it in the workspace.
    const { argv, env, script } = sandboxCommand(this.id, command, options, this.init.env.PATH ?? '')
    if (typeof command === 'string') await this.ensureLoginProfile()
    if (script !== null) await this.writeFile(script.path, script.content)
    try {
      return commandResult(await this.run(argv, { ...options, env, maxOutputBytes: options.maxOutputBytes ?? this.init.maxOutputBytes }))
    } finally {
      // The script deletes itself as it starts; a command stopped before that leaves it.
      if (script !== null && !this.terminated) await this.removeCommandScript(script.path)
    }
  }

  /**
   * Writes under `/workspace/repo`, `/patches`, `/tmp` or a shared directory straight into the workspace (atomically, parents made);
   * a path through a symlink from inside the sandbox, where the link means what its maker meant. The read-only host: refused.
   */
  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    this.assertUsable()
    const location = this.init.workspace.locate(path, this.init.shared)
    if (location === null) {
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot write ${path}: the sandbox sees the host read-only`, {
        hint: 'Write under /workspace/repo, /patches or /tmp.',
      })
    }
    if (location.parts.length === 0) {
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot write ${path}: it is a directory`)
    }
    const walk = await walkBelow(location.base, location.parts)
    if (walk.kind === 'symlink') return this.writeThroughSandbox(path, data)
    try {
      if (walk.kind === 'missing' && walk.missingFrom < location.parts.length - 1) {
        await mkdir(posix.dirname(walk.path), { recursive: true })
      }
      await writeFileAtomic(walk.path, data)
    } catch (error) {
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot write ${path}: ${(error as Error).message}`, { cause: error })
    }
  }

  /** Reads any file the sandbox can see, byte for byte; workspace files straight from the host. */
  async readFile(path: string): Promise<Uint8Array> {
    this.assertUsable()
    const absolute = posix.resolve(SANDBOX_REPO_DIR, path)
    const location = this.init.workspace.locate(absolute, this.init.shared)
    if (location !== null) {
      const walk = await walkBelow(location.base, location.parts)
      if (walk.kind === 'missing') {
        throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot read ${path}: no such file`)
      }
      if (walk.kind === 'found') {
        try {
          return await readFile(walk.path)
        } catch (error) {
          throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot read ${path}: ${(error as Error).message}`, { cause: error })
        }
      }
    }
    const result = await this.run(['cat', '--', absolute], { maxOutputBytes: Number.POSITIVE_INFINITY })
    if (result.exitCode !== 0) {
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot read ${path}: ${result.stderr.text().trim()}`)
    }
    return result.stdout.bytes()
  }

  /** Kills every running command's process tree, then deletes the workspace; idempotent. */
  readonly terminate = onceUntilDone(() => this.shutdown())

  private async shutdown(): Promise<void> {
    this.terminated = true
    const running = [...this.running]
    for (const child of running) child.stop('terminate')
    const outcomes = await Promise.allSettled(running.map((child) => child.outcome))
    // A command's processes (`--new-session`) die by --die-with-parent and the pid namespace's teardown, after bwrap exited (under
    // load, after its outcome settled). The namespace's first process ends last: once it ended, nothing of the sandbox runs.
    const inits = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [namespaceInitPid(o.value.fd4)] : [])).filter((pid) => pid !== null)
    const lingering = (await Promise.all(inits.map((pid) => untilEnded(pid, TERMINATE_WAIT_MS)))).filter((ended) => !ended).length
    if (lingering > 0) {
      this.init.logger.warn(`local: sandbox ${this.id}: ${lingering} command(s) still had processes ${TERMINATE_WAIT_MS / 1000} s after they were killed`)
    }
    await Promise.allSettled([...this.relays.values()].map(async (relay) => (await relay).close()))
    this.relays.clear()
    this.init.network?.close()
    await this.init.workspace.remove()
    this.init.logger.debug(`local: sandbox ${this.id} terminated`)
    this.init.onTerminated?.(this)
  }

  /** A port on the sandbox's own loopback, reachable through a local listener and a relay per connection. */
  async exposePort(port: number): Promise<string> {
    this.assertUsable()
    if (this.init.hostNetwork) return `http://127.0.0.1:${port}`
    const network = this.init.network
    if (!network) {
      throw new CooperbenchError(
        'SANDBOX_FAILED',
        `sandbox ${this.id}: cannot expose port ${port}: this machine gives the sandbox no network namespace of its own`,
        {
          hint: "Set backends.local.network: true (sandboxes then share this machine's network), run as root with nsenter (util-linux), or use --backend docker.",
        },
      )
    }
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot expose port ${port}`)
    let relay = this.relays.get(port)
    if (!relay) {
      relay = startPortRelay(() => network.relayChannel(port))
      this.relays.set(port, relay)
    }
    return (await relay).url
  }

  /**
   * Runs argv in a fresh bwrap process. One whose sandbox failed to set up never ran ({@link bwrapFate}): it is started again,
   * {@link SETUP_ATTEMPTS} times in all; a bwrap killed under a command fails at once. Neither becomes the command's exit status
   * (a test run would record failed tests): both are SANDBOX_FAILED.
   */
  async run(argv: readonly string[], options: RunOptions): Promise<HostCommandOutcome> {
    for (let attempt = 1; ; attempt++) {
      const result = await this.runOnce(argv, options)
      const fate = bwrapFate(result)
      if (fate.kind === 'ran') return result
      if (fate.kind === 'lost') {
        throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: bwrap ended without the command's exit status: ${fate.line}`, {
          hint: 'Something outside killed the sandbox process (the machine out of memory?); the command may have run in part.',
        })
      }
      if (attempt >= SETUP_ATTEMPTS || this.terminated || options.signal?.aborted) {
        const tries = attempt === 1 ? 'once' : `${attempt} times`
        throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: bwrap could not set up a command's sandbox (tried ${tries}): ${fate.line}`, {
          hint: 'The line is bubblewrap’s own; if it persists, check `cooperbench doctor` or use --backend docker.',
        })
      }
      this.init.logger.warn(`local: sandbox ${this.id}: bwrap could not set up a command's sandbox (${fate.line}); starting it again`)
      await new Promise((resolve) => setTimeout(resolve, SETUP_RETRY_DELAY_MS * attempt))
    }
  }

  private async runOnce(argv: readonly string[], options: RunOptions): Promise<HostCommandOutcome> {
    this.assertUsable()
    const invocation = commandInvocation(this.baseArgs, {
      cwd: posix.resolve(SANDBOX_REPO_DIR, options.cwd ?? SANDBOX_REPO_DIR),
      env: { ...this.init.env, ...options.env },
      argv,
    })
    await this.init.network?.ensureHolder()
    // Terminated while the holder was made ready: a command started now would outlive `terminate`.
    this.assertUsable()
    const bwrapArgv = [this.init.bwrap, ...invocation.argv]
    const { stdin, timeoutMs, signal, maxOutputBytes } = options
    // bwrap starts the command with --clearenv; its own environment does not matter.
    const command = { fd3: invocation.fd3, env: {}, stdin, timeoutMs, signal, maxOutputBytes, rejectStartFailure: true }
    const child = startHostCommand(this.init.network?.wrap(bwrapArgv) ?? bwrapArgv, command)
    this.running.add(child)
    try {
      return await child.outcome
    } catch (error) {
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot start bwrap (${this.init.bwrap}): ${(error as Error).message}`, {
        cause: error,
      })
    } finally {
      this.running.delete(child)
    }
  }

  private async writeThroughSandbox(path: string, data: string | Uint8Array): Promise<void> {
    const script = 'mkdir -p -- "$(dirname -- "$1")" && cat > "$1"'
    const result = await this.run(['bash', '-c', script, 'cooperbench-write', posix.resolve(SANDBOX_REPO_DIR, path)], {
      stdin: data,
      maxOutputBytes: 64 * 1024,
    })
    if (result.exitCode !== 0) {
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot write ${path}: ${result.stderr.text().trim()}`)
    }
  }

  private async removeCommandScript(path: string): Promise<void> {
    const location = this.init.workspace.locate(path, this.init.shared)
    if (location !== null) await rm(join(location.base, ...location.parts), { force: true }).catch(() => {})
  }

  /** Debian-like `/etc/profile` resets PATH for `bash -lc`, hiding tools in `/opt` or `~/.local`: this HOME (/tmp) profile, re-made if deleted, restores it. */
  private async ensureLoginProfile(): Promise<void> {
    const profile = join(this.init.workspace.tmp, '.bash_profile')
    if (!existsSync(profile)) await writeFileAtomic(profile, `${LOGIN_PATH_HOOK}\n`)
  }

  private assertUsable(): void {
    if (this.terminated) throw terminatedSandboxError(this.id)
  }
}
