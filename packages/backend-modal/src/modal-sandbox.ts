import { randomUUID } from 'node:crypto'
import { posix } from 'node:path'
import { Readable, Writable } from 'node:stream'
import type { ReadableStream as NodeReadableStream, WritableStream as NodeWritableStream } from 'node:stream/web'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  abortedBeforeStart,
  CappedOutput,
  cappedExecResult,
  CommandSandbox,
  LOGIN_PATH_HOOK_FILE,
  processGroupExecArgv,
  processGroupKillArgv,
  reachedTimeLimit,
} from '@cooperbench/backend-kit'
import { CooperbenchError, type ExecOptions, isCooperbenchError, type ExecResult, SANDBOX_REPO_DIR } from '@cooperbench/spec'
import type { RelayChannel } from '@cooperbench/backend-kit'
import { isExecDeadline } from './modal-errors.js'
import type { ModalProcess, ModalSandboxHandle } from './modal-port.js'

/** How often, and how far apart, a command killed from outside checks whether its sandbox ended. */
const STOPPED_LOOKS = 5
const STOPPED_LOOK_INTERVAL_MS = 300

/** Modal's own bound on an exec, past ours: a command whose kill did not come back is given up. */
const SDK_EXEC_MARGIN_MS = 30_000

/** The PATH hook's file, written by the startup script. */
export const MODAL_PROFILE_HOOK_PATH = LOGIN_PATH_HOOK_FILE

const STDIN_CHUNK_BYTES = 1024 * 1024

/** A closed stream command that has not ended by itself this long after is killed. */
const STREAM_END_GRACE_MS = 5_000

export interface ModalSandboxInit {
  handle: ModalSandboxHandle
  maxOutputBytes: number
  /** The image's PATH, read when the sandbox started. */
  path: string
  /** Called once, when the sandbox is terminated. */
  onTerminated(): void
}

/** A Modal sandbox behind the harness's `Sandbox` contract. */
export class ModalSandbox extends CommandSandbox {
  readonly id: string
  protected readonly imagePath: string
  private terminated = false
  private terminating: Promise<void> | null = null
  private readonly terminationListeners: Array<() => void> = []

  constructor(private readonly init: ModalSandboxInit) {
    super()
    this.id = init.handle.sandboxId
    this.imagePath = init.path
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.assertUsable()
    const target = posix.resolve(SANDBOX_REPO_DIR, path)
    let bytes: Uint8Array, errors: Uint8Array, code: number
    try {
      const process = await this.start(['cat', '--', target], { cwd: '/', timeoutMs: 10 * 60_000 })
      await process.stdin.close().catch(() => {})
      ;[bytes, errors, code] = await Promise.all([process.stdout.readBytes(), process.stderr.readBytes(), process.wait()])
    } catch (error) {
      this.assertUsable()
      await this.assertStillRunning(null)
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot read ${target}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      })
    }
    if (code !== 0) {
      throw new CooperbenchError(
        'SANDBOX_FAILED',
        `sandbox ${this.id}: cannot read ${target}: ${Buffer.from(errors).toString('utf8').trim() || `exit ${code}`}`,
      )
    }
    return bytes
  }

  /** The SDK's handle of this sandbox (tunnels, tags). */
  get handle(): ModalSandboxHandle {
    return this.init.handle
  }

  /**
   * A port a process in the sandbox listens on, reachable from this machine through core's port
   * relay (an exec per connection, its stdin streamed), so it works with `blockNetwork` and
   * needs no tunnel declared when the sandbox was created.
   */
  exposePort(port: number): Promise<string> {
    return this.relayPort(port)
  }

  protected override async openStream(argv: string[]): Promise<RelayChannel> {
    this.assertUsable()
    const execId = randomUUID()
    const process = await this.start(argv, { cwd: '/', execId })
    const input = Writable.fromWeb(process.stdin as unknown as NodeWritableStream<Uint8Array>)
    const output = Readable.fromWeb(process.stdout as unknown as NodeReadableStream<Uint8Array>)
    input.on('error', () => {})
    output.on('error', () => {})
    void drain(process.stderr, new CappedOutput(64 * 1024)).catch(() => {})
    let ended = false
    const exited = process.wait().then(
      () => {
        ended = true
      },
      () => {
        ended = true
      },
    )
    let closed = false
    return {
      input,
      output,
      close: () => {
        if (closed) return
        closed = true
        // The relay script ends when its stdin does; one that does not (a server that reads
        // nothing) is killed with its process group.
        input.end()
        output.destroy()
        const timer = setTimeout(() => {
          if (!ended) void this.killGroup(execId)
        }, STREAM_END_GRACE_MS).unref()
        void exited.then(() => clearTimeout(timer))
      },
    }
  }

  /** Idempotent; concurrent calls share one termination. */
  terminate(): Promise<void> {
    if (this.terminating) return this.terminating
    this.terminated = true
    this.terminating = (async () => {
      try {
        await this.closeRelays()
        await this.init.handle.terminate()
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

  protected assertUsable(): void {
    if (this.terminated) throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id} has been terminated`)
  }

  private async start(argv: string[], options: ExecOptions & { cwd: string; execId?: string }): Promise<ModalProcess> {
    const execId = options.execId ?? randomUUID()
    return this.init.handle.exec(processGroupExecArgv(execId, options.timeoutMs, argv), {
      mode: 'binary',
      stdout: 'pipe',
      stderr: 'pipe',
      workdir: options.cwd,
      ...(options.env && Object.keys(options.env).length > 0 ? { env: options.env } : {}),
      // The SDK refuses a timeout that is not whole seconds (`timeoutMs must be a multiple of 1000ms`).
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: Math.ceil((options.timeoutMs + SDK_EXEC_MARGIN_MS) / 1000) * 1000 }),
    })
  }

  protected async run(argv: string[], options: ExecOptions & { cwd: string }): Promise<ExecResult> {
    const started = Date.now()
    // An aborted signal stops a command like its timeout, also before it starts.
    if (options.signal?.aborted) return abortedBeforeStart()
    const execId = randomUUID()
    const cap = options.maxOutputBytes ?? this.init.maxOutputBytes
    const stdout = new CappedOutput(cap)
    const stderr = new CappedOutput(cap)
    let aborted = false
    const onAbort = () => {
      aborted = true
      void this.killGroup(execId)
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const process = await this.start(argv, { ...options, execId })
      // A command that exits without reading its input is not an error of ours.
      const writing = writeStdin(process, options.stdin).catch(() => {})
      const [code] = await Promise.all([process.wait(), drain(process.stdout, stdout), drain(process.stderr, stderr), writing])
      const durationMs = Date.now() - started
      if (this.terminated) return cappedExecResult({ stdout, stderr }, { exitCode: -1, timedOut: false, durationMs })
      // Killed from outside the command (137, or Modal's -1) without our limit or abort: the
      // sandbox itself may have stopped under it, which is Modal's failure, not the command's.
      if ((code === 137 || code === -1) && !aborted) await this.assertStillRunning(code)
      const limitReached = options.timeoutMs !== undefined && reachedTimeLimit(code, durationMs, options.timeoutMs)
      // Modal reports a command it stopped itself as -1.
      const timedOut = aborted || limitReached || code === -1
      return cappedExecResult({ stdout, stderr }, { exitCode: timedOut ? -1 : code, timedOut, durationMs })
    } catch (error) {
      // Terminated while it ran: the command ends like one killed, not as a failure.
      if (this.terminated) return cappedExecResult({ stdout, stderr }, { exitCode: -1, timedOut: false, durationMs: Date.now() - started })
      if (isCooperbenchError(error)) throw error
      // The SDK's own deadline (ours plus a margin) passed: our kill did not come back.
      if (isExecDeadline(error)) {
        void this.killGroup(execId)
        return cappedExecResult({ stdout, stderr }, { exitCode: -1, timedOut: true, durationMs: Date.now() - started })
      }
      await this.assertStillRunning(null)
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: a command failed in Modal: ${error instanceof Error ? error.message : String(error)}`, {
        hint: 'The sandbox may have stopped (its timeout, or Modal ended it); the pair is an infrastructure failure and is retried by a rerun.',
        cause: error,
      })
    } finally {
      options.signal?.removeEventListener('abort', onAbort)
    }
  }

  /** Throws SANDBOX_FAILED when the sandbox has stopped (Modal's timeout, out of memory, ended by Modal). */
  private async assertStillRunning(exitCode: number | null): Promise<void> {
    // Modal may report the sandbox's end a moment after the command's: look a few times.
    let stopped: number | null = null
    for (let look = 0; look < STOPPED_LOOKS && stopped === null; look++) {
      if (look > 0) await sleep(STOPPED_LOOK_INTERVAL_MS)
      stopped = await this.init.handle.poll().catch(() => null)
    }
    if (stopped === null || this.terminated) return
    throw new CooperbenchError(
      'SANDBOX_FAILED',
      `Modal sandbox ${this.id} stopped while a command ran (sandbox exit ${stopped}${exitCode === null ? '' : `, command exit ${exitCode}`})`,
      {
        hint: 'Modal ended it (its lifetime bound backends.modal.sandboxTimeoutSeconds, memory, or a Modal incident); the pair is an infrastructure failure and a rerun retries it.',
      },
    )
  }

  /** Kills the process group of a command started by the wrapper (best effort). */
  private async killGroup(execId: string): Promise<void> {
    if (this.terminated) return
    const killer = await this.init.handle
      .exec(processGroupKillArgv(execId), { mode: 'binary', stdout: 'ignore', stderr: 'ignore', timeoutMs: 30_000 })
      .catch(() => null)
    await killer?.wait().catch(() => {})
  }
}

async function drain(stream: ReadableStream<Uint8Array>, into: CappedOutput): Promise<void> {
  for await (const chunk of stream) into.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
}

async function writeStdin(process: ModalProcess, stdin: string | Uint8Array | undefined): Promise<void> {
  const writer = process.stdin.getWriter()
  try {
    if (stdin !== undefined) {
      const bytes = typeof stdin === 'string' ? Buffer.from(stdin, 'utf8') : stdin
      for (let offset = 0; offset < bytes.length; offset += STDIN_CHUNK_BYTES) await writer.write(bytes.subarray(offset, offset + STDIN_CHUNK_BYTES))
    }
    await writer.close()
  } finally {
    writer.releaseLock()
  }
}
