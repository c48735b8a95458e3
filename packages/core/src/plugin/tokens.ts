import { token, Tokens as SpecTokens } from '@cooperbench/spec'
import type { EvalPlan, RunPlan } from '../runner/plan.js'
import type { Lifetime } from './lifetime.js'
import type { PluginRegistry } from './registry.js'

export { token, type Token, type PairContext, type AgentScopeContext } from '@cooperbench/spec'

/**
 * The services of the runner's scopes: the plugin-visible ones from `@cooperbench/spec` plus
 * the host's own. The root (process) scope has `Registry`, `Logger`, `Lifetime`; a run scope adds
 * `Plan`, `EvalPlan`, `Backend`, `Agent`, `Bus` (coop with messaging), `Evaluator` and any
 * `ResultsSink`s; a pair scope adds `Pair`; an agent scope adds `AgentInScope`. Every scope has
 * its own `Lifetime`. Plugins override any of them for a scope with `api.service(...)`.
 */
export const Tokens = {
  ...SpecTokens,
  Registry: token<PluginRegistry>('registry'),
  Lifetime: token<Lifetime>('lifetime'),
  Plan: token<RunPlan>('run'),
  EvalPlan: token<EvalPlan>('eval-plan'),
} as const
