import { CooperbenchError } from '@cooperbench/spec'
import { CORE_VERSION } from '../version.js'
import type { PluginApi, PluginDefinition, PluginIdentity, PluginKind, Registration, ServiceRegistration } from '@cooperbench/spec'
import { checkServiceRegistration } from './services.js'

export { definePlugin, type PluginApi, type PluginDefinition, type PluginHost, type RegisterHook, type RegisterHookOptions } from '@cooperbench/spec'

/**
 * What `applyPlugin` uses of a registry, by shape (not `PluginRegistry` itself, which calls
 * `applyPlugin`: no import cycle). A host registry from an older core may lack the optional methods.
 */
export interface PluginTarget {
  register(plugin: PluginIdentity, registration: Registration): void
  registerAll?(plugin: PluginIdentity, registrations: Registration[]): void
  registerServices?(plugin: PluginIdentity, registrations: readonly ServiceRegistration[]): void
  checkCompatibility?(plugin: PluginIdentity): void
  coreVersion?: string
  recordError(plugin: string, error: unknown, version?: string): void
}

/**
 * Runs one plugin's registration against a registry: refuses it (PLUGIN_INCOMPATIBLE) before
 * calling `register` when its `coreRange` excludes the registry's core version, then adds all
 * of its registrations or, when `register` throws or one registration is refused, none.
 *
 * The registry may come from another copy of core (the host's, when this copy is bundled by a
 * plugin): only its methods are used, and the host's core version decides.
 */
export async function applyPlugin(registry: PluginTarget, definition: PluginDefinition): Promise<void> {
  const identity = identityOf(definition)
  // A host registry from an older core may lack the newer methods; it then checks what it knows.
  const host = registry
  if (typeof host.checkCompatibility === 'function') host.checkCompatibility(identity)
  const staged: Registration[] = []
  const stagedServices: ServiceRegistration[] = []
  let committed = false
  const add =
    <K extends PluginKind>(kind: K) =>
    (registration: Omit<Registration<K>, 'kind'>) => {
      const full = { ...registration, kind } as Registration<K>
      // Registrations made after `register` returned (a plugin that forgot an await) go in directly.
      if (committed) host.register(identity, full)
      else staged.push(full as Registration)
    }
  const api: PluginApi = {
    coreVersion: typeof host.coreVersion === 'string' ? host.coreVersion : CORE_VERSION,
    agent: add('agent'),
    backend: add('backend'),
    bus: add('bus'),
    evaluator: add('evaluator'),
    service: (registration) => {
      if (committed) registerServices([registration as ServiceRegistration])
      else stagedServices.push(registration as ServiceRegistration)
    },
  }
  const registerServices = (services: ServiceRegistration[]) => {
    if (services.length === 0) return
    if (typeof host.registerServices !== 'function') {
      throw new CooperbenchError('PLUGIN_INCOMPATIBLE', `plugin ${identity.name} registers services, which this cooperbench does not support`, {
        hint: 'Upgrade cooperbench.',
      })
    }
    host.registerServices(identity, services)
  }
  await definition.register(api)
  // Services are checked before anything is added, so a bad one leaves the plugin out entirely.
  for (const service of stagedServices) checkServiceRegistration(identity.name, service)
  if (typeof host.registerAll === 'function') host.registerAll(identity, staged)
  else for (const registration of staged) host.register(identity, registration)
  registerServices(stagedServices)
  committed = true
}

/**
 * Loads plugins one by one; a plugin that throws (or is refused) is recorded in
 * `registry.failures` with its code and hint, and skipped, so one broken plugin never takes
 * the others down.
 */
export async function applyPlugins(registry: PluginTarget, definitions: PluginDefinition[]): Promise<void> {
  for (const definition of definitions) {
    try {
      await applyPlugin(registry, definition)
    } catch (error) {
      const name = typeof definition?.name === 'string' && definition.name !== '' ? definition.name : '(unnamed plugin)'
      registry.recordError(name, error, typeof definition?.version === 'string' ? definition.version : undefined)
    }
  }
}

/** The identity of a definition, checked for shape (a plain object from a plugin may be anything). */
function identityOf(definition: PluginDefinition): PluginIdentity {
  const d = definition as Partial<PluginDefinition> | null | undefined
  const name = typeof d?.name === 'string' && d.name !== '' ? d.name : null
  if (!d || typeof d !== 'object' || name === null || typeof d.version !== 'string' || d.version === '' || typeof d.register !== 'function') {
    const missing = [
      name === null && 'name',
      (typeof d?.version !== 'string' || d.version === '') && 'version',
      typeof d?.register !== 'function' && 'register',
    ]
      .filter(Boolean)
      .join(', ')
    throw new CooperbenchError('PLUGIN_FAILED', `${name ?? 'a plugin'} is not a valid plugin definition (missing: ${missing})`, {
      hint: 'Export `definePlugin({ name, version, coreRange, register(api) { ... } })`, or a plain object of the same shape.',
    })
  }
  return { name, version: d.version, ...(d.coreRange === undefined ? {} : { coreRange: d.coreRange }) }
}
