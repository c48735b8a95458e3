import { type AgentSummaryRecord, type ResultRecord, CooperbenchError } from '@cooperbench/spec'
import { recordAgents } from '@cooperbench/results'

/** Agents in a row that must end with the same infrastructure error before the run stops. */
const BREAKER_THRESHOLD = 4

/**
 * Agents ending with the same infrastructure error (refused key, wrong URL, provider down, no sandboxes) `threshold` times in a row
 * (all, in a smaller run) abort `signal` like an interruption (nothing written, a rerun runs them); `error` says why. Any other
 * outcome resets the count.
 */
export class InfraBreaker {
  private readonly controller = new AbortController()
  private streak: { signature: string; count: number; message: string } | null = null
  private opened: CooperbenchError | null = null

  constructor(private readonly threshold: number) {}

  get signal(): AbortSignal {
    return this.controller.signal
  }

  /** Set once the breaker has stopped the run. */
  get error(): CooperbenchError | null {
    return this.opened
  }

  /** Counts a finished pair's agents, in their order. */
  observe(result: ResultRecord): void {
    for (const [, agent] of recordAgents(result)) this.observeAgent(agent)
  }

  private observeAgent(agent: AgentSummaryRecord): void {
    if (this.opened !== null) return
    const message = agent.status === 'Error' && agent.failure === 'infra' && typeof agent.error === 'string' ? agent.error : null
    if (message === null) {
      this.streak = null
      return
    }
    // Numbers differ between agents (pids, ports, attempts, durations) for what is one cause.
    const signature = message.replace(/\d+/g, '#')
    this.streak = this.streak?.signature === signature ? { ...this.streak, count: this.streak.count + 1 } : { signature, count: 1, message }
    if (this.streak.count < this.threshold) return
    const stopped = `run stopped: ${this.streak.count} agents in a row failed with the same infrastructure error: ${message}`
    this.opened = new CooperbenchError('INFRA_FAILED', stopped, {
      hint: 'Fix its cause (the model key or URL, the provider, the backend), then run the same command again: finished pairs are kept.',
    })
    this.controller.abort(this.opened)
  }
}

/** Agents this invocation will start: the breaker never needs more of them to be sure. */
export function breakerThreshold(agentsToRun: number): number {
  return Math.max(1, Math.min(BREAKER_THRESHOLD, agentsToRun))
}
