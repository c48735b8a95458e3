import { posix } from 'node:path'
import { CooperbenchError, type ExecOptions, type ExecResult, type Logger, SANDBOX_REPO_DIR, type Sandbox } from '@cooperbench/spec'
import { type CommandOutcome, commandResult, type LoginShellInvocation, loginShellInvocation, onceUntilDone } from '@cooperbench/backend-kit'
import { type CliOutcome, type ContainerCli, cliMessage, isNoSuchObject } from './cli-runner.js'
import { ContainerExecution, type ExecRequest } from './container-exec.js'

/** Everything a {@link ContainerSandbox} is made of; the backend assembles it. */
export interface ContainerSandboxInit {
  /** The container's name, which is also the sandbox id. */
  id: string
  cli: ContainerCli
  /** Default cap on each of stdout and stderr of one command. */
  maxOutputBytes: number
  logger: Logger
  /** Called once the container is gone, so the backend stops tracking the sandbox. */
  onTerminated?: (sandbox: ContainerSandbox) => void
}

/** Bound on one file transfer or housekeeping call, so a stuck engine cannot hang a run. */
const FILE_TRANSFER_TIMEOUT_MS = 10 * 60_000
const REMOVE_TIMEOUT_MS = 2 * 60_000

/**
 * `sh -c WRITE_SCRIPT cooperbench-write <path>`: parents created, then standard input copied byte
 * for byte. In place rather than temp + rename, so that, as with a shell redirection, an existing
 * file keeps its mode and owner and a symlink is written through.
 */
const WRITE_SCRIPT = 'mkdir -p -- "$(dirname -- "$1")" && cat > "$1"'

/**
 * Whether a failed exec may be the CLI's own failure rather than the command's: the CLIs exit 1
 * (docker) or 125 to 127 and put their error first. Only then is the container's state asked.
 */
function mayBeEngineFailure(exitCode: number | null, stderr: string): boolean {
  return (exitCode === 1 || (exitCode !== null && exitCode >= 125 && exitCode <= 127)) && /^(Error response from daemon:|Error:|OCI runtime)/.test(stderr)
}

/**
 * A sandbox of backend `container-cli`: one container of the task image kept alive by `sleep`
 * under an init process. Commands and file transfers are `<cli> exec` calls; file contents go
 * through standard input and output as raw bytes.
 */
export class ContainerSandbox implements Sandbox {
  readonly id: string
  private readonly running = new Set<ContainerExecution>()
  /** Aborted by terminate: ends file transfers in flight. */
  private readonly lifetime = new AbortController()
  private terminated = false

  constructor(private readonly init: ContainerSandboxInit) {
    this.id = init.id
  }

  /**
   * Runs one command: a string through `bash -lc` (a long one from a script, see
   * `loginShellInvocation`), an array as argv. Stopped by its timeout or
   * signal it resolves with exit code -1 and `timedOut: true` once everything it started inside
   * the container is killed; stopped by `terminate`, with exit code -1 at once.
   */
  async exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.assertUsable()
    const shell = typeof command === 'string'
    if (!shell && command.length === 0) {
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: exec was given an empty argv`, {
        hint: 'Pass a program and its arguments, e.g. ["git", "status"], or a string for bash -lc.',
      })
    }
    const { cwd, maxOutputBytes, ...rest } = options
    const invocation: LoginShellInvocation = shell ? loginShellInvocation(command) : { argv: [...command] }
    const script = invocation.script
    if (script !== undefined) await this.writeFile(script.path, script.content)
    let outcome: CommandOutcome
    try {
      outcome = await this.run({
        ...rest,
        argv: invocation.argv,
        login: shell,
        cwd: posix.resolve(SANDBOX_REPO_DIR, cwd ?? SANDBOX_REPO_DIR),
        maxOutputBytes: maxOutputBytes ?? this.init.maxOutputBytes,
      })
    } catch (error) {
      if (script !== undefined) await this.removeCommandScript(script.path)
      throw error
    }
    // The script deletes itself as it starts; a command stopped before that leaves it.
    if (script !== undefined && outcome.stoppedBy !== null) await this.removeCommandScript(script.path)
    return commandResult(outcome)
  }

  /** Writes `data` (relative paths are below `/workspace/repo`), creating parent directories; symlinks are written through. */
  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    this.assertUsable()
    const target = posix.resolve(SANDBOX_REPO_DIR, path)
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
    const outcome = await this.transfer(
      ['exec', '--interactive', '--workdir', '/', this.id, 'sh', '-c', WRITE_SCRIPT, 'cooperbench-write', target],
      bytes,
      path,
      'write',
    )
    if (outcome.exitCode !== 0) throw await this.fileError('write', path, outcome)
  }

  /** Reads a file byte for byte (relative paths are below `/workspace/repo`). */
  async readFile(path: string): Promise<Uint8Array> {
    this.assertUsable()
    const target = posix.resolve(SANDBOX_REPO_DIR, path)
    const outcome = await this.transfer(['exec', '--workdir', '/', this.id, 'cat', '--', target], undefined, path, 'read')
    if (outcome.exitCode !== 0) throw await this.fileError('read', path, outcome)
    return new Uint8Array(outcome.stdout.buffer, outcome.stdout.byteOffset, outcome.stdout.byteLength)
  }

  /**
   * Deletes the container and so everything running in it; commands in flight resolve with exit
   * code -1 at once. Calls after the first (also concurrent ones) share its outcome.
   */
  readonly terminate = onceUntilDone(() => this.shutdown())

  /** One command under the exec wrapper, as `exec` and the backend's startup check use it. */
  async run(request: ExecRequest): Promise<CommandOutcome> {
    this.assertUsable()
    const execution = new ContainerExecution(this.init.cli, this.id, request)
    this.running.add(execution)
    try {
      const outcome = await execution.result
      if (outcome.stoppedBy === null && mayBeEngineFailure(outcome.exitCode, outcome.stderr.text())) {
        // The CLI may have failed rather than the command: believe the container's state.
        const problem = await this.containerProblem()
        if (problem !== null && !this.terminated) {
          throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot run a command: ${cliMessage(outcome.stderr.text())} (${problem})`, {
            hint: problem.includes('memory') ? 'Raise backends.container-cli.memory, or remove the limit.' : 'Create a new sandbox; this one has stopped.',
          })
        }
      }
      return outcome
    } finally {
      this.running.delete(execution)
    }
  }

  private async shutdown(): Promise<void> {
    this.terminated = true
    this.lifetime.abort()
    for (const execution of this.running) execution.stop('terminate')
    const outcome = await this.init.cli.run(['rm', '--force', '--volumes', this.id], { timeoutMs: REMOVE_TIMEOUT_MS })
    if (outcome.exitCode !== 0 && !isNoSuchObject(outcome.stderr) && !/already in progress/i.test(outcome.stderr)) {
      throw new CooperbenchError(
        'SANDBOX_FAILED',
        `sandbox ${this.id}: cannot remove its container: ${outcome.timedOut ? 'the engine did not answer' : cliMessage(outcome.stderr)}`,
        {
          hint: `Remove it by hand: ${this.init.cli.commandLine(['rm', '--force', this.id])}`,
        },
      )
    }
    this.init.logger.debug(`container-cli: sandbox ${this.id} removed`)
    this.init.onTerminated?.(this)
  }

  /** Best effort: a sandbox that cannot run `rm` now will not run the script either. */
  private async removeCommandScript(path: string): Promise<void> {
    if (this.terminated) return
    await this.init.cli
      .run(['exec', '--workdir', '/', this.id, 'rm', '-f', '--', path], { signal: this.lifetime.signal, timeoutMs: REMOVE_TIMEOUT_MS })
      .catch(() => {})
  }

  private async transfer(args: string[], input: Uint8Array | undefined, path: string, what: 'read' | 'write') {
    try {
      return await this.init.cli.run(args, {
        ...(input === undefined ? {} : { input }),
        signal: this.lifetime.signal,
        timeoutMs: FILE_TRANSFER_TIMEOUT_MS,
      })
    } catch (error) {
      if (this.terminated) throw this.goneError()
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot ${what} ${path}: ${(error as Error).message}`, { cause: error })
    }
  }

  private async fileError(what: 'read' | 'write', path: string, outcome: CliOutcome): Promise<CooperbenchError> {
    if (this.terminated) return this.goneError()
    const problem = mayBeEngineFailure(outcome.exitCode, outcome.stderr) ? await this.containerProblem() : null
    const message = outcome.timedOut
      ? `no answer within ${FILE_TRANSFER_TIMEOUT_MS / 60_000} minutes`
      : cliMessage(outcome.stderr).replace(/^(cat|sh|mkdir)(: \d+)?: /, '')
    return new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot ${what} ${path}: ${message}${problem === null ? '' : ` (${problem})`}`)
  }

  /** Why the container cannot run commands (stopped, killed for memory, gone), or null when it runs. */
  private async containerProblem(): Promise<string | null> {
    const outcome = await this.init.cli
      .run(['container', 'inspect', '--format', '{{.State.Status}} {{.State.OOMKilled}} {{.State.ExitCode}}', this.id], { timeoutMs: 30_000 })
      .catch(() => null)
    if (outcome === null || outcome.timedOut) return null
    if (outcome.exitCode !== 0) return isNoSuchObject(outcome.stderr) ? 'the container no longer exists' : null
    const [status, oomKilled, exitCode] = outcome.stdout.toString('utf8').trim().split(' ')
    if (status === 'running') return null
    const oom = oomKilled === 'true' ? ', killed for using too much memory' : ''
    return `the container is ${status}, exit code ${exitCode}${oom}`
  }

  private goneError(): CooperbenchError {
    return new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id} has been terminated`, {
      hint: 'Create a new sandbox; a terminated one cannot run commands.',
    })
  }

  private assertUsable(): void {
    if (this.terminated) throw this.goneError()
  }
}
