import type { Logger } from '../contracts/logger.js'
import { CooperbenchError } from '../errors.js'

/**
 * An injection token that carries the type of what it resolves to. It is a global symbol
 * (`Symbol.for`), so two copies of core (one bundled by a plugin) still agree on it. Declared
 * here, beside the service registrations that use it, so this file needs nothing of `tokens.ts`.
 */
export type Token<T> = symbol & { readonly __resolvesTo?: T }

/** The runner's scopes, outermost first: a run, one team (pair) of it, one agent of a team. */
export const SERVICE_SCOPES = ['run', 'pair', 'agent'] as const
export type ServiceScope = (typeof SERVICE_SCOPES)[number]

/** What a service factory gets: the scope's services as they were before this registration, and the logger. */
export interface ServiceContext {
  resolve<T>(token: Token<T>): T
  /** Whether the scope has the service (the bus exists only in coop runs with messaging). */
  has(token: Token<unknown>): boolean
  logger: Logger
}

/**
 * A plugin's service for one kind of scope: created each time such a scope opens and
 * registered under `token` there, so it wins over what outer scopes provide. `create` may
 * resolve the service it replaces to wrap it (a decorator), e.g. an evaluator that records
 * more around the default one.
 */
export interface ServiceRegistration<T = unknown> {
  token: Token<T>
  scope: ServiceScope
  create(context: ServiceContext): T | Promise<T>
  description?: string
}

/** Refuses a registration whose shape cannot work, naming the plugin. */
export function checkServiceRegistration(plugin: string, registration: ServiceRegistration): void {
  const r = registration as Partial<ServiceRegistration> | null
  const problem =
    !r || typeof r !== 'object'
      ? 'is not an object'
      : typeof r.token !== 'symbol'
        ? 'has no token (use one of Tokens.*)'
        : !SERVICE_SCOPES.includes(r.scope as ServiceScope)
          ? `has scope ${JSON.stringify(r.scope)}; use one of ${SERVICE_SCOPES.join(', ')}`
          : typeof r.create !== 'function'
            ? 'has no create function'
            : null
  if (problem !== null) {
    throw new CooperbenchError('PLUGIN_FAILED', `plugin ${plugin}: a service registration ${problem}`, {
      hint: "Register services as api.service({ token: Tokens.Evaluator, scope: 'pair', create: (ctx) => ... }).",
    })
  }
}
