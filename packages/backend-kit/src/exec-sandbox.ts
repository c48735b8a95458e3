import { randomUUID } from 'node:crypto'
import { posix } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { type ExecOptions, type ExecResult, SANDBOX_REPO_DIR, type Sandbox, CooperbenchError } from '@cooperbench/spec'
import { CappedOutput } from './capped-output.js'
import { abortedBeforeStart, type CapturedOutput, cappedExecResult } from './command-outcome.js'
import { sandboxCommand } from './long-command.js'
import { PORT_RELAY_SCRIPT, type PortRelay, type RelayChannel, startPortRelay } from './port-relay.js'
import { reachedTimeLimit } from './process-group-exec.js'

/** A `writeFile` through a command: make the parent folder, then copy standard input into the file. */
const WRITE_FILE_SCRIPT = 'mkdir -p -- "$(dirname -- "$1")" && cat > "$1"'

/** A closed stream command that has not ended by itself this long after is killed. */
const STREAM_END_GRACE_MS = 5_000

/** What a {@link CommandSandbox} is made with. */
export interface CommandSandboxInit {
  /** The image's PATH, read when the sandbox started; restored in login shells. */
  path: string
  /** Cap on each of stdout and stderr of a command that sets none. */
  maxOutputBytes: number
  /** Called once, when the sandbox is terminated. */
  onTerminated(): void
}

/**
 * The `Sandbox` of a backend whose only primitive is "run argv with stdin, get output and exit code" (Modal's exec, `docker exec`
 * over SSH): commands under the process-group wrapper with timeout, abort and output cap, string commands in a login shell with
 * the image's PATH, `writeFile` through `cat`, an idempotent `terminate`. The backend supplies the abstract methods (`openStream` to expose ports).
 */
export abstract class CommandSandbox<I extends CommandSandboxInit = CommandSandboxInit> implements Sandbox {
  abstract readonly id: string
  /** Set by `terminate`: new commands fail, running ones end as killed. */
  protected terminated = false
  private terminating: Promise<void> | null = null
  private readonly terminationListeners: Array<() => void> = []
  private readonly relays = new Map<number, Promise<PortRelay>>()

  constructor(protected readonly init: I) {}

  /**
   * Runs `argv` under `processGroupExecArgv` as `execId` (limit `options.timeoutMs`, the options' cwd, env, stdin) into `output`:
   * its exit code, or null when the platform gave up on it (its own deadline).
   */
  protected abstract runWrapped(argv: string[], execId: string, options: ExecOptions & { cwd: string }, output: CapturedOutput): Promise<number | null>
  /** Kills the process group of command `execId` (best effort, never rejects). */
  protected abstract killGroup(execId: string): Promise<void>
  /** A command that ended with `code`, not aborted by us: SANDBOX_FAILED if the sandbox went away; true if the platform stopped it (then timed out). */
  protected abstract stoppedFromOutside(code: number, limitReached: boolean): Promise<boolean>
  /** Removes the sandbox from its platform; `terminate` calls it once. */
  protected abstract removeSandbox(): Promise<void>
  /** Runs `cat -- target` in `/`: its exit code and its whole output, uncapped. */
  protected abstract catFile(target: string): Promise<{ code: number; stdout: Uint8Array; stderr: Uint8Array }>
  /** Starts `argv` under the process-group wrapper as `execId` (in `/`, no limit), stdin and stdout streamed; without it no port is exposed. */
  protected openStream?(argv: string[], execId: string): Promise<RelayChannel>

  /** URL of a port listened on at 127.0.0.1 inside: a local listener relaying each connection via {@link openStream} (no network); same port, same URL. */
  async exposePort(port: number): Promise<string> {
    this.assertUsable()
    const open = this.openStream?.bind(this)
    if (!open || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot expose port ${port}${open ? '' : ': the backend cannot stream a command'}`)
    }
    let relay = this.relays.get(port)
    if (!relay) {
      relay = startPortRelay(() => {
        this.assertUsable()
        return open(['bash', '-c', PORT_RELAY_SCRIPT, 'cooperbench-relay', String(port)], randomUUID())
      })
      this.relays.set(port, relay)
      relay.catch(() => this.relays.delete(port))
    }
    return (await relay).url
  }

  /**
   * The channel of relay command `execId`: `close` ends its stdin (ending the relay) and runs `stopOutput`; one not ended within a
   * grace is killed with its process group. The stream is closed once the command ended or was killed.
   */
  protected relayChannel(
    execId: string,
    stream: { stdin: Writable; stdout: Readable; ended: Promise<unknown>; close?(): void },
    stopOutput: () => void,
  ): RelayChannel {
    let closed = false
    return {
      input: stream.stdin,
      output: stream.stdout,
      close: () => {
        if (closed) return
        closed = true
        stream.stdin.end()
        stopOutput()
        const timer = setTimeout(() => {
          if (!this.terminated) void this.killGroup(execId)
          stream.close?.()
        }, STREAM_END_GRACE_MS).unref()
        void stream.ended.then(() => {
          clearTimeout(timer)
          stream.close?.()
        })
      },
    }
  }

  /** Idempotent; concurrent calls share one termination. */
  terminate(): Promise<void> {
    if (this.terminating) return this.terminating
    this.terminated = true
    this.terminating = (async () => {
      try {
        const relays = [...this.relays.values()]
        this.relays.clear()
        await Promise.allSettled(relays.map(async (relay) => (await relay).close()))
        await this.removeSandbox()
      } finally {
        this.init.onTerminated()
        for (const listener of this.terminationListeners.splice(0)) listener()
      }
    })()
    return this.terminating
  }

  /** Calls `listener` once this sandbox has been terminated (at once when it already was). */
  whenTerminated(listener: () => void): void {
    if (this.terminating) void this.terminating.finally(listener).catch(() => {})
    else this.terminationListeners.push(listener)
  }

  /** Throws once the sandbox was terminated. */
  protected assertUsable(): void {
    if (this.terminated) throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id} has been terminated`)
  }

  async exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    this.assertUsable()
    const prepared = sandboxCommand(this.id, command, options, this.init.path)
    if (prepared.script) await this.writeFile(prepared.script.path, prepared.script.content)
    try {
      return await this.run(prepared.argv, { ...options, env: prepared.env, cwd: prepared.cwd })
    } finally {
      if (prepared.script) await this.run(['rm', '-f', '--', prepared.script.path], { cwd: '/', timeoutMs: 30_000 }).catch(() => {})
    }
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.assertUsable()
    const target = posix.resolve(SANDBOX_REPO_DIR, path)
    const read = await this.catFile(target)
    if (read.code !== 0) {
      throw new CooperbenchError(
        'SANDBOX_FAILED',
        `sandbox ${this.id}: cannot read ${target}: ${Buffer.from(read.stderr).toString('utf8').trim() || `exit ${read.code}`}`,
      )
    }
    return read.stdout
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    this.assertUsable()
    const target = posix.resolve(SANDBOX_REPO_DIR, path)
    const result = await this.run(['sh', '-c', WRITE_FILE_SCRIPT, 'cooperbench-write', target], {
      cwd: '/',
      stdin: typeof data === 'string' ? Buffer.from(data, 'utf8') : data,
      timeoutMs: 10 * 60_000,
      maxOutputBytes: 64 * 1024,
    })
    if (result.exitCode !== 0) {
      throw new CooperbenchError(
        'SANDBOX_FAILED',
        `sandbox ${this.id}: cannot write ${target}: ${(result.stderr || result.stdout).trim() || `exit ${result.exitCode}`}`,
      )
    }
  }

  private async run(argv: string[], options: ExecOptions & { cwd: string }): Promise<ExecResult> {
    const started = Date.now()
    if (options.signal?.aborted) return abortedBeforeStart()
    const execId = randomUUID()
    const cap = options.maxOutputBytes ?? this.init.maxOutputBytes
    const output = { stdout: new CappedOutput(cap), stderr: new CappedOutput(cap) }
    let aborted = false
    const onAbort = () => {
      aborted = true
      void this.killGroup(execId)
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const code = await this.runWrapped(argv, execId, options, output)
      const durationMs = Date.now() - started
      if (this.terminated) return cappedExecResult(output, { exitCode: -1, timedOut: false, durationMs })
      // Given up on by the platform: stopped like one that timed out.
      if (code === null) return cappedExecResult(output, { exitCode: -1, timedOut: true, durationMs })
      const limitReached = options.timeoutMs !== undefined && reachedTimeLimit(code, durationMs, options.timeoutMs)
      const stopped = !aborted && (await this.stoppedFromOutside(code, limitReached))
      const timedOut = aborted || limitReached || stopped
      return cappedExecResult(output, { exitCode: timedOut ? -1 : code, timedOut, durationMs })
    } catch (error) {
      // Terminated while it ran: the command ends like one killed, not as a failure.
      if (this.terminated) return cappedExecResult(output, { exitCode: -1, timedOut: false, durationMs: Date.now() - started })
      throw error
    } finally {
      options.signal?.removeEventListener('abort', onAbort)
    }
  }
}
