import { token, Tokens as SpecTokens } from '@cooperbench/spec'
import type { EvalPlan, RunPlan } from '../runner/plan.js'
import type { Lifetime } from './lifetime.js'
import type { PluginRegistry } from './registry.js'

export { token, type Token, type PairContext, type AgentScopeContext } from '@cooperbench/spec'

/**
 * `@cooperbench/spec`'s tokens plus the host's. Process: `Registry`, `Logger`; run: `Plan`, `EvalPlan`, `Backend`, `Agent`, `Bus`
 * (coop with messaging), `Evaluator`, `ResultsSink`s; pair: `Pair`; agent: `AgentInScope`; each a `Lifetime`. `api.service` overrides any.
 */
export const Tokens = {
  ...SpecTokens,
  Registry: token<PluginRegistry>('registry'),
  Lifetime: token<Lifetime>('lifetime'),
  Plan: token<RunPlan>('run'),
  EvalPlan: token<EvalPlan>('eval-plan'),
} as const
