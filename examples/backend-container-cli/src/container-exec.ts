import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { CappedOutput, type CommandOutcome, type StopReason } from '@cooperbench/backend-kit'
import type { ExecOptions } from '@cooperbench/spec'
import type { ContainerCli } from './cli-runner.js'
import { execArguments, killArguments } from './exec-wrapper.js'

/** One command as the sandbox hands it over: the contract's options, resolved. */
export interface ExecRequest extends Pick<ExecOptions, 'env' | 'stdin' | 'timeoutMs' | 'signal'> {
  argv: string[]
  /** argv is a login shell (`bash -lc`) that should get back the PATH it was started with. */
  login: boolean
  /** Absolute working directory in the container. */
  cwd: string
  maxOutputBytes: number
  /** Run as this user (`0` for housekeeping); default the image's user. */
  user?: string
}

/** The kill script runs up to this many times: the first may come before the command has started. */
const KILL_ROUNDS = 4
/** After each kill, how long the client gets to notice that the command is gone. */
const KILL_ROUND_WAIT_MS = 1_000
/** A stuck engine must not hold a stop forever. */
const KILL_EXEC_TIMEOUT_MS = 15_000
/** How long a client killed on this machine may take to be reaped. */
const CLIENT_EXIT_WAIT_MS = 2_000

/**
 * One command run through `<cli> exec` under the exec wrapper.
 *
 * A timeout or an abort runs the kill script inside the container, because killing the CLI
 * client here would leave the command running there, and then waits until the client sees the
 * command end. A terminate only ends the client: the container is being removed with everything
 * in it.
 */
export class ContainerExecution {
  /** The value of the marker variable that every process of this command inherits. */
  readonly id = randomBytes(8).toString('hex')
  readonly result: Promise<CommandOutcome>
  private client: ClientWatch | undefined
  private stopReason: StopReason | null = null
  private killer: Promise<void> | undefined
  /** Aborted once a stop has done its work: the result need not wait for the client any longer. */
  private readonly halt = new AbortController()

  constructor(
    private readonly cli: ContainerCli,
    private readonly container: string,
    private readonly request: ExecRequest,
  ) {
    this.result = this.run(performance.now())
  }

  /** Stops the command (see the class comment). Does nothing once it has stopped or ended. */
  stop(reason: StopReason): void {
    if (this.stopReason !== null || this.client?.finished) return
    this.stopReason = reason
    if (reason === 'terminate') {
      this.client?.child.kill('SIGKILL')
      this.halt.abort()
    } else {
      this.killer = this.killInside().finally(() => this.halt.abort())
    }
  }

  private async run(started: number): Promise<CommandOutcome> {
    const { request } = this
    const stdout = new CappedOutput(request.maxOutputBytes)
    const stderr = new CappedOutput(request.maxOutputBytes)
    const finish = (code: number | null): CommandOutcome => ({
      exitCode: this.stopReason !== null || code === null ? -1 : code,
      stdout,
      stderr,
      stoppedBy: this.stopReason,
      durationMs: Math.round(performance.now() - started),
    })
    if (request.signal?.aborted) {
      this.stopReason = 'abort'
      return finish(null)
    }

    const withStdin = request.stdin !== undefined
    const child = this.cli.spawn(
      execArguments({
        container: this.container,
        id: this.id,
        argv: request.argv,
        cwd: request.cwd,
        env: request.env ?? {},
        stdin: withStdin,
        login: request.login,
        ...(request.user === undefined ? {} : { user: request.user }),
      }),
      withStdin,
    )
    const client = new ClientWatch(child, (error) => this.cli.launchError(error))
    this.client = client
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk))
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk))
    if (request.stdin !== undefined) {
      // A command may exit without reading its input: a broken pipe here is not an error.
      child.stdin!.on('error', () => {})
      child.stdin!.end(typeof request.stdin === 'string' ? Buffer.from(request.stdin, 'utf8') : request.stdin)
    }

    const timer = request.timeoutMs !== undefined && request.timeoutMs > 0 ? setTimeout(() => this.stop('timeout'), request.timeoutMs) : undefined
    const onAbort = () => this.stop('abort')
    request.signal?.addEventListener('abort', onAbort, { once: true })
    const halted = new Promise<null>((resolve) => this.halt.signal.addEventListener('abort', () => resolve(null), { once: true }))
    try {
      const code = await Promise.race([client.ended, halted])
      if (this.stopReason !== null) await this.killer
      return finish(code)
    } finally {
      clearTimeout(timer)
      request.signal?.removeEventListener('abort', onAbort)
      if (!client.finished) {
        child.kill('SIGKILL')
        await client.endsWithin(CLIENT_EXIT_WAIT_MS)
      }
    }
  }

  /**
   * Runs the kill script until the client sees the command end, and kills the client when the
   * rounds run out (the container does not answer, or an escaped process holds the output open).
   */
  private async killInside(): Promise<void> {
    const client = this.client!
    for (let round = 1; round <= KILL_ROUNDS && !client.finished; round++) {
      const ran = await this.cli.run(killArguments(this.container, this.id), { timeoutMs: KILL_EXEC_TIMEOUT_MS }).then(
        () => true,
        () => false,
      )
      if (!ran) break
      if (await client.endsWithin(KILL_ROUND_WAIT_MS)) return
    }
    client.child.kill('SIGKILL')
  }
}

/** A CLI client process and whether it has ended (exited, its output read to the end). */
class ClientWatch {
  /** The exit status (null when killed by a signal); rejects when the program could not be started. */
  readonly ended: Promise<number | null>
  private done = false

  constructor(
    readonly child: ChildProcess,
    launchError: (error: unknown) => Error,
  ) {
    this.ended = new Promise((resolve, reject) => {
      child.once('error', (error) => reject(launchError(error)))
      child.once('close', (code) => {
        this.done = true
        resolve(code)
      })
    })
    // Whoever stops waiting first (a stop) must not leave a rejection unhandled.
    this.ended.catch(() => {})
  }

  get finished(): boolean {
    return this.done
  }

  /** True once the client has ended, false when `ms` pass first. */
  async endsWithin(ms: number): Promise<boolean> {
    if (this.done) return true
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms)
    })
    try {
      return await Promise.race([
        this.ended.then(
          () => true,
          () => true,
        ),
        late,
      ])
    } finally {
      clearTimeout(timer)
    }
  }
}
