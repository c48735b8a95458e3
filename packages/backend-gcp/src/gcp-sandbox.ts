import { randomUUID } from 'node:crypto'
import { posix } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  abortedBeforeStart,
  CappedOutput,
  cappedExecResult,
  CommandSandbox,
  processGroupExecArgv,
  processGroupKillArgv,
  reachedTimeLimit,
} from '@cooperbench/backend-kit'
import { CooperbenchError, type ExecOptions, type ExecResult, SANDBOX_REPO_DIR } from '@cooperbench/spec'
import type { RelayChannel } from '@cooperbench/backend-kit'
import { shellQuote } from '@cooperbench/spec/host'
import type { VmConnection } from './ssh.js'

/** A closed stream command that has not ended by itself this long after is killed. */
const STREAM_END_GRACE_MS = 5_000

export interface GcpSandboxInit {
  /** The container's name on its VM, also the sandbox id. */
  id: string
  vm: string
  connection: VmConnection
  /** The image's PATH, read when the container started. */
  path: string
  maxOutputBytes: number
  /** Called once, after the container is removed (frees its place on the VM). */
  onTerminated(): void
  /** Called when the VM stopped answering (preempted, deleted): the backend stops using it. */
  onVmLost(): void
}

/**
 * A sandbox of backend `gcp`: a container on a VM, driven with the VM's `docker` over SSH. Every
 * command runs under core's process-group wrapper (docker has no call to kill one exec), files
 * move through `docker exec -i` streams.
 */
export class GcpSandbox extends CommandSandbox {
  readonly id: string
  protected readonly imagePath: string
  private terminated = false
  private terminating: Promise<void> | null = null

  constructor(private readonly init: GcpSandboxInit) {
    super()
    this.id = init.id
    this.imagePath = init.path
  }

  /** The VM this sandbox's container runs on. */
  get vm(): string {
    return this.init.vm
  }

  async readFile(path: string): Promise<Uint8Array> {
    this.assertUsable()
    const target = posix.resolve(SANDBOX_REPO_DIR, path)
    const chunks: Buffer[] = []
    const errors: Buffer[] = []
    const result = await this.remote(this.dockerExec(['cat', '--', target], { cwd: '/', env: {} }), {
      onStdout: (chunk) => chunks.push(chunk),
      onStderr: (chunk) => errors.push(chunk),
    })
    if (result.code !== 0) {
      throw new CooperbenchError(
        'SANDBOX_FAILED',
        `sandbox ${this.id}: cannot read ${target}: ${Buffer.concat(errors).toString('utf8').trim() || `exit ${result.code}`}`,
      )
    }
    return Buffer.concat(chunks)
  }

  /**
   * A port a process in the container listens on, reachable from this machine through core's
   * port relay: each connection is a `docker exec -i` on its own SSH channel, so it works with
   * `blockNetwork` and opens no port on the VM.
   */
  exposePort(port: number): Promise<string> {
    return this.relayPort(port)
  }

  protected override async openStream(argv: string[]): Promise<RelayChannel> {
    this.assertUsable()
    const execId = randomUUID()
    let stream
    try {
      stream = await this.init.connection.open(this.dockerExec(processGroupExecArgv(execId, undefined, argv), { cwd: '/', env: {} }))
    } catch (error) {
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: cannot open a command on VM ${this.init.vm}: ${(error as Error).message}`, {
        cause: error,
      })
    }
    let closed = false
    return {
      input: stream.stdin,
      output: stream.stdout,
      close: () => {
        if (closed) return
        closed = true
        // The end of its stdin ends the relay; one that does not end (its server reads nothing)
        // is killed with its process group. The channel is closed once the command has ended.
        stream.stdin.end()
        stream.stdout.resume()
        const timer = setTimeout(() => {
          if (!this.terminated) void this.init.connection.run(this.dockerExec(processGroupKillArgv(execId), { cwd: '/', env: {} })).catch(() => {})
          stream.close()
        }, STREAM_END_GRACE_MS).unref()
        void stream.ended.then(() => {
          clearTimeout(timer)
          stream.close()
        })
      },
    }
  }

  /** Removes the container. Idempotent; concurrent calls share one removal. */
  terminate(): Promise<void> {
    if (this.terminating) return this.terminating
    this.terminated = true
    this.terminating = (async () => {
      try {
        await this.closeRelays()
        await this.init.connection.run(`docker rm -f ${shellQuote(this.id)} >/dev/null 2>&1 || true`)
      } catch {
        // The VM is gone (deleted, preempted): so is the container.
      } finally {
        this.init.onTerminated()
      }
    })()
    return this.terminating
  }

  protected assertUsable(): void {
    if (this.terminated) throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id} has been terminated`)
  }

  /** Throws SANDBOX_FAILED when the VM no longer answers or the container is gone. */
  private async assertStillThere(): Promise<void> {
    const probe = this.init.connection.run(`docker inspect -f '{{.State.Running}}' ${shellQuote(this.id)}`, {}).then(
      (r) => r.code === 0,
      () => false,
    )
    const answered = await Promise.race([probe, sleep(15_000, false, { ref: false })])
    if (answered || this.terminated) return
    this.init.onVmLost()
    throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: VM ${this.init.vm} or its container went away while a command ran`, {
      hint: 'The VM may have been preempted (spot) or deleted; the pair is an infrastructure failure and a rerun retries it.',
    })
  }

  private dockerExec(argv: string[], options: { cwd: string; env: Record<string, string> }): string {
    const env = Object.entries(options.env).flatMap(([key, value]) => ['-e', shellQuote(`${key}=${value}`)])
    return ['docker', 'exec', '-i', '-w', shellQuote(options.cwd), ...env, shellQuote(this.id), ...argv.map(shellQuote)].join(' ')
  }

  private async remote(command: string, options: Parameters<VmConnection['run']>[1]): Promise<{ code: number }> {
    try {
      return await this.init.connection.run(command, options)
    } catch (error) {
      if (this.terminated) return { code: -1 }
      this.init.onVmLost()
      throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${this.id}: the connection to VM ${this.init.vm} failed: ${(error as Error).message}`, {
        hint: 'The VM may have been preempted or deleted; the pair is an infrastructure failure and a rerun retries it.',
        cause: error,
      })
    }
  }

  protected async run(argv: string[], options: ExecOptions & { cwd: string }): Promise<ExecResult> {
    const started = Date.now()
    if (options.signal?.aborted) return abortedBeforeStart()
    const execId = randomUUID()
    const cap = options.maxOutputBytes ?? this.init.maxOutputBytes
    const stdout = new CappedOutput(cap)
    const stderr = new CappedOutput(cap)
    let aborted = false
    const onAbort = () => {
      aborted = true
      void this.init.connection.run(this.dockerExec(processGroupKillArgv(execId), { cwd: '/', env: {} })).catch(() => {})
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const stdin = options.stdin === undefined ? undefined : typeof options.stdin === 'string' ? Buffer.from(options.stdin, 'utf8') : options.stdin
      const { code } = await this.remote(this.dockerExec(processGroupExecArgv(execId, options.timeoutMs, argv), { cwd: options.cwd, env: options.env ?? {} }), {
        ...(stdin ? { stdin } : {}),
        onStdout: (chunk) => stdout.push(chunk),
        onStderr: (chunk) => stderr.push(chunk),
      })
      const durationMs = Date.now() - started
      if (this.terminated) return cappedExecResult({ stdout, stderr }, { exitCode: -1, timedOut: false, durationMs })
      const limitReached = options.timeoutMs !== undefined && reachedTimeLimit(code, durationMs, options.timeoutMs)
      // Killed from outside the command (its container or VM went away) rather than by our limit or abort.
      if (code === 137 && !aborted && !limitReached) await this.assertStillThere()
      const timedOut = aborted || limitReached
      return cappedExecResult({ stdout, stderr }, { exitCode: timedOut ? -1 : code, timedOut, durationMs })
    } finally {
      options.signal?.removeEventListener('abort', onAbort)
    }
  }
}
