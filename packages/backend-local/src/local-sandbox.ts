import { existsSync } from 'node:fs'
import { mkdir, readFile, rm } from 'node:fs/promises'
import { join, posix } from 'node:path'
import { commandResult, onceUntilDone, sandboxCommand } from '@cooperbench/backend-kit'
import { CooperbenchError, type ExecOptions, type ExecResult, type Logger, SANDBOX_REPO_DIR, type Sandbox } from '@cooperbench/spec'
import { commandExecuted, commandInvocation } from './bwrap-args.js'
import type { SandboxNetwork } from './sandbox-network.js'
import { type PortRelay, startPortRelay } from '@cooperbench/backend-kit'
import { type ProcessResult, type RunningProcess, startProcess } from './run-process.js'
import { type Workspace, walkBelow, writeFileAtomic } from './workspace.js'

/** Everything a {@link LocalSandbox} is made of; the backend assembles it. */
export interface LocalSandboxInit {
  id: string
  workspace: Workspace
  /** Absolute path of the bwrap binary. */
  bwrap: string
  /** bwrap arguments shared by every command (from `sandboxArgs`). */
  baseArgs: string[]
  /** Environment every command starts from (from `baseEnvironment`). */
  env: Record<string, string>
  maxOutputBytes: number
  logger: Logger
  /** Called once the sandbox is gone, so the backend stops tracking it. */
  onTerminated?: (sandbox: LocalSandbox) => void
  /** The sandbox's own network namespace, which every command joins; absent: one per command. */
  network?: SandboxNetwork | null
  /** Commands share this machine's network: a port is reachable as it is. */
  hostNetwork?: boolean
}

interface RunOptions {
  cwd?: string
  env?: Record<string, string>
  stdin?: string | Uint8Array
  timeoutMs?: number
  signal?: AbortSignal
  maxOutputBytes: number
}

/**
 * `/etc/profile` of Debian-like hosts resets PATH for every login shell, and string commands run
 * as `bash -lc`: host tools under `/opt` or `~/.local` would vanish. HOME is the sandbox's /tmp,
 * so this profile (re-created whenever a command deleted it) puts the intended PATH back.
 */
const LOGIN_PROFILE = [
  '# Written by cooperbench: /etc/profile may reset PATH for login shells (bash -lc);',
  '# this restores the PATH the sandbox was given.',
  'if [ -n "${COOPERBENCH_PATH-}" ]; then PATH=$COOPERBENCH_PATH; export PATH; fi',
  'unset COOPERBENCH_PATH',
  '',
].join('\n')

/** How often a command whose sandbox setup failed is started before that is an error. */
export const SETUP_ATTEMPTS = 3
const SETUP_RETRY_DELAY_MS = 100

/**
 * Why a command never ran, or null when it did: bwrap reports the command's exit in its status
 * only once the sandbox was set up and the command exec'ed. Without that report, bwrap (or
 * nsenter before it) failed first: a mount that vanished under it, a namespace holder that died
 * as nsenter joined it. Returns the first line it printed. A command we stopped is not one.
 */
export function setupFailure(result: ProcessResult): string | null {
  if (result.stoppedBy !== null || commandExecuted(result.status)) return null
  const first = result.stderr.text().split('\n', 1)[0]!.trim()
  // Set up, but the program could not be exec'ed (not there, not executable): the command's own
  // failure, which it reports as before (exit 1, bwrap's line on stderr).
  if (/^bwrap: execvp /.test(first)) return null
  return first === '' ? `exit ${result.exitCode}` : first.slice(0, 300)
}

/**
 * A sandbox of backend `local`: a private workspace on this machine, and every command a fresh
 * bubblewrap process that sees the host read-only, no network, and the workspace at the paths of
 * the task image. Nothing runs between commands: a command's background processes end with it.
 */
export class LocalSandbox implements Sandbox {
  readonly id: string
  private readonly running = new Set<RunningProcess>()
  private terminated = false
  /** Exposed ports: their local relays. */
  private readonly relays = new Map<number, Promise<PortRelay>>()

  constructor(private readonly init: LocalSandboxInit) {
    this.id = init.id
  }

  /** The host directory of this sandbox (for diagnostics and tests). */
  get workspaceDir(): string {
    return this.init.workspace.dir
  }

  /**
   * Runs one command. Killed by the timeout or the signal, it resolves with exit code -1 and
   * `timedOut: true`; killed by `terminate`, with exit code -1 and `timedOut: false`.
   */
  async exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.assertUsable()
    // The cwd stays as given: `run` places it in the workspace.
    const { argv, env, script } = sandboxCommand(this.id, command, options, this.init.env.PATH ?? '')
    if (typeof command === 'string') await this.ensureLoginProfile()
    if (script !== null) await this.writeFile(script.path, script.content)
    let result: ProcessResult
    try {
      result = await this.run(argv, {
        env,
        maxOutputBytes: options.maxOutputBytes ?? this.init.maxOutputBytes,
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
        ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      })
    } finally {
      // The script deletes itself as it starts; a command stopped before that leaves it.
      if (script !== null && !this.terminated) await this.removeCommandScript(script.path)
    }
    return commandResult(result)
  }

  /**
   * Writes under `/workspace/repo`, `/patches` or `/tmp` straight into the workspace (any size,
   * atomically, parents created). A path through a symlink is written from inside the sandbox,
   * where the link means what the command that made it meant. Everything else is the read-only
   * host and is refused.
   */
  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    this.assertUsable()
    const location = this.init.workspace.locate(path)
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
    const location = this.init.workspace.locate(absolute)
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

  /**
   * Kills every running command (its whole process tree), then deletes the workspace.
   * Idempotent; commands still running resolve with exit code -1.
   */
  readonly terminate = onceUntilDone(() => this.shutdown())

  private async shutdown(): Promise<void> {
    this.terminated = true
    const running = [...this.running]
    for (const child of running) child.kill('terminate')
    await Promise.allSettled(running.map((child) => child.result))
    await Promise.allSettled([...this.relays.values()].map(async (relay) => (await relay).close()))
    this.relays.clear()
    this.init.network?.close()
    await this.init.workspace.remove()
    this.init.logger.debug(`local: sandbox ${this.id} terminated`)
    this.init.onTerminated?.(this)
  }

  /**
   * A port a command of this sandbox listens on (its loopback is the sandbox's own network
   * namespace), reachable from this machine through a local listener and a relay per connection.
   */
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
   * Runs argv in a fresh bwrap process; the base for `exec` and the file fallbacks. When bwrap (or
   * nsenter before it) fails to set the sandbox up ({@link setupFailure}), the command never ran:
   * it is started again,
   * up to {@link SETUP_ATTEMPTS} times, and then fails as SANDBOX_FAILED. Never is that failure
   * handed back as the command's own exit 1, which a test run would record as failed tests.
   */
  async run(argv: readonly string[], options: RunOptions): Promise<ProcessResult> {
    for (let attempt = 1; ; attempt++) {
      const result = await this.runOnce(argv, options)
      const failure = setupFailure(result)
      if (failure === null) return result
      if (attempt >= SETUP_ATTEMPTS || this.terminated || options.signal?.aborted) {
        throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: a command did not start, ${attempt} times: ${failure}`, {
          hint: 'bubblewrap could not set the sandbox up on this machine (the line above is its own); if it persists, check `cooperbench doctor` or use --backend docker.',
        })
      }
      this.init.logger.warn(`local: sandbox ${this.id}: a command did not start (${failure}); starting it again`)
      await new Promise((resolve) => setTimeout(resolve, SETUP_RETRY_DELAY_MS * attempt))
    }
  }

  private async runOnce(argv: readonly string[], options: RunOptions): Promise<ProcessResult> {
    this.assertUsable()
    const invocation = commandInvocation(this.init.baseArgs, {
      cwd: posix.resolve(SANDBOX_REPO_DIR, options.cwd ?? SANDBOX_REPO_DIR),
      env: { ...this.init.env, ...options.env },
      argv,
    })
    await this.init.network?.ensureHolder()
    const command = this.init.network?.wrap(this.init.bwrap, invocation.argv) ?? { file: this.init.bwrap, args: invocation.argv }
    const child = startProcess(command.file, command.args, {
      fd3: invocation.fd3,
      // bwrap starts the command with --clearenv; its own environment does not matter.
      env: {},
      maxOutputBytes: options.maxOutputBytes,
      ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    })
    this.running.add(child)
    try {
      return await child.result
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
    const location = this.init.workspace.locate(path)
    if (location !== null) await rm(join(location.base, ...location.parts), { force: true }).catch(() => {})
  }

  private async ensureLoginProfile(): Promise<void> {
    const profile = join(this.init.workspace.tmp, '.bash_profile')
    if (!existsSync(profile)) await writeFileAtomic(profile, LOGIN_PROFILE)
  }

  private assertUsable(): void {
    if (this.terminated) {
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id} has been terminated`, {
        hint: 'Create a new sandbox; a terminated one cannot run commands.',
      })
    }
  }
}
