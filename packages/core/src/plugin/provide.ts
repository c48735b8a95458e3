import type { Token } from '@cooperbench/spec'
import { registerPerScope, resolveAllServices, resolveService, type Scope } from './scope.js'

/** A service a service needs, as it declares it: a token (required), `optional(token)` or `allOf(token)`. */
export type Dependency<T = unknown> = Token<T> | OptionalDependency<T> | AllOfDependency<T>
export interface OptionalDependency<T> {
  readonly optional: Token<T>
}
export interface AllOfDependency<T> {
  readonly allOf: Token<T>
}

/** What a service declares it needs, by name: `{ plan: Tokens.EvalPlan, sinks: allOf(Tokens.ResultsSink) }`. */
export type Dependencies = Readonly<Record<string, Dependency>>

/** The services `deps` names, resolved and typed, by the same names. */
export type Resolved<D extends Dependencies> = {
  -readonly [K in keyof D]: D[K] extends Token<infer T>
    ? T
    : D[K] extends OptionalDependency<infer T>
      ? T | null
      : D[K] extends AllOfDependency<infer T>
        ? T[]
        : never
}

/** The service `token` stands for, or null when the scope has none (the bus of a solo run). */
export function optional<T>(token: Token<T>): OptionalDependency<T> {
  return { optional: token }
}

/** Every service registered under `token` in the nearest scope that has one (the results sinks); none → []. */
export function allOf<T>(token: Token<T>): AllOfDependency<T> {
  return { allOf: token }
}

/** What `deps` names, from `scope` (or an enclosing scope); a missing required one throws, naming it. */
export function resolveDependencies<const D extends Dependencies>(scope: Scope, deps: D): Resolved<D> {
  return Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, resolveDependency(scope, dep)])) as Resolved<D>
}

function resolveDependency(scope: Scope, dep: Dependency): unknown {
  if (typeof dep === 'symbol') return resolveService(scope, dep)
  if ('optional' in dep) return scope.isRegistered(dep.optional, true) ? scope.resolve(dep.optional) : null
  return resolveAllServices(scope, dep.allOf)
}

/** A service as the container builds it: what it needs, and how it is made of that. */
export interface Provider<T, D extends Dependencies> {
  deps: D
  create(deps: Resolved<D>): T
}

/**
 * Registers `token` as built from its `deps` on first resolution (so after plugins' services), once per resolving scope and from its
 * view: a sandbox maker resolved in an agent scope owns its sandboxes there, a pair's bus wrapper wraps that pair's bus.
 */
export function provide<T, const D extends Dependencies>(scope: Scope, token: Token<T>, provider: Provider<T, D>): void {
  registerPerScope(scope, token, (resolving) => provider.create(resolveDependencies(resolving, provider.deps)))
}
