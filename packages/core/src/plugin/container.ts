import { type Logger, type PluginIdentity, type ServiceContext, type ServiceRegistration, CooperbenchError, errorMessage } from '@cooperbench/spec'
import type { PluginRegistry } from './registry.js'
import { createRoot, lifetimeOf, resolveService, type Scope } from './scope.js'
import type { ServiceScope } from './services.js'
import { type Dependencies, type Resolved, resolveDependencies } from './provide.js'
import { type Token, Tokens } from './tokens.js'

export { lifetimeOf, resolveAllServices, resolveService, type Scope } from './scope.js'

/** The process scope (registry, logger, whatever lives as long as the command); plugins never see a global scope. */
export function createRootScope(services: { registry: PluginRegistry; logger: Logger }): Scope {
  const root = createRoot()
  root.register(Tokens.Registry, { useValue: services.registry })
  root.register(Tokens.Logger, { useValue: services.logger })
  return root
}

type PluginService = ServiceRegistration & { plugin: PluginIdentity }

/**
 * Applies plugins' services for `level` in registration order, each made once from its `deps` as the scope has them so far;
 * a factory that throws or a missing dep is PLUGIN_FAILED naming the plugin.
 */
async function applyServices(scope: Scope, level: ServiceScope): Promise<void> {
  if (!scope.isRegistered(Tokens.Registry, true)) return
  const registry = resolveService(scope, Tokens.Registry)
  for (const service of registry.services(level)) {
    const value = await createService(scope, service, level)
    scope.register(service.token, { useValue: value })
  }
}

/** Runs a plugin's factory on its deps from `scope`; what it returns that it did not get there is the scope's to dispose. */
async function createService(scope: Scope, service: PluginService, level: ServiceScope): Promise<unknown> {
  const label = `plugin ${service.plugin.name}: its ${level} service ${String(service.token.description)}`
  const given = new Set<unknown>()
  const take = <T>(token: Token<T>): T => {
    const value = resolveService(scope, token)
    given.add(value)
    return value
  }
  let value: unknown
  try {
    const deps = resolveDependencies(scope, service.deps ?? {})
    for (const dep of Object.values(deps)) given.add(dep)
    const context: ServiceContext = { deps, resolve: take, has: (token) => scope.isRegistered(token, true), logger: resolveService(scope, Tokens.Logger) }
    value = await service.create(context)
  } catch (error) {
    throw new CooperbenchError('PLUGIN_FAILED', `${label} failed: ${errorMessage(error)}`, {
      hint: `Fix or remove the plugin ${service.plugin.name}.`,
      cause: error,
    })
  }
  if (value === undefined || value === null) {
    throw new CooperbenchError('PLUGIN_FAILED', `${label} created nothing`, { hint: `Fix or remove the plugin ${service.plugin.name}.` })
  }
  const version = (value as { specificationVersion?: unknown }).specificationVersion
  if (service.token === Tokens.ResultsSink && version !== RESULTS_SINK_SPECIFICATION) {
    throw new CooperbenchError(
      'PLUGIN_INCOMPATIBLE',
      `plugin ${service.plugin.name}: its results sink speaks ${String(version)}, this core ${RESULTS_SINK_SPECIFICATION}`,
      { hint: `Install a release of ${service.plugin.name} made for this cooperbench.` },
    )
  }
  const created = value as { dispose?: () => Promise<void> | void }
  if (!given.has(value) && typeof created.dispose === 'function') lifetimeOf(scope).own(label, () => created.dispose!())
  return value
}

const RESULTS_SINK_SPECIFICATION = 'results-sink-v1'

/** The services the runner puts in a scope it opens, before plugins' services go over them. */
export type ScopeServices = ReadonlyArray<readonly [Token<unknown>, unknown]>

/**
 * Opens a runner scope (the only way one opens): a child of `parent` with its own lifetime, `provide`'s services (a function gets the
 * new scope, so what it creates belongs to it), then plugins' services for `level` over them. Disposed again if anything fails.
 */
export async function openScope(parent: Scope, level: ServiceScope, provide: ScopeProvider): Promise<Scope> {
  return (await openScopeFor(parent, level, provide, {})).scope
}

type ScopeProvider = ScopeServices | ((scope: Scope) => Promise<ScopeServices>)

/** {@link openScope}, then what the caller `needs` of it, resolved after plugins' services (so a replaced one is given); disposed if one is missing. */
export async function openScopeFor<const D extends Dependencies>(
  parent: Scope,
  level: ServiceScope,
  provide: ScopeProvider,
  needs: D,
): Promise<{ scope: Scope; services: Resolved<D> }> {
  // A child scope has its own Lifetime: disposing it releases what it owns, such as the pair's sandboxes.
  const scope = parent.createChildContainer()
  try {
    const provided = typeof provide === 'function' ? await provide(scope) : provide
    for (const [token, value] of provided) scope.register(token, { useValue: value })
    await applyServices(scope, level)
    return { scope, services: resolveDependencies(scope, needs) }
  } catch (error) {
    await scope.dispose()
    throw error
  }
}
