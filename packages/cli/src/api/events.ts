import type { EvalRecord, Pair, ResultRecord, SettingName as Setting } from '@cooperbench/core'
import type { EvalVerdict, PairOutcome } from '@cooperbench/results'
import type { AgentRef, AgentReport, RunEvents } from '@cooperbench/core/runner'

/** Which pair an event is about: `repo/task/ids` plus its parts. */
export interface PairRef {
  setting: Setting
  repo: string
  taskId: number
  features: number[]
  label: string
}

/** What `run()` and `evaluate()` report while they go, through `onEvent`. */
export type CooperbenchEvent =
  | { type: 'planned'; runName: string; total: number; toRun: number; reused: number; toEvaluate: number }
  | { type: 'pairStarted'; pair: PairRef }
  /** An agent of the pair starts (`agent1`, … in coop, `solo` in solo). */
  | { type: 'agentStarted'; pair: PairRef; agent: AgentRef }
  /** An agent ended, with its status, steps, tokens and cost (`costUnknown`: its model has no known price). */
  | { type: 'agentFinished'; pair: PairRef; agent: AgentReport }
  /** A coop agent messaged a teammate. */
  | { type: 'messageSent'; pair: PairRef; message: { from: string; to: string; content: string; timestamp: string } }
  | { type: 'pairFinished'; pair: PairRef; outcome: PairOutcome; result: ResultRecord | null }
  | { type: 'evalStarted'; pair: PairRef }
  | { type: 'evalFinished'; pair: PairRef; verdict: EvalVerdict; record: EvalRecord | null }
  /** Batch backends: evaluations per state (`pending`, `running`, `succeeded`, …) as the platform reports them. */
  | { type: 'batchProgress'; counts: Record<string, number> }
  | { type: 'warning'; message: string }

export function pairRef(setting: Setting, repo: string, taskId: number, features: number[]): PairRef {
  return { setting, repo, taskId, features: [...features], label: `${repo}/${taskId}/${features.join(',')}` }
}

/** The runner's callbacks, turned into `onEvent` calls. */
export function runEventsFor(runName: string, setting: Setting, emit: (event: CooperbenchEvent) => void): RunEvents {
  const ref = (pair: Pair) => pairRef(setting, pair.task.repo, pair.task.taskId, pair.features)
  return {
    planned: (info) => emit({ type: 'planned', runName, ...info }),
    pairStarted: (pair) => emit({ type: 'pairStarted', pair: ref(pair) }),
    agentStarted: (pair, agent) => emit({ type: 'agentStarted', pair: ref(pair), agent }),
    agentFinished: (pair, agent) => emit({ type: 'agentFinished', pair: ref(pair), agent }),
    messageSent: (pair, { from, to, content, timestamp }) => emit({ type: 'messageSent', pair: ref(pair), message: { from, to, content, timestamp } }),
    pairFinished: (pair, outcome, result) => emit({ type: 'pairFinished', pair: ref(pair), outcome, result }),
    evalStarted: (pair) => emit({ type: 'evalStarted', pair: ref(pair) }),
    evalFinished: (pair, verdict, record) => emit({ type: 'evalFinished', pair: ref(pair), verdict, record }),
  }
}

/** Calls the user's handler; a handler that throws must not break the run. */
export function safeEmitter(onEvent: ((event: CooperbenchEvent) => void) | undefined): (event: CooperbenchEvent) => void {
  return (event) => {
    if (!onEvent) return
    try {
      onEvent(event)
    } catch {
      // A progress handler's bug is the script's, not a reason to lose the run.
    }
  }
}
