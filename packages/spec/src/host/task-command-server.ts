import type { Sandbox } from '../contracts/sandbox.js'
import type { TaskList } from '../contracts/task-list.js'
import { errorMessage } from '../errors.js'
import { serveTaskCommands } from './task-commands.js'

export interface TaskCommandServerOptions {
  sandbox: Sandbox
  list: TaskList
  /** The sandbox's agent: every command runs as this agent. */
  agentId: string
  /** Spool folder in the sandbox (default `TASK_COMMAND_SPOOL_DIR`). */
  dir?: string
  /** Pause between exchanges. Default 200 ms. */
  pollMs?: number
  /** Told about a failed exchange (the server keeps polling). */
  onError?: (error: unknown) => void
  signal?: AbortSignal
}

/**
 * Answers an agent's `coop-task-*` commands while it runs: polls the sandbox's spool (see
 * {@link serveTaskCommands}) until {@link stop}. It owns its timer and its loop; `stop` waits for
 * the exchange under way and makes one last one, so a command issued just before the end is answered.
 */
export class TaskCommandServer {
  private loop: Promise<void> | null = null
  private stopped = false
  private wake: (() => void) | null = null
  private served = 0

  constructor(private readonly options: TaskCommandServerOptions) {}

  /** Requests answered so far. */
  get answered(): number {
    return this.served
  }

  start(): this {
    if (this.loop) return this
    this.loop = (async () => {
      while (!this.stopped && !this.options.signal?.aborted) {
        await this.exchange()
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollMs ?? 200)
          this.wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        this.wake = null
      }
    })()
    return this
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.wake?.()
    await this.loop
    this.loop = null
    if (!this.options.signal?.aborted) await this.exchange()
  }

  private async exchange(): Promise<void> {
    const { sandbox, list, agentId, dir, signal } = this.options
    try {
      this.served += await serveTaskCommands(sandbox, list, agentId, { ...(dir ? { dir } : {}), ...(signal ? { signal } : {}) })
    } catch (error) {
      if (signal?.aborted) return
      this.options.onError?.(error instanceof Error ? error : new Error(errorMessage(error)))
    }
  }
}
