import { type CommandTool, errorMessage, type Sandbox, type ToolAnswer } from '@cooperbench/spec'
import { sleepOrWake } from '@cooperbench/spec-utils'
import { STDIN_SUFFIX } from './tool-scripts.js'
import type { ToolRequest, ToolSpool } from './tool-spool.js'

export interface ToolServerOptions {
  /** The seat's sandbox, given to every tool call. */
  sandbox: Sandbox
  /** The seat's command tools, by name. */
  tools: ReadonlyMap<string, CommandTool>
  /** Where requests are taken and answers filed: the sandbox's through `exec`, or a host folder it mounts (cheap to look at). */
  spool: ToolSpool
  /** Pause after an exchange that took a request (and the first pause). */
  pollMs: number
  /**
   * Default 2000 ms: an idle exchange doubles the pause up to it, a request resets it to `pollMs`. Each exchange is a sandbox command:
   * idle seats polling at 5 Hz loaded a 2-core machine to 30 at `-c 30`. A command waits at most this long to be taken.
   */
  maxPollMs?: number
  /** Told about a failed exchange (the server keeps polling). */
  onError?: (error: unknown) => void
  signal: AbortSignal
}

/** Exchanges `stop` makes at most while answers keep coming (each files the last one's answers). */
const FINAL_ROUNDS = 5

/**
 * Polls the spool until {@link stop}, each request answered on its own (a `--wait` holds up nothing), a ready answer waking the loop.
 * `stop` ends the calls still waiting (their signal aborts), then files answers in flight, so a command issued just before is answered.
 */
export class ToolServer {
  private loop: Promise<void> | null = null
  private stopped = false
  /** What wakes the loop's pause, when an answer is ready or `stop` is called. */
  private readonly sleepers = new Set<() => void>()
  /** Answer lines ready to be filed. */
  private ready: string[] = []
  private readonly inFlight = new Set<Promise<void>>()
  /** Aborted by `stop`: the calls still running end. */
  private readonly calls = new AbortController()

  constructor(private readonly options: ToolServerOptions) {}

  start(): this {
    if (this.loop) return this
    this.loop = (async () => {
      const shortest = this.options.pollMs
      const longest = this.options.spool.cheap ? shortest : Math.max(shortest, this.options.maxPollMs ?? 2000)
      let pause = shortest
      while (!this.stopped && !this.options.signal.aborted) {
        const took = await this.exchange()
        pause = took > 0 || this.inFlight.size > 0 ? shortest : Math.min(longest, pause * 2)
        if (this.ready.length > 0) continue
        await sleepOrWake(pause, this.sleepers)
      }
    })()
    return this
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const wake of this.sleepers) wake()
    await this.loop
    this.loop = null
    this.calls.abort()
    if (this.options.signal.aborted) return
    for (let round = 0; round < FINAL_ROUNDS; round++) {
      await Promise.all(this.inFlight)
      const filing = this.ready.length
      const took = await this.exchange()
      if (took === 0 && filing === 0) break
    }
  }

  /** Files the ready answers, takes the waiting requests and starts answering them; returns how many it took. */
  private async exchange(): Promise<number> {
    const answers = this.ready.splice(0)
    try {
      const requests = await this.options.spool.exchange(answers)
      for (const request of requests) {
        const answering = this.answer(request).then((answer) => {
          this.ready.push(`${request.id} ${Buffer.from(`${answer.exitCode}\n${answer.output}`, 'utf8').toString('base64')}`)
          for (const wake of this.sleepers) wake()
        })
        this.inFlight.add(answering)
        void answering.finally(() => this.inFlight.delete(answering))
      }
      return requests.length
    } catch (error) {
      // Not filed: tried again in the next exchange (filing twice replaces the same file).
      this.ready.unshift(...answers)
      if (!this.options.signal.aborted) this.options.onError?.(error)
      return 0
    }
  }

  /** Runs one request's tool; a tool that throws answers exit 1 with the cause, never a made-up outcome. */
  private async answer(request: ToolRequest): Promise<ToolAnswer> {
    const [first = '', ...rest] = request.argv
    const fromStdin = first.endsWith(STDIN_SUFFIX)
    const name = fromStdin ? first.slice(0, -STDIN_SUFFIX.length) : first
    const tool = this.options.tools.get(name)
    if (tool === undefined) return { exitCode: 127, output: `${name}: no such tool in this seat\n` }
    const count = fromStdin ? Number(rest[0]) : rest.length
    const argv = fromStdin ? rest.slice(1, 1 + count) : rest
    const stdin = fromStdin ? rest.slice(1 + count).join('\0') : undefined
    try {
      return await tool.run(argv, {
        sandbox: this.options.sandbox,
        signal: AbortSignal.any([this.options.signal, this.calls.signal]),
        ...(stdin === undefined ? {} : { stdin }),
      })
    } catch (error) {
      return { exitCode: 1, output: `${name}: ${errorMessage(error)}\n` }
    }
  }
}
