import { type ChildProcess, type IOType, spawn } from 'node:child_process'
import { statSync } from 'node:fs'
import { constants } from 'node:os'
import type { Readable } from 'node:stream'
import { CappedOutput } from './capped-output.js'
import type { CommandOutcome, StopReason } from './command-outcome.js'
import { signalProcessGroup } from './host-process-group.js'

/** How one host process is run by {@link startHostCommand}. */
export interface HostCommandOptions {
  /** Host directory it starts in (default this process's); a missing one fails the command (exit 1), as a shell's `cd` would. */
  cwd?: string | undefined
  /** Its whole environment: nothing of this process's environment is added. */
  env: Record<string, string>
  /** Written to standard input, which is then closed; without it stdin is `/dev/null`, as a container's exec without input has it. */
  stdin?: string | Uint8Array | undefined
  /** Written to fd 3, then closed (bwrap's `--args 3`); fd 4 is then read into the outcome's `fd4` (`--json-status-fd 4`). */
  fd3?: string | Uint8Array | undefined
  /** Kill the process group after this many milliseconds (none when absent or not positive). */
  timeoutMs?: number | undefined
  /** Aborting kills the process group like the timeout (an already aborted signal, at once). */
  signal?: AbortSignal | undefined
  /** Cap on each of stdout and stderr; `Infinity` keeps everything. */
  maxOutputBytes: number
  /** A program that cannot start rejects with node's spawn error, not exit 127: for a caller whose own tool (bwrap, git) is the program. */
  rejectStartFailure?: boolean | undefined
}

/** How a host process ended, with what it wrote to file descriptor 4 (given `fd3`; empty otherwise). */
export interface HostCommandOutcome extends CommandOutcome {
  fd4: string
}

/** A started host process: how it ends, and a way for its owner to stop it early. */
export interface RunningHostCommand {
  readonly outcome: Promise<HostCommandOutcome>
  /** Kills the whole process group; the outcome then has exit code -1 and `stoppedBy`. Idempotent. */
  stop(reason: StopReason): void
}

/** After the leader exited, how long its pipes may stay open (a grandchild that called setsid can hold them forever). */
const PIPE_CLOSE_GRACE_MS = 2_000
/** After that grace, how long file descriptor 4 may still take to end (it holds the exit status). */
const FD4_END_WAIT_MS = 30_000

/**
 * Starts `argv` here leading its own process group, so a timeout, abort or {@link RunningHostCommand.stop} kills all it started.
 * Output past the cap is counted and dropped, the pipes still drained. Exit codes are a shell's (127: no program, 1: no `cwd`,
 * 128+n: signal n); -1 when stopped. Rejects only with `rejectStartFailure`.
 */
export function startHostCommand(argv: readonly string[], options: HostCommandOptions): RunningHostCommand {
  const started = performance.now()
  const stdout = new CappedOutput(options.maxOutputBytes)
  const stderr = new CappedOutput(options.maxOutputBytes)
  // No input: /dev/null, not a pipe closed at once, so a command asking what stdin is (`test -t 0`) gets Docker's answer.
  const input: IOType = options.stdin === undefined ? 'ignore' : 'pipe'
  const stdio: IOType[] = options.fd3 === undefined ? [input, 'pipe', 'pipe'] : [input, 'pipe', 'pipe', 'pipe', 'pipe']
  const spawned = spawn(argv[0] ?? '', argv.slice(1), { cwd: options.cwd, env: options.env, detached: true, stdio })
  // stdout and stderr are always pipes.
  const child = spawned as ChildProcess & { stdout: Readable; stderr: Readable }
  const fd4 = (child.stdio[4] ?? null) as Readable | null
  let fd4Text = ''
  let stoppedBy: StopReason | null = null
  const stop = (reason: StopReason) => {
    if (stoppedBy !== null || child.pid === undefined) return
    stoppedBy = reason
    signalProcessGroup(child)
  }

  const outcome = new Promise<HostCommandOutcome>((resolve, reject) => {
    let settled = false
    let grace: NodeJS.Timeout | undefined
    const timer = options.timeoutMs !== undefined && options.timeoutMs > 0 ? setTimeout(() => stop('timeout'), options.timeoutMs) : undefined
    const onAbort = () => stop('abort')
    options.signal?.addEventListener('abort', onAbort, { once: true })
    const finish = (end: number | Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      clearTimeout(grace)
      options.signal?.removeEventListener('abort', onAbort)
      const durationMs = Math.round(performance.now() - started)
      if (end instanceof Error) reject(end)
      else resolve({ exitCode: stoppedBy === null ? end : -1, stdout, stderr, stoppedBy, durationMs, fd4: fd4Text })
    }
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (options.rejectStartFailure) return finish(error)
      // No process: the program or the cwd is missing (node says ENOENT for both).
      stderr.push(Buffer.from(`${argv[0]}: ${error.message}\n`))
      finish(error.code === 'ENOENT' && options.cwd !== undefined && !isDirectory(options.cwd) ? 1 : 127)
    })
    child.once('exit', (code, signal) => {
      const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)
      // After one more poll (setImmediate): a loop busy past the grace would drop piped output (seen: `git rev-parse HEAD` as exit 0, no output).
      grace = setTimeout(() => setImmediate(closePipes), PIPE_CLOSE_GRACE_MS)
      const closePipes = () => {
        if (settled) return
        child.stdout.destroy()
        child.stderr.destroy()
        // fd 4 is the program's own (bwrap's status): read to the end, however busy this process is.
        const done = () => {
          fd4?.destroy()
          finish(exitCode)
        }
        if (fd4 === null || fd4.readableEnded || fd4.destroyed) return done()
        const cap = setTimeout(done, FD4_END_WAIT_MS)
        fd4.once('close', () => {
          clearTimeout(cap)
          done()
        })
      }
      child.once('close', () => finish(exitCode))
    })
    // The program may exit without reading its input; that is its business, not an error.
    child.stdin?.on('error', () => {})
    child.stdin?.end(options.stdin)
    const fd3 = child.stdio[3]
    if (fd3 && 'end' in fd3) {
      fd3.on('error', () => {})
      fd3.end(options.fd3)
    }
    fd4?.on('error', () => {})
    fd4?.setEncoding('utf8')
    // A few short lines (bwrap's JSON status); capped all the same.
    fd4?.on('data', (text: string) => {
      if (fd4Text.length < 64 * 1024) fd4Text += text
    })
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
