import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { ExecOptions, ExecResult, Sandbox } from '@cooperbench/core'
import { loginShellInvocation, signalProcessGroup } from '@cooperbench/backend-kit'

/** Ways to break the Sandbox contract, one at a time, to prove each check notices. */
export interface Flaws {
  /** Exit codes always come back as 0. */
  swallowExitCode?: boolean
  /** stderr is returned as part of stdout. */
  mergeStderr?: boolean
  /** An argv array is joined with spaces and run by a shell. */
  argvThroughShell?: boolean
  ignoreCwd?: boolean
  ignoreEnv?: boolean
  /** options.env sticks to the sandbox and is seen by later commands. */
  envLeaks?: boolean
  /** A string command over the argument limit is passed inline anyway (and cannot start). */
  longCommandInline?: boolean
  /** The script of a long command is left in /tmp. */
  keepCommandScript?: boolean
  /** Binary stdin is decoded as UTF-8 text first (invalid bytes become U+FFFD). */
  stdinAsText?: boolean
  /** Each output chunk is decoded on its own, splitting characters at chunk boundaries. */
  decodePerChunk?: boolean
  ignoreTimeout?: boolean
  /** A timeout reports the killed process' 128+9 instead of -1. */
  timeoutExitCode137?: boolean
  /** A timeout or abort kills the shell only, not the process group (children survive). */
  killDirectChildOnly?: boolean
  ignoreSignal?: boolean
  ignoreMaxOutput?: boolean
  /** Output is cut at the cap but without a marker line. */
  truncateWithoutMarker?: boolean
  /** writeFile decodes bytes as UTF-8 text before writing. */
  writeFileAsText?: boolean
  writeFileNoParents?: boolean
  readMissingAsEmpty?: boolean
  terminateNotIdempotent?: boolean
  /** terminate leaves running commands running. */
  terminateLeavesExec?: boolean
  usableAfterTerminate?: boolean
}

interface Running {
  child: ChildProcess
  kill(reason: 'timeout' | 'abort' | 'terminate'): void
}

/**
 * A Sandbox that runs commands straight on this machine (no isolation, no `/workspace/repo`):
 * correct by default as far as a host can be, broken on purpose by `flaws`. Only for checks that
 * use `/tmp`-like scratch paths and not the task's paths.
 */
export class HostFakeSandbox implements Sandbox {
  readonly id = `fake-${randomBytes(4).toString('hex')}`
  private readonly running = new Set<Running>()
  /** Every process group ever started, so that `destroy` can kill what flawed kills left. */
  private readonly groups = new Set<ChildProcess>()
  /** Every script of a long command written, so that `destroy` removes what flawed runs left. */
  private readonly scripts = new Set<string>()
  private readonly stickyEnv: Record<string, string> = {}
  private terminated = false
  private terminations = 0

  constructor(
    private readonly cwd: string,
    private readonly flaws: Flaws = {},
  ) {}

  async exec(command: string | string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (this.terminated && !this.flaws.usableAfterTerminate) throw new Error(`${this.id} has been terminated`)
    const flaws = this.flaws
    let file: string
    let args: string[]
    const script = typeof command === 'string' && !flaws.longCommandInline ? loginShellInvocation(command).script : undefined
    if (script !== undefined) {
      // Like the short commands' `bash -c`, not a login shell: the host's profile is not ours to run.
      this.scripts.add(script.path)
      await writeFile(script.path, flaws.keepCommandScript ? script.content.replace(/^.*\n/, '') : script.content)
      ;[file, args] = ['bash', [script.path]]
    } else if (typeof command === 'string') [file, args] = ['bash', ['-c', command]]
    else if (flaws.argvThroughShell) [file, args] = ['bash', ['-c', command.join(' ')]]
    else [file, args] = [command[0]!, command.slice(1)]
    try {
      return await this.spawnCommand(file, args, options)
    } finally {
      // The script deletes itself as it starts; a command stopped before that leaves it.
      if (script !== undefined && !flaws.keepCommandScript) await rm(script.path, { force: true })
    }
  }

  private spawnCommand(file: string, args: string[], options: ExecOptions): Promise<ExecResult> {
    const flaws = this.flaws
    if (flaws.envLeaks) Object.assign(this.stickyEnv, options.env)
    const env = { ...process.env, ...this.stickyEnv, ...(flaws.ignoreEnv ? {} : options.env) }
    const cwd = flaws.ignoreCwd ? this.cwd : (options.cwd ?? this.cwd)
    const cap = flaws.ignoreMaxOutput ? Number.POSITIVE_INFINITY : (options.maxOutputBytes ?? 10 * 1024 * 1024)
    const started = Date.now()

    return new Promise<ExecResult>((resolve) => {
      const child = spawn(file, args, { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] })
      this.groups.add(child)
      let killedBy: 'timeout' | 'abort' | 'terminate' | null = null
      let done = false
      const out = collector(cap, flaws)
      const err = flaws.mergeStderr ? out : collector(cap, flaws)
      child.stdout!.on('data', out.add)
      child.stderr!.on('data', err.add)
      child.stdin!.on('error', () => {})
      if (options.stdin === undefined) child.stdin!.end()
      else if (typeof options.stdin === 'string' || !flaws.stdinAsText) child.stdin!.end(options.stdin)
      else child.stdin!.end(Buffer.from(options.stdin).toString('utf8'))

      const entry: Running = {
        child,
        kill: (reason) => {
          if (killedBy !== null || child.pid === undefined) return
          killedBy = reason
          try {
            if (flaws.killDirectChildOnly) child.kill('SIGKILL')
            else signalProcessGroup(child)
          } catch {
            // already gone
          }
        },
      }
      this.running.add(entry)
      const timer = options.timeoutMs !== undefined && !flaws.ignoreTimeout ? setTimeout(() => entry.kill('timeout'), options.timeoutMs) : undefined
      const onAbort = () => entry.kill('abort')
      if (options.signal && !flaws.ignoreSignal) {
        if (options.signal.aborted) onAbort()
        else options.signal.addEventListener('abort', onAbort, { once: true })
      }
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (done) return
        done = true
        clearTimeout(timer)
        options.signal?.removeEventListener('abort', onAbort)
        this.running.delete(entry)
        child.stdout!.destroy()
        child.stderr!.destroy()
        const killed = killedBy !== null
        let exitCode = killed ? -1 : (code ?? 128 + 9)
        if (killed && flaws.timeoutExitCode137 && killedBy !== 'terminate') exitCode = 137
        if (signal !== null && !killed) exitCode = 128 + 9
        if (flaws.swallowExitCode) exitCode = 0
        resolve({
          exitCode,
          stdout: out.text(),
          stderr: flaws.mergeStderr ? '' : err.text(),
          timedOut: killedBy === 'timeout' || killedBy === 'abort',
          truncated: out.truncated() || err.truncated(),
          durationMs: Date.now() - started,
        })
      }
      // A program that cannot start is a failed command, as a shell reports it.
      child.on('error', () => finish(127, null))
      // Killed: children may hold the pipes open, so do not wait for them to close.
      child.on('exit', (code, signal) => {
        if (killedBy !== null) finish(code, signal)
      })
      child.on('close', (code, signal) => finish(code, signal))
    })
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    if (this.terminated && !this.flaws.usableAfterTerminate) throw new Error(`${this.id} has been terminated`)
    if (!this.flaws.writeFileNoParents) await mkdir(dirname(path), { recursive: true })
    const content = this.flaws.writeFileAsText && typeof data !== 'string' ? Buffer.from(data).toString('utf8') : data
    await writeFile(path, content)
  }

  async readFile(path: string): Promise<Uint8Array> {
    if (this.terminated && !this.flaws.usableAfterTerminate) throw new Error(`${this.id} has been terminated`)
    try {
      return new Uint8Array(await readFile(path))
    } catch (error) {
      if (this.flaws.readMissingAsEmpty && (error as { code?: string }).code === 'ENOENT') return new Uint8Array(0)
      throw error
    }
  }

  async terminate(): Promise<void> {
    this.terminations++
    if (this.flaws.terminateNotIdempotent && this.terminations > 1) throw new Error(`${this.id} is already terminated`)
    this.terminated = true
    if (this.flaws.terminateLeavesExec) return
    for (const entry of [...this.running]) entry.kill('terminate')
  }

  /** Kills every process group this fake ever started and removes its scripts (cleanup after flaws). */
  destroy(): void {
    for (const path of this.scripts) rmSync(path, { force: true })
    for (const group of this.groups) signalProcessGroup(group)
  }
}

function collector(cap: number, flaws: Flaws) {
  const chunks: Buffer[] = []
  let kept = 0
  let omitted = 0
  let pieces = ''
  return {
    add: (chunk: Buffer) => {
      const room = Math.max(0, cap - kept)
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room)
      omitted += chunk.length - part.length
      kept += part.length
      if (part.length > 0) {
        chunks.push(part)
        if (flaws.decodePerChunk) pieces += part.toString('utf8')
      }
    },
    truncated: () => omitted > 0,
    text: () => {
      const body = flaws.decodePerChunk ? pieces : Buffer.concat(chunks).toString('utf8')
      if (omitted === 0 || flaws.truncateWithoutMarker) return body
      return `${body}\n[... output truncated: ${omitted} bytes omitted ...]\n`
    },
  }
}
