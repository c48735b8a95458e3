import { spawn } from 'node:child_process'
import { statSync } from 'node:fs'
import { constants } from 'node:os'
import { CappedOutput } from './capped-output.js'
import type { CommandOutcome, StopReason } from './command-outcome.js'
import { signalProcessGroup } from './host-process-group.js'

/** How one host process is run by {@link startHostCommand}. */
export interface HostCommandOptions {
  /** Host directory it starts in; a missing one fails the command (exit 1), as a shell's `cd` would. */
  cwd: string
  /** Its whole environment: nothing of this process's environment is added. */
  env: Record<string, string>
  /** Written to standard input, which is then closed; without it stdin is closed at once. */
  stdin?: string | Uint8Array | undefined
  /** Kill the process group after this many milliseconds (none when absent or not positive). */
  timeoutMs?: number | undefined
  /** Aborting kills the process group like the timeout (an already aborted signal, at once). */
  signal?: AbortSignal | undefined
  /** Cap on each of stdout and stderr; `Infinity` keeps everything. */
  maxOutputBytes: number
}

/** A started host process: how it ends, and a way for its owner to stop it early. */
export interface RunningHostCommand {
  readonly outcome: Promise<CommandOutcome>
  /** Kills the whole process group; the outcome then has exit code -1 and `stoppedBy`. Idempotent. */
  stop(reason: StopReason): void
}

/**
 * After the leader exited, how long its stdout/stderr may stay open: a grandchild that left the
 * group (setsid) can hold the pipes forever, and the outcome must not wait for it.
 */
const PIPE_CLOSE_GRACE_MS = 2_000

/**
 * Starts `argv` on this machine as the leader of a process group of its own, so that a timeout,
 * an abort or {@link RunningHostCommand.stop} kills everything it started (`signalProcessGroup`,
 * never a group that took the number after it ended). Output beyond the cap is counted and
 * dropped while the pipes keep being drained. Exit codes are a shell's: 127 for a program that
 * does not exist, 1 for a missing `cwd`, 128+n after signal n; -1 when it was stopped. Never rejects.
 */
export function startHostCommand(argv: readonly string[], options: HostCommandOptions): RunningHostCommand {
  const started = performance.now()
  const stdout = new CappedOutput(options.maxOutputBytes)
  const stderr = new CappedOutput(options.maxOutputBytes)
  const child = spawn(argv[0] ?? '', argv.slice(1), { cwd: options.cwd, env: options.env, detached: true, stdio: 'pipe' })
  let stoppedBy: StopReason | null = null
  const stop = (reason: StopReason) => {
    if (stoppedBy !== null || child.pid === undefined) return
    stoppedBy = reason
    signalProcessGroup(child)
  }

  const outcome = new Promise<CommandOutcome>((resolve) => {
    let settled = false
    let grace: NodeJS.Timeout | undefined
    const timer = options.timeoutMs !== undefined && options.timeoutMs > 0 ? setTimeout(() => stop('timeout'), options.timeoutMs) : undefined
    const onAbort = () => stop('abort')
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const finish = (exitCode: number) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(grace)
      options.signal?.removeEventListener('abort', onAbort)
      const durationMs = Math.round(performance.now() - started)
      resolve({ exitCode: stoppedBy === null ? exitCode : -1, stdout, stderr, stoppedBy, durationMs })
    }
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.once('error', (error: NodeJS.ErrnoException) => {
      // No process: the program or the cwd is missing (node says ENOENT for both).
      stderr.push(Buffer.from(`${argv[0]}: ${error.message}\n`))
      finish(error.code === 'ENOENT' && !isDirectory(options.cwd) ? 1 : 127)
    })
    child.once('exit', (code, signal) => {
      const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)
      grace = setTimeout(() => {
        child.stdout.destroy()
        child.stderr.destroy()
        finish(exitCode)
      }, PIPE_CLOSE_GRACE_MS)
      child.once('close', () => finish(exitCode))
    })
    child.stdin.on('error', () => {})
    child.stdin.end(options.stdin)
    if (options.signal?.aborted) onAbort()
  })
  return { outcome, stop }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
