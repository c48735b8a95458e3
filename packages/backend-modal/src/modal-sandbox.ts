import { randomUUID } from 'node:crypto'
import { Readable, Writable } from 'node:stream'
import type { ReadableStream as NodeReadableStream, WritableStream as NodeWritableStream } from 'node:stream/web'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  type CapturedOutput,
  CappedOutput,
  CommandSandbox,
  type CommandSandboxInit,
  processGroupExecArgv,
  processGroupKillArgv,
} from '@cooperbench/backend-kit'
import { CooperbenchError, type ExecOptions, isCooperbenchError } from '@cooperbench/spec'
import type { RelayChannel } from '@cooperbench/backend-kit'
import { isExecDeadline } from './modal-errors.js'
import type { ModalProcess, ModalSandboxHandle } from './modal-port.js'

/** How often, and how far apart, a command killed from outside checks whether its sandbox ended. */
const STOPPED_LOOKS = 5
const STOPPED_LOOK_INTERVAL_MS = 300

/** Modal's own bound on an exec, past ours: a command whose kill did not come back is given up. */
const SDK_EXEC_MARGIN_MS = 30_000

const STDIN_CHUNK_BYTES = 1024 * 1024

export interface ModalSandboxInit extends CommandSandboxInit {
  handle: ModalSandboxHandle
}

/** A Modal sandbox; its exposed ports go through the port relay, so they work with `blockNetwork` and need no tunnel. */
export class ModalSandbox extends CommandSandbox<ModalSandboxInit> {
  readonly id = this.init.handle.sandboxId

  protected async catFile(target: string): Promise<{ code: number; stdout: Uint8Array; stderr: Uint8Array }> {
    try {
      const process = await this.start(['cat', '--', target], { cwd: '/', timeoutMs: 10 * 60_000 })
      await process.stdin.close().catch(() => {})
      const [stdout, stderr, code] = await Promise.all([process.stdout.readBytes(), process.stderr.readBytes(), process.wait()])
      return { code, stdout, stderr }
    } catch (error) {
      this.assertUsable()
      await this.assertStillRunning(null)
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot read ${target}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      })
    }
  }

  /** The SDK's handle of this sandbox (tunnels, tags). */
  get handle(): ModalSandboxHandle {
    return this.init.handle
  }

  protected override async openStream(argv: string[], execId: string): Promise<RelayChannel> {
    const process = await this.start(argv, { cwd: '/', execId })
    const input = Writable.fromWeb(process.stdin as unknown as NodeWritableStream<Uint8Array>)
    const output = Readable.fromWeb(process.stdout as unknown as NodeReadableStream<Uint8Array>)
    input.on('error', () => {})
    output.on('error', () => {})
    void drain(process.stderr, new CappedOutput(64 * 1024)).catch(() => {})
    return this.relayChannel(execId, { stdin: input, stdout: output, ended: process.wait().catch(() => {}) }, () => output.destroy())
  }

  protected async removeSandbox(): Promise<void> {
    await this.init.handle.terminate()
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

  protected async runWrapped(argv: string[], execId: string, options: ExecOptions & { cwd: string }, output: CapturedOutput): Promise<number | null> {
    try {
      const process = await this.start(argv, { ...options, execId })
      // A command that exits without reading its input is not an error of ours.
      const writing = writeStdin(process, options.stdin).catch(() => {})
      const [code] = await Promise.all([process.wait(), drain(process.stdout, output.stdout), drain(process.stderr, output.stderr), writing])
      return code
    } catch (error) {
      if (this.terminated || isCooperbenchError(error)) throw error
      // The SDK's own deadline (ours plus a margin) passed: our kill did not come back.
      if (isExecDeadline(error)) {
        void this.killGroup(execId)
        return null
      }
      await this.assertStillRunning(null)
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: a command failed in Modal: ${error instanceof Error ? error.message : String(error)}`, {
        hint: 'The sandbox may have stopped (its timeout, or Modal ended it); the pair is an infrastructure failure and is retried by a rerun.',
        cause: error,
      })
    }
  }

  /** Killed from outside (137, or Modal's -1): the sandbox itself may have stopped under it, Modal's failure. */
  protected async stoppedFromOutside(code: number): Promise<boolean> {
    if (code === 137 || code === -1) await this.assertStillRunning(code)
    // Modal reports a command it stopped itself as -1.
    return code === -1
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

  protected async killGroup(execId: string): Promise<void> {
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
