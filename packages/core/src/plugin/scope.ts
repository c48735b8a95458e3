// tsyringe checks for the Reflect metadata API on load (for its decorators, which core does not use): the polyfill goes
// first. This module is core's only import of tsyringe.
import 'reflect-metadata'
import { CooperbenchError, type Token } from '@cooperbench/spec'
import { type DependencyContainer, instancePerContainerCachingFactory, Lifecycle, container as processContainer } from 'tsyringe'
import { Lifetime } from './lifetime.js'
import { Tokens } from './tokens.js'

/**
 * One of the runner's scopes (process → run → pair → agent): a tsyringe child container. A token is looked up here, then
 * outward; registering it again adds a value (`resolve` the newest, `resolveAll` all of the nearest scope with any: the
 * results sinks). `dispose()` disposes the scope's {@link Lifetime}, which releases what it owns, newest first.
 */
export type Scope = DependencyContainer

/**
 * The process's scope: a child of tsyringe's global container, so nothing is global and two hosts in one process stay
 * apart. Every scope below gets its own `Lifetime` (container-scoped: made on first use, disposed with it).
 */
export function createRoot(): Scope {
  const root = processContainer.createChildContainer()
  root.register(Tokens.Lifetime, { useClass: Lifetime }, { lifecycle: Lifecycle.ContainerScoped })
  return root
}

/** The service `token` stands for in `scope` (or an outer scope); a clear error when none is there. */
export function resolveService<T>(scope: Scope, token: Token<T>): T {
  if (!scope.isRegistered(token, true)) {
    throw new CooperbenchError('INTERNAL', `no ${String(token.description)} service in this scope`, {
      hint: 'A plugin resolved a service its scope does not have (the bus exists only in coop runs with messaging); check with ctx.has(token) first.',
    })
  }
  return scope.resolve(token)
}

/** Every service registered under `token` in the nearest scope that has one; none → []. */
export function resolveAllServices<T>(scope: Scope, token: Token<T>): T[] {
  return scope.isRegistered(token, true) ? scope.resolveAll(token) : []
}

/** Registers `token` as built by `build` once per resolving scope (this or an inner one): tsyringe's per-container caching factory. */
export function registerPerScope<T>(scope: Scope, token: Token<T>, build: (resolving: Scope) => T): void {
  scope.register(token, { useFactory: instancePerContainerCachingFactory(build) })
}

/** What the scope owns (sandboxes, the backend, the bus, services it created); released when it is disposed. */
export function lifetimeOf(scope: Scope): Lifetime {
  return scope.resolve(Tokens.Lifetime)
}
