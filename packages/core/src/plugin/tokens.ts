import { token, Tokens as SpecTokens } from '@cooperbench/spec'
import type { EvalPlan, RunPlan } from '../runner/plan.js'
import type { Lifetime } from './lifetime.js'
import type { PluginRegistry } from './registry.js'

export { token, type Token, type PairContext, type AgentScopeContext } from '@cooperbench/spec'

/**
 * The scopes' services: `@cooperbench/spec`'s plus the host's. The process has `Registry`, `Logger`; a run adds `Plan`,
 * `EvalPlan`, `Backend`, `Agent`, `Bus` (coop with messaging), `Evaluator`, `ResultsSink`s; a pair `Pair`; an agent
 * `AgentInScope`; each its own `Lifetime`. Plugins override any for a scope with `api.service(...)`.
 */
export const Tokens = {
  ...SpecTokens,
  Registry: token<PluginRegistry>('registry'),
  Lifetime: token<Lifetime>('lifetime'),
  Plan: token<RunPlan>('run'),
  EvalPlan: token<EvalPlan>('eval-plan'),
} as const
