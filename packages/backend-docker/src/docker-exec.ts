import { CappedOutput, type CommandOutcome, processGroupExecArgv, processGroupKillArgv, type StopReason } from '@cooperbench/backend-kit'
import { randomBytes } from 'node:crypto'
import type { Duplex } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type Docker from 'dockerode'

/**
 * One command through the Engine's exec API. Docker has no "kill this exec" call and dropping the
 * attach connection does not stop the process, so every command runs under the kit's exec
 * wrapper (no limit: the timeout is kept here) and a stop runs the kit's kill script as a second exec.
 */

export interface ExecRequest {
  argv: string[]
  cwd: string
  env: Record<string, string>
  stdin?: string | Uint8Array | undefined
  timeoutMs?: number | undefined
  signal?: AbortSignal | undefined
  maxOutputBytes: number
  /** Run as this user (`0` for the harness' own housekeeping); default the container's user. */
  user?: string
}

/** How long a stop waits for the command's streams to close before it kills again. */
const KILL_ROUND_WAIT_MS = 1_000
const KILL_ROUNDS = 4
/** The engine may close the stream a moment before it records the exit code. */
const EXIT_CODE_POLL_MS = 25
const EXIT_CODE_WAIT_MS = 3_000

/** A running exec: its result, and `stop`; the timeout and the abort signal are handled inside. */
export class DockerExecution {
  readonly id = randomBytes(8).toString('hex')
  readonly result: Promise<CommandOutcome>
  private readonly started = performance.now()
  private readonly stdout: CappedOutput
  private readonly stderr: CappedOutput
  private stoppedBy: StopReason | null = null
  private stream: Duplex | undefined
  private killing: Promise<void> | undefined
  private streamClosed = false
  /** Settles once the attach stream is closed. */
  private ended: Promise<void> | undefined
  /** Resolves the main wait early: the command was stopped (and killed) or the sandbox went away. */
  private interrupt!: () => void
  private readonly interrupted = new Promise<void>((resolve) => {
    this.interrupt = resolve
  })

  constructor(
    private readonly container: Docker.Container,
    private readonly request: ExecRequest,
    private readonly demux: (stream: Duplex, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream) => void,
  ) {
    this.stdout = new CappedOutput(request.maxOutputBytes)
    this.stderr = new CappedOutput(request.maxOutputBytes)
    this.result = this.run()
  }

  /** `terminate` resolves the result at once (the container's removal kills everything); `timeout`/`abort` kill first. Idempotent. */
  stop(reason: StopReason): void {
    if (this.stoppedBy !== null || this.streamClosed) return
    this.stoppedBy = reason
    if (reason === 'terminate') {
      this.stream?.destroy()
      this.interrupt()
      return
    }
    // Before the exec has started there is nothing to kill yet; `run` kills right after start.
    if (this.stream) this.startKilling()
  }

  private async run(): Promise<CommandOutcome> {
    const { request } = this
    const timer = request.timeoutMs !== undefined && request.timeoutMs > 0 ? setTimeout(() => this.stop('timeout'), request.timeoutMs) : undefined
    const onAbort = () => this.stop('abort')
    request.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      if (request.signal?.aborted) this.stop('abort')
      if (this.stoppedBy !== null) return this.outcome(-1)

      const exec = await this.container.exec({
        Cmd: processGroupExecArgv(this.id, undefined, request.argv, request.cwd),
        Env: Object.entries(request.env).map(([key, value]) => `${key}=${value}`),
        // The wrapper changes to `cwd` itself.
        WorkingDir: '/',
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: request.stdin !== undefined,
        Tty: false,
        ...(request.user === undefined ? {} : { User: request.user }),
      })
      // Stopped while the exec was being created: never start it (an unstarted exec is just dropped).
      if (this.stoppedBy !== null) return this.outcome(-1)
      const stream = (await exec.start({ hijack: true, stdin: request.stdin !== undefined })) as Duplex
      this.stream = stream
      this.ended = this.watchStream(stream)
      if (this.stoppedBy === 'terminate') {
        stream.destroy()
        return this.outcome(-1)
      }
      this.demux(stream, sink(this.stdout), sink(this.stderr))
      if (request.stdin !== undefined) {
        // The command may exit without reading its input; that is its business, not an error.
        stream.on('error', () => {})
        const { stdin } = request
        stream.end(typeof stdin === 'string' ? stdin : Buffer.from(stdin.buffer, stdin.byteOffset, stdin.byteLength))
      }
      // Stopped while the exec was starting: the command may be running already.
      if (this.stoppedBy !== null) this.startKilling()

      await Promise.race([this.ended, this.interrupted])
      if (this.stoppedBy !== null) {
        await this.killing
        return this.outcome(-1)
      }
      return this.outcome(await this.exitCode(exec))
    } catch (error) {
      // The sandbox was removed under a starting command: that is a stop, not a failure.
      if (this.stoppedBy !== null) return this.outcome(-1)
      throw error
    } finally {
      clearTimeout(timer)
      request.signal?.removeEventListener('abort', onAbort)
      this.stream?.destroy()
    }
  }

  /** Resolves once the attach stream is closed (everything holding the command's output ended). */
  private watchStream(stream: Duplex): Promise<void> {
    return new Promise((resolve) => {
      const closed = () => {
        if (this.streamClosed) return
        this.streamClosed = true
        resolve()
      }
      stream.once('end', closed)
      stream.once('close', closed)
      // `on`, not `once`: a second 'error' without a listener would crash the process.
      stream.on('error', closed)
    })
  }

  private startKilling(): void {
    this.killing ??= this.killProcesses().finally(() => this.interrupt())
  }

  /** The kill script until the streams close: a second round matters when the first ran before the engine started the command. */
  private async killProcesses(): Promise<void> {
    for (let round = 0; round < KILL_ROUNDS && !this.streamClosed; round++) {
      try {
        const kill = await this.container.exec({
          Cmd: processGroupKillArgv(this.id),
          User: '0',
          AttachStdout: false,
          AttachStderr: false,
        })
        const stream = (await kill.start({ hijack: true, stdin: false })) as Duplex
        await new Promise<void>((resolve) => {
          stream.once('close', resolve)
          stream.once('end', resolve)
          stream.on('error', () => resolve())
          stream.resume()
        })
        stream.destroy()
      } catch {
        // The container is gone or stopped: so is the command.
        return
      }
      await Promise.race([this.ended, sleep(KILL_ROUND_WAIT_MS, undefined, { ref: false })])
    }
  }

  private async exitCode(exec: Docker.Exec): Promise<number> {
    const deadline = Date.now() + EXIT_CODE_WAIT_MS
    for (;;) {
      const info = await exec.inspect().catch(() => null)
      if (info === null) return -1
      if (!info.Running && info.ExitCode !== null) return info.ExitCode
      if (Date.now() >= deadline) return -1
      await sleep(EXIT_CODE_POLL_MS)
    }
  }

  private outcome(exitCode: number): CommandOutcome {
    return {
      exitCode: this.stoppedBy !== null ? -1 : exitCode,
      stdout: this.stdout,
      stderr: this.stderr,
      stoppedBy: this.stoppedBy,
      durationMs: Math.round(performance.now() - this.started),
    }
  }
}

/** What docker-modem's demultiplexer writes to: every frame goes into the capped buffer. */
function sink(output: CappedOutput): NodeJS.WritableStream {
  return {
    write: (chunk: Buffer) => {
      output.push(chunk)
      return true
    },
  } as unknown as NodeJS.WritableStream
}
