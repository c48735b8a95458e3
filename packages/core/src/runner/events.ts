import type { AgentStatus, BusMessage, EvalRecord, ResultRecord, Pair } from '@cooperbench/spec'
import type { EvalVerdict, PairOutcome } from '@cooperbench/results'

/** One agent of a pair: `agent1`, `agent2`, … in coop, `solo` in solo, with the feature(s) it implements. */
export interface AgentRef {
  agentId: string
  featureIds: number[]
}

/** What an agent ended with, as its result.json entry will say, when it ends (before its teammates). */
export interface AgentReport extends AgentRef {
  status: AgentStatus
  steps: number
  /** USD; 0 with `costUnknown` means unknown, not free. */
  cost: number
  /** The agent called a model with no known price: its cost is unknown and a cost limit could not stop it. */
  costUnknown: boolean
  inputTokens: number
  outputTokens: number
  error: string | null
}

/** What a run reports while it goes; the CLI turns these into a progress bar or plain lines. */
export interface RunEvents {
  planned?(info: { total: number; toRun: number; reused: number; toEvaluate: number }): void
  pairStarted?(pair: Pair): void
  /** An agent of a started pair is about to get its sandbox and run. */
  agentStarted?(pair: Pair, agent: AgentRef): void
  agentFinished?(pair: Pair, agent: AgentReport): void
  /** An agent sent a message to a teammate over the bus (as the bus recorded it). */
  messageSent?(pair: Pair, message: BusMessage): void
  pairFinished?(pair: Pair, outcome: PairOutcome, result: ResultRecord | null): void
  evalStarted?(pair: Pair): void
  evalFinished?(pair: Pair, verdict: EvalVerdict, record: EvalRecord | null): void
}

/** The events of one pair, as `runPair` reports them (the pair is implied). */
export interface PairEvents {
  agentStarted?(agent: AgentRef): void
  agentFinished?(agent: AgentReport): void
  messageSent?(message: BusMessage): void
}

/** The run's events bound to one pair. */
export function pairEventsOf(events: RunEvents, pair: Pair): PairEvents {
  return {
    agentStarted: (agent) => events.agentStarted?.(pair, agent),
    agentFinished: (agent) => events.agentFinished?.(pair, agent),
    messageSent: (message) => events.messageSent?.(pair, message),
  }
}
