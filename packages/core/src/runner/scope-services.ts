import { type Agent, type MessageBus, token } from '@cooperbench/spec'
import type { SeatPlan } from './plan.js'
import type { Scope } from '../plugin/container.js'
import { optional, provide } from '../plugin/provide.js'
import { Tokens } from '../plugin/tokens.js'
import { OWNED_SANDBOX_DEPS, type OwnedSandboxes, ownedSandboxes, SCOPE_SINKS_DEPS, type ScopeSinks, scopeSinks } from './services.js'
import { supervisedBus } from './supervised-bus.js'

/** A seat role's own agent, made and preflighted once per run. */
export interface SeatAgentOf {
  plan: SeatPlan
  agent: Agent
}

/** The runner's own services, each built for the scope that resolves it from that scope's view of its deps (`provide`). */
export const RunnerTokens = {
  /** Sandboxes of the scope's `Backend` named by its `EvalPlan`, owned by the scope (its `Lifetime`). */
  Sandboxes: token<OwnedSandboxes>('sandboxes'),
  /** The scope's results sinks (the nearest scope's that has any), told of written files. */
  Sinks: token<ScopeSinks>('sinks'),
  /** A pair's bus (the run's, or a plugin's for the pair) under the harness's bounds; null without one. */
  PairBus: token<MessageBus | null>('pair-bus'),
  /** The agents of the seat roles that name their own (`seats.<role>`), by role; every other seat runs `Tokens.Agent`. */
  SeatAgents: token<ReadonlyMap<string, SeatAgentOf>>('seat-agents'),
} as const

/** Provides the services every run scope of the runner has (`run` and `eval`), for it and the scopes inside it. */
export function provideRunnerServices(scope: Scope): void {
  provide(scope, RunnerTokens.Sandboxes, { deps: OWNED_SANDBOX_DEPS, create: ownedSandboxes })
  provide(scope, RunnerTokens.Sinks, { deps: SCOPE_SINKS_DEPS, create: scopeSinks })
}

/** Provides `RunnerTokens.PairBus` in the run scope of `run`: resolved in a pair scope, after the plugins' services of that pair. */
export function providePairBus(scope: Scope): void {
  provide(scope, RunnerTokens.PairBus, {
    deps: { bus: optional(Tokens.Bus), plan: Tokens.Plan },
    create: ({ bus, plan }) => (bus === null ? null : supervisedBus(bus, plan.bus)),
  })
}
