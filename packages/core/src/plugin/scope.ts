// tsyringe checks for Reflect metadata on load (for decorators core does not use); this is core's only import of tsyringe.
import 'reflect-metadata'
import { CooperbenchError, type Token } from '@cooperbench/spec'
import { type DependencyContainer, instancePerContainerCachingFactory, Lifecycle, container as processContainer } from 'tsyringe'
import { Lifetime } from './lifetime.js'
import { Tokens } from './tokens.js'

/**
 * A runner scope (process → run → pair → agent), a tsyringe child container: tokens are looked up here, then outward; registering
 * again adds a value (`resolve` the newest, `resolveAll` the nearest scope's: the results sinks). `dispose()` releases its {@link Lifetime}.
 */
export type Scope = DependencyContainer

/** A child of tsyringe's global container (two hosts in one process stay apart); each scope below gets its own `Lifetime` on first use. */
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
