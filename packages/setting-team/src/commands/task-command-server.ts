import { errorMessage, type Sandbox, type TaskList } from '@cooperbench/spec'
import { sleepOrWake } from '@cooperbench/spec-utils'
import { answerTaskRequest, TASK_COMMAND_SPOOL_DIR, type TeamCommandContext } from './task-commands.js'
import { sandboxTaskSpool, type TaskSpool } from './task-spool.js'

export interface TaskCommandServerOptions extends Omit<TeamCommandContext, 'waitSignal'> {
  sandbox: Sandbox
  list: TaskList
  /** The sandbox's agent: every command runs as this agent. */
  agentId: string
  /** Spool folder in the sandbox (default `TASK_COMMAND_SPOOL_DIR`). */
  dir?: string
  /** Where requests are taken and answers filed; default the sandbox's through `exec`. A cheap spool (a host folder) is polled without backing off. */
  spool?: TaskSpool
  /** Pause after an exchange that took a request (and the first pause). Default 200 ms. */
  pollMs?: number
  /**
   * Default 2000 ms: an idle exchange doubles the pause up to it, a request resets it to `pollMs`. Each exchange is a sandbox command:
   * idle teams polling at 5 Hz loaded a 2-core machine to 30 at `-c 30`. A command waits at most this long to be taken.
   */
  maxPollMs?: number
  /** Told about a failed exchange (the server keeps polling). */
  onError?: (error: unknown) => void
  /** Run after a `coop-task-list` is answered, before its answer is filed (the agent's own mirror of the list). */
  afterList?: () => Promise<void>
  signal?: AbortSignal
}

/** Exchanges `stop` makes at most while answers keep coming (each files the last one's answers). */
const FINAL_ROUNDS = 5

/**
 * Polls the spool until {@link stop}, each request answered on its own (a `coop-request --wait` holds up nothing), a ready answer
 * waking the loop. `stop` ends the waits (as timed out), then files answers in flight, so a command issued just before is answered.
 */
export class TaskCommandServer {
  private loop: Promise<void> | null = null
  private stopped = false
  /** What wakes the loop's pause, when an answer is ready or `stop` is called. */
  private readonly sleepers = new Set<() => void>()
  private served = 0
  /** Answer lines ready to be filed. */
  private ready: string[] = []
  private readonly inFlight = new Set<Promise<void>>()
  private readonly waits = new AbortController()

  private readonly spool: TaskSpool

  constructor(private readonly options: TaskCommandServerOptions) {
    this.spool = options.spool ?? sandboxTaskSpool(options.sandbox, options.dir ?? TASK_COMMAND_SPOOL_DIR, options.signal)
  }

  /** Requests answered so far (filed or ready to be). */
  get answered(): number {
    return this.served
  }

  start(): this {
    if (this.loop) return this
    this.loop = (async () => {
      const shortest = this.options.pollMs ?? 200
      const longest = this.spool.cheap ? shortest : Math.max(shortest, this.options.maxPollMs ?? 2000)
      let pause = shortest
      while (!this.stopped && !this.options.signal?.aborted) {
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
    this.waits.abort()
    if (this.options.signal?.aborted) return
    for (let round = 0; round < FINAL_ROUNDS; round++) {
      await Promise.all(this.inFlight)
      const filing = this.ready.length
      const took = await this.exchange()
      if (took === 0 && filing === 0) break
    }
  }

  /** Files the ready answers, takes the waiting requests and starts answering them; returns how many it took. */
  private async exchange(): Promise<number> {
    const { list, agentId, signal, team, protocol } = this.options
    const answers = this.ready.splice(0)
    try {
      const requests = await this.spool.exchange(answers)
      for (const request of requests) {
        const context = { ...(team ? { team } : {}), ...(protocol !== undefined ? { protocol } : {}), waitSignal: this.waits.signal }
        const answering = answerTaskRequest(list, agentId, request, context).then(async (line) => {
          if (request.argv[0] === 'list') await this.options.afterList?.().catch((error: unknown) => this.options.onError?.(error))
          this.ready.push(line)
          this.served++
          for (const wake of this.sleepers) wake()
        })
        this.inFlight.add(answering)
        void answering.finally(() => this.inFlight.delete(answering))
      }
      return requests.length
    } catch (error) {
      // Not filed: tried again in the next exchange (filing twice replaces the same file).
      this.ready.unshift(...answers)
      if (signal?.aborted) return 0
      this.options.onError?.(error instanceof Error ? error : new Error(errorMessage(error)))
      return 0
    }
  }
}
