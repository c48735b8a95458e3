import type { Agent } from '../contracts/agent.js'
import type { Backend } from '../contracts/backend.js'
import type { MessageBus } from '../contracts/bus.js'
import type { Evaluator } from '../contracts/evaluator.js'
import type { Logger } from '../contracts/logger.js'
import type { ResultsSink } from '../contracts/results-sink.js'
import type { Pair } from '../contracts/task.js'
import type { EvalPlan, RunPlan } from '../runner/plan.js'
import type { Lifetime } from './lifetime.js'
import type { PluginRegistry } from './registry.js'
import type { Token } from './services.js'

export type { Token } from './services.js'

function token<T>(name: string): Token<T> {
  return Symbol.for(`cooperbench.${name}`) as Token<T>
}

/** What one team (a pair, or N features) of a run is: its task, features and result folder. */
export interface PairContext {
  pair: Pair
  dir: string
  /** The run id of this execution of the team; null when only evaluating. */
  runId: string | null
}

/** What one agent of a team is: its id and features. */
export interface AgentScopeContext {
  agentId: string
  featureIds: number[]
}

/**
 * The services of the runner's scopes. The root (process) scope has `Registry`, `Logger`,
 * `Lifetime`; a run scope adds `Plan`, `EvalPlan`, `Backend`, `Agent`, `Bus` (coop with
 * messaging), `Evaluator` and any `ResultsSink`s; a pair scope adds `Pair`; an agent scope adds
 * `AgentInScope`. Every scope has its own `Lifetime`. Plugins override any of them for a scope
 * with `api.service(...)`.
 */
export const Tokens = {
  Registry: token<PluginRegistry>('registry'),
  Logger: token<Logger>('logger'),
  Lifetime: token<Lifetime>('lifetime'),
  Plan: token<RunPlan>('run'),
  EvalPlan: token<EvalPlan>('eval-plan'),
  Backend: token<Backend>('backend'),
  Bus: token<MessageBus>('bus'),
  Agent: token<Agent>('agent'),
  Evaluator: token<Evaluator>('evaluator'),
  ResultsSink: token<ResultsSink>('results-sink'),
  Pair: token<PairContext>('pair'),
  AgentInScope: token<AgentScopeContext>('agent-in-scope'),
} as const
