import type { Logger } from '@cooperbench/spec'
import { CooperbenchError, errorMessage } from '@cooperbench/spec'
import type { Lifetime } from './lifetime.js'
import type { PluginRegistry } from './registry.js'
import { Scope } from './scope.js'
import type { ServiceScope } from './services.js'
import { type Token, Tokens } from './tokens.js'

export { Scope } from './scope.js'

/**
 * The process scope: registry, logger and whatever else lives as long as the command.
 * Plugins never see a global scope; the host hands them what they need.
 */
export function createRootScope(services: { registry: PluginRegistry; logger: Logger }): Scope {
  const root = Scope.root()
  registerLifetime(root)
  root.register(Tokens.Registry, { useValue: services.registry })
  root.register(Tokens.Logger, { useValue: services.logger })
  return root
}

/**
 * A child scope (a run, or one pair execution) with its own Lifetime: disposing the scope
 * releases everything registered with that lifetime, such as the pair's sandboxes. The runner
 * and the CLI open scopes with {@link openScope}, which also applies plugins' services.
 */
export function createChildScope(parent: Scope): Scope {
  const child = parent.createChildContainer()
  registerLifetime(child)
  return child
}

export function lifetimeOf(scope: Scope): Lifetime {
  return scope.resolve<Lifetime>(Tokens.Lifetime)
}

/** Makes the scope's own lifetime resolvable (services and plugins find it by token). */
function registerLifetime(scope: Scope): void {
  scope.register(Tokens.Lifetime, { useValue: scope.lifetime })
}

/** The service `token` stands for in `scope` (or an outer scope); a clear error when none is there. */
export function resolveService<T>(scope: Scope, token: Token<T>): T {
  return scope.resolve(token)
}

/** Every service registered under `token` in the nearest scope that has one; none → []. */
export function resolveAllServices<T>(scope: Scope, token: Token<T>): T[] {
  return scope.resolveAll(token)
}

/**
 * Applies the services plugins registered for `level` to `scope`, in registration order: each is
 * created with the scope's services so far and registered over them. A factory that throws
 * fails the scope with PLUGIN_FAILED naming the plugin.
 */
export async function applyServices(scope: Scope, level: ServiceScope): Promise<void> {
  if (!scope.isRegistered(Tokens.Registry, true)) return
  const registry = scope.resolve<PluginRegistry>(Tokens.Registry)
  const logger = scope.resolve<Logger>(Tokens.Logger)
  for (const service of registry.services(level)) {
    let value: unknown
    try {
      value = await service.create({ resolve: (token) => resolveService(scope, token), has: (token) => scope.isRegistered(token, true), logger })
    } catch (error) {
      throw new CooperbenchError(
        'PLUGIN_FAILED',
        `plugin ${service.plugin.name}: its ${level} service ${String(service.token.description)} failed: ${errorMessage(error)}`,
        {
          hint: `Fix or remove the plugin ${service.plugin.name}.`,
          cause: error,
        },
      )
    }
    if (value === undefined || value === null) {
      throw new CooperbenchError('PLUGIN_FAILED', `plugin ${service.plugin.name}: its ${level} service ${String(service.token.description)} created nothing`, {
        hint: `Fix or remove the plugin ${service.plugin.name}.`,
      })
    }
    if (service.token === Tokens.ResultsSink && (value as { specificationVersion?: unknown }).specificationVersion !== RESULTS_SINK_SPECIFICATION) {
      throw new CooperbenchError(
        'PLUGIN_INCOMPATIBLE',
        `plugin ${service.plugin.name}: its results sink speaks ${String((value as { specificationVersion?: unknown }).specificationVersion)}, this core ${RESULTS_SINK_SPECIFICATION}`,
        {
          hint: `Install a release of ${service.plugin.name} made for this cooperbench.`,
        },
      )
    }
    scope.register(service.token, { useValue: value })
  }
}

const RESULTS_SINK_SPECIFICATION = 'results-sink-v1'

/** The services the runner puts in a scope it opens, before plugins' services go over them. */
export type ScopeServices = ReadonlyArray<readonly [Token<unknown>, unknown]>

/**
 * Opens one of the runner's scopes, the only way the runner and the CLI open one: a child of
 * `parent` with its own lifetime, the services `provide` gives (a function gets the new scope
 * first, so what it creates, such as the backend, can belong to the scope's lifetime), then
 * plugins' services for `level` over them. Disposed again if anything fails.
 */
export async function openScope(parent: Scope, level: ServiceScope, provide: ScopeServices | ((scope: Scope) => Promise<ScopeServices>)): Promise<Scope> {
  const scope = createChildScope(parent)
  try {
    const provided = typeof provide === 'function' ? await provide(scope) : provide
    for (const [token, value] of provided) scope.register(token, { useValue: value })
    await applyServices(scope, level)
    return scope
  } catch (error) {
    await scope.dispose()
    throw error
  }
}
