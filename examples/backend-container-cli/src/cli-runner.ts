import { type ChildProcess, spawn } from 'node:child_process'
import type { ListedContainer } from '@cooperbench/backend-kit'
import { CooperbenchError } from '@cooperbench/spec'
import type { ContainerEngine } from './options.js'

/** How one CLI invocation ended. */
export interface CliOutcome {
  /** The program's exit status; null when it was killed (timeout or abort). */
  exitCode: number | null
  stdout: Buffer
  stderr: string
  /** True when `timeoutMs` passed and the program was killed. */
  timedOut: boolean
}

export interface CliRunOptions {
  /** Bytes written to the program's standard input, which is then closed. */
  input?: Uint8Array
  /** Kills the program; the call then rejects with the signal's reason once it has exited. */
  signal?: AbortSignal
  /** Kills the program after this many milliseconds (the outcome says `timedOut`). */
  timeoutMs?: number
}

/** Bound on listing containers (`ps` and `inspect`). */
const LIST_TIMEOUT_MS = 60_000

/** The fields of `<cli> container inspect` the backend reads (docker and podman agree on them). */
interface InspectedContainer {
  Id?: string
  Name?: string
  Created?: string
  State?: { Status?: string }
  Config?: { Labels?: Record<string, string> | null }
}

/**
 * The container engine's command line (`docker` or `podman`, or the path given): every call the
 * backend makes to the engine goes through here, as a child process with argv (never a shell).
 */
export class ContainerCli {
  constructor(
    /** The program run: a name looked up on PATH, or a path. */
    readonly binary: string,
    readonly engine: ContainerEngine,
  ) {}

  /**
   * Starts the program with piped output; standard input is a pipe when `withStdin`, else empty.
   * The caller owns the process: it must wait for `close` (or kill it).
   */
  spawn(args: readonly string[], withStdin: boolean): ChildProcess {
    // Podman logs warnings (cgroup managers, rootless setup) on stderr, where they would be
    // taken for the output of the command run in the container.
    const quiet = this.engine === 'podman' ? ['--log-level=error'] : []
    try {
      return spawn(this.binary, [...quiet, ...args], { stdio: [withStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] })
    } catch (error) {
      // Some failures (an argument over the kernel's limit: E2BIG) are thrown, not emitted.
      throw this.launchError(error)
    }
  }

  /** Runs the program to its end and collects its output. A missing program is BACKEND_UNAVAILABLE. */
  run(args: readonly string[], options: CliRunOptions = {}): Promise<CliOutcome> {
    return new Promise((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(options.signal.reason)
        return
      }
      const child = this.spawn(args, options.input !== undefined)
      const stdout: Buffer[] = []
      const stderr: Buffer[] = []
      let timedOut = false
      let settled = false
      const kill = () => child.kill('SIGKILL')
      const timer =
        options.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true
              kill()
            }, options.timeoutMs)
      options.signal?.addEventListener('abort', kill, { once: true })
      const finish = (settle: () => void) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        options.signal?.removeEventListener('abort', kill)
        settle()
      }
      child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk))
      child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk))
      child.on('error', (error) => finish(() => reject(this.launchError(error))))
      child.on('close', (code) => {
        finish(() => {
          if (options.signal?.aborted) reject(options.signal.reason)
          else resolve({ exitCode: code, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr).toString('utf8'), timedOut })
        })
      })
      if (options.input !== undefined) {
        // The program may exit without reading its input (an error, say); its exit status tells.
        child.stdin!.on('error', () => {})
        child.stdin!.end(options.input)
      }
    })
  }

  /** The command line as a user would type it, for hints. */
  commandLine(args: readonly string[]): string {
    return [this.binary, ...args].map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)).join(' ')
  }

  /** The containers carrying every label (`key=value`) of `labels`, as `ps` and `inspect` describe them. */
  async listContainers(labels: readonly string[]): Promise<ListedContainer[]> {
    const filters = labels.flatMap((label) => ['--filter', `label=${label}`])
    const listed = await this.run(['ps', '--all', '--quiet', '--no-trunc', ...filters], { timeoutMs: LIST_TIMEOUT_MS })
    if (listed.exitCode !== 0) throw this.listFailure(listed)
    const ids = listed.stdout
      .toString('utf8')
      .split('\n')
      .map((id) => id.trim())
      .filter(Boolean)
    if (ids.length === 0) return []
    // A container removed between ps and inspect makes inspect fail for it but still print the others.
    const inspected = await this.run(['container', 'inspect', ...ids], { timeoutMs: LIST_TIMEOUT_MS })
    const text = inspected.stdout.toString('utf8').trim()
    if (inspected.exitCode !== 0 && !text.startsWith('[')) throw this.listFailure(inspected)
    return (JSON.parse(text || '[]') as InspectedContainer[]).map((info) => ({
      id: (info.Name ?? info.Id ?? '').replace(/^\//, ''),
      labels: info.Config?.Labels ?? {},
      state: info.State?.Status ?? 'unknown',
      createdAt: typeof info.Created === 'string' ? info.Created : null,
    }))
  }

  private listFailure(outcome: CliOutcome): CooperbenchError {
    const why = outcome.timedOut ? 'the engine did not answer' : cliMessage(outcome.stderr)
    return new CooperbenchError('BACKEND_UNAVAILABLE', `cannot list containers: ${why}`, { hint: this.engineHint() })
  }

  /** How to get the engine to answer. */
  engineHint(): string {
    return this.engine === 'podman'
      ? 'Check that `podman info` works; with a Podman machine run `podman machine start`; for rootless Podman see `podman system migrate`. Or set backends.container-cli.binary.'
      : 'Start the Docker engine (`sudo systemctl start docker`), or point DOCKER_HOST or the docker context at a running one; on "permission denied" join the docker group. Or set backends.container-cli.engine to podman.'
  }

  /** What a failure to start the program means to a user: usually that it is not installed. */
  launchError(error: unknown): CooperbenchError {
    const code = (error as NodeJS.ErrnoException | null)?.code
    if (code === 'ENOENT') {
      return new CooperbenchError('BACKEND_UNAVAILABLE', `the container CLI "${this.binary}" was not found`, {
        cause: error,
        hint: installHint(this.engine),
      })
    }
    if (code === 'EACCES') {
      return new CooperbenchError('BACKEND_UNAVAILABLE', `the container CLI "${this.binary}" cannot be run: permission denied`, {
        cause: error,
        hint: `Make ${this.binary} executable, or point backends.container-cli.binary at a CLI you may run.`,
      })
    }
    if (code === 'E2BIG') {
      // String commands of any length run from a script; an argv array or an env value may not.
      return new CooperbenchError('SANDBOX_FAILED', `an argument or environment value for ${this.binary} is too long for the operating system`, {
        cause: error,
        hint: 'Linux refuses any one argument or environment value over 128 KiB: pass long data through stdin or writeFile, or run it as a string command.',
      })
    }
    return new CooperbenchError('BACKEND_UNAVAILABLE', `cannot run the container CLI "${this.binary}": ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
      hint: installHint(this.engine),
    })
  }
}

function installHint(engine: ContainerEngine): string {
  const install =
    engine === 'podman' ? 'Install Podman (e.g. `sudo apt-get install podman`)' : 'Install the Docker CLI and engine (e.g. `sudo apt-get install docker.io`)'
  return `${install}, or set backends.container-cli.binary to the CLI's path; backends.container-cli.engine chooses docker or podman.`
}

/** The first line of a CLI's error output, without the `Error:`/`Error response from daemon:` prefix. */
export function cliMessage(stderr: string): string {
  const line = stderr
    .split('\n')
    .map((text) => text.trim())
    .find((text) => text !== '' && !/^(DEPRECATED|WARNING|WARN\[)/i.test(text))
  return (line ?? 'no error message').replace(/^Error( response from daemon)?:\s*/i, '')
}

/** Whether the CLI said that the object it was asked about does not exist. */
export function isNoSuchObject(stderr: string): boolean {
  return /no such (container|image|object)|image not known|no container with name or id|not found/i.test(stderr)
}
