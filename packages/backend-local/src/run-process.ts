import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import type { Readable } from 'node:stream'
import { CappedOutput, type CommandOutcome, type StopReason } from '@cooperbench/backend-kit'
import { BWRAP_STATUS_FD } from './bwrap-args.js'

export interface ProcessOptions {
  /** Environment of the started program itself (bwrap replaces it for the sandboxed command). */
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** Written to standard input, which is then closed; without it stdin is closed at once. */
  stdin?: string | Uint8Array
  /**
   * Written to file descriptor 3 of the process, which is then closed (bwrap's `--args 3`).
   * File descriptor 4 is then a pipe too, read into the result's `status` (bwrap's
   * `--json-status-fd 4`).
   */
  fd3?: string | Uint8Array
  /** Kill the process group after this many milliseconds (none when absent or not positive). */
  timeoutMs?: number
  signal?: AbortSignal
  /** Cap on each of stdout and stderr; `Infinity` keeps everything (binary file transfer). */
  maxOutputBytes: number
}

/** How a process ended; its exit code is -1 when we killed it (`stoppedBy`) or a signal ended it. */
export interface ProcessResult extends CommandOutcome {
  /** What the process wrote to file descriptor 4 (given `fd3`); empty otherwise. */
  status: string
}

/** A started process: its result, and a way for its owner to stop it early. */
export interface RunningProcess {
  readonly result: Promise<ProcessResult>
  /** Kills the whole process group; the result then resolves with exit code -1. Idempotent. */
  kill(reason: StopReason): void
}

/**
 * How long we wait for stdout/stderr to close after the process exited. A grandchild that left
 * the process group (setsid) can hold the pipes open forever; the result must not wait for it.
 */
const PIPE_CLOSE_GRACE_MS = 2_000

/**
 * Starts `file` as the leader of a new process group, so that a kill reaches everything it
 * started. Output beyond `maxOutputBytes` is counted and dropped while the pipes keep being
 * drained, so a chatty process never blocks on a full pipe.
 *
 * Spawn failures (e.g. the program does not exist) reject `result`.
 */
export function startProcess(file: string, args: readonly string[], options: ProcessOptions): RunningProcess {
  const started = performance.now()
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: options.fd3 === undefined ? 'pipe' : Array<'pipe'>(BWRAP_STATUS_FD + 1).fill('pipe'),
  })
  // bwrap's status pipe, present with fd3.
  const statusPipe = (child.stdio[BWRAP_STATUS_FD] ?? null) as Readable | null
  let status = ''
  const stdout = new CappedOutput(options.maxOutputBytes)
  const stderr = new CappedOutput(options.maxOutputBytes)
  let stoppedBy: StopReason | null = null
  let exited = false

  const killGroup = (reason: StopReason) => {
    if (exited || stoppedBy !== null) return
    stoppedBy = reason
    try {
      // Negative pid: the whole group. bwrap's own children sit in a new session, but bwrap
      // runs with --die-with-parent and a private pid namespace, so they die with it.
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // ESRCH: it is already gone, which is what we wanted.
    }
  }

  const result = new Promise<ProcessResult>((resolve, reject) => {
    let exitCode: number | null = null
    let settled = false
    let graceTimer: NodeJS.Timeout | undefined
    const timeoutTimer = options.timeoutMs !== undefined && options.timeoutMs > 0 ? setTimeout(() => killGroup('timeout'), options.timeoutMs) : undefined
    const onAbort = () => killGroup('abort')
    options.signal?.addEventListener('abort', onAbort, { once: true })

    const cleanup = () => {
      clearTimeout(timeoutTimer)
      clearTimeout(graceTimer)
      options.signal?.removeEventListener('abort', onAbort)
    }
    const finish = () => {
      if (settled) return
      settled = true
      cleanup()
      resolve({
        exitCode: stoppedBy !== null || exitCode === null ? -1 : exitCode,
        stdout,
        stderr,
        stoppedBy,
        durationMs: Math.round(performance.now() - started),
        status,
      })
    }

    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.once('error', (error) => {
      if (settled) return
      settled = true
      exited = true
      cleanup()
      reject(error)
    })
    child.once('exit', (code, signal) => {
      exited = true
      // A program killed by a signal reports 128+n, as a shell would (a segfault is 139).
      exitCode = code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : null)
      graceTimer = setTimeout(() => {
        child.stdout.destroy()
        child.stderr.destroy()
        statusPipe?.destroy()
        finish()
      }, PIPE_CLOSE_GRACE_MS)
    })
    child.once('close', finish)

    // The program may exit without reading its input; that is its business, not an error.
    child.stdin.on('error', () => {})
    // Without input, stdin is closed at once: a command that reads it sees end-of-file, not a hang.
    if (options.stdin === undefined) child.stdin.end()
    else child.stdin.end(options.stdin)
    const fd3 = child.stdio[3]
    if (fd3 && 'end' in fd3) {
      fd3.on('error', () => {})
      fd3.end(options.fd3)
    }
    if (statusPipe) {
      statusPipe.on('error', () => {})
      statusPipe.setEncoding('utf8')
      // A few short JSON lines; capped all the same.
      statusPipe.on('data', (text: string) => {
        if (status.length < 64 * 1024) status += text
      })
    }
    if (options.signal?.aborted) onAbort()
  })

  return { result, kill: killGroup }
}
