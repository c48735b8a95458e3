import { CooperbenchError, type Token } from '@cooperbench/spec'
import { Lifetime } from './lifetime.js'

/**
 * One of the runner's scopes (process, run, pair, agent): typed values registered under tokens,
 * looked up here and then in the enclosing scopes, and a {@link Lifetime} that `dispose` ends.
 * Registering a token again adds a value: `resolve` gives the newest, `resolveAll` every one
 * of the nearest scope that has any (the results sinks).
 *
 * The method names are tsyringe's, which this replaced (nothing here used its decorators or
 * reflection; see docs/architecture.md, "Scopes").
 */
export class Scope {
  private readonly values = new Map<symbol, unknown[]>()
  /** What this scope owns (sandboxes, the backend, the bus); released by {@link dispose}. */
  readonly lifetime = new Lifetime()

  private constructor(readonly parent: Scope | null) {}

  /** A scope without an enclosing one: the process's. */
  static root(): Scope {
    return new Scope(null)
  }

  /** A scope inside this one, with its own lifetime. */
  createChildContainer(): Scope {
    return new Scope(this)
  }

  register<T>(token: Token<T>, provider: { useValue: T }): this {
    const list = this.values.get(token)
    if (list) list.push(provider.useValue)
    else this.values.set(token, [provider.useValue])
    return this
  }

  /** Whether `token` has a value here or, with `recursive`, in an enclosing scope. */
  isRegistered(token: Token<unknown>, recursive = false): boolean {
    return this.values.has(token) || (recursive && this.parent !== null && this.parent.isRegistered(token, true))
  }

  /** The newest value of `token` in the nearest scope that has one. */
  resolve<T>(token: Token<T>): T {
    const list = this.nearest(token)
    if (list === null) {
      throw new CooperbenchError('INTERNAL', `no ${String(token.description)} service in this scope`, {
        hint: 'A plugin resolved a service its scope does not have (the bus exists only in coop runs with messaging); check with ctx.has(token) first.',
      })
    }
    return list[list.length - 1] as T
  }

  /** Every value of `token` in the nearest scope that has any; none → []. */
  resolveAll<T>(token: Token<T>): T[] {
    return [...((this.nearest(token) ?? []) as T[])]
  }

  /** Releases what the scope owns, newest first; rejects naming the releases that failed. */
  dispose(): Promise<void> {
    return this.lifetime.dispose()
  }

  private nearest(token: symbol): unknown[] | null {
    for (let scope: Scope | null = this; scope !== null; scope = scope.parent) {
      const list = scope.values.get(token)
      if (list) return list
    }
    return null
  }
}
