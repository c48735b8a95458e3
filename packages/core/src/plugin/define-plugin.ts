import { CooperbenchError } from '../errors.js'
import { CORE_VERSION } from '../version.js'
import type { PluginIdentity, PluginRegistry, Registration } from './registry.js'
import { checkServiceRegistration, type ServiceRegistration } from './services.js'
import type { PluginKind } from './specification.js'

/** What `register` receives: one method per kind of object a plugin can contribute. */
export interface PluginApi {
  /** The version of the host's `@cooperbench/core` (not of a copy the plugin may bundle). */
  readonly coreVersion: string
  agent(registration: Omit<Registration<'agent'>, 'kind'>): void
  backend(registration: Omit<Registration<'backend'>, 'kind'>): void
  bus(registration: Omit<Registration<'bus'>, 'kind'>): void
  evaluator(registration: Omit<Registration<'evaluator'>, 'kind'>): void
  /**
   * Provides or replaces a service in every scope of one kind (`run`, `pair`, `agent`): a
   * results sink, an evaluator wrapping the configured one, a bus, an agent for some agents.
   */
  service<T>(registration: ServiceRegistration<T>): void
}

/**
 * A plugin: its name and version (usually its package's), the core versions it supports
 * (`coreRange`, a semver range such as `^0.1.0`; absent = any) and what it registers.
 * A plain object of this shape works as well as one made by {@link definePlugin}: nothing
 * checks class identity or a symbol, so a plugin may bundle its own copy of core.
 */
export interface PluginDefinition extends PluginIdentity {
  register(api: PluginApi): void | Promise<void>
}

/** Options the host passes to the `cooperbench:register` oclif hook. */
export interface RegisterHookOptions {
  registry: PluginRegistry
}

/**
 * The oclif hook function a plugin exports as `cooperbench:register`; it also carries the
 * definition so config-file plugins and tests can load it without oclif.
 */
export type RegisterHook = ((options: RegisterHookOptions) => Promise<void>) & { plugin: PluginDefinition }

/**
 * Declares a plugin. Export the result as the default export of the module named by
 * `"oclif": { "hooks": { "cooperbench:register": "./dist/register.js" } }` in package.json.
 */
export function definePlugin(definition: PluginDefinition): RegisterHook {
  const hook = async (options: RegisterHookOptions) => {
    if (!options?.registry) {
      throw new CooperbenchError('PLUGIN_FAILED', `${definition.name}: the register hook was called without a registry`)
    }
    await applyPlugin(options.registry, definition)
  }
  return Object.assign(hook, { plugin: definition })
}

/**
 * Runs one plugin's registration against a registry: refuses it (PLUGIN_INCOMPATIBLE) before
 * calling `register` when its `coreRange` excludes the registry's core version, then adds all
 * of its registrations or, when `register` throws or one registration is refused, none.
 *
 * The registry may come from another copy of core (the host's, when this copy is bundled by a
 * plugin): only its methods are used, and the host's core version decides.
 */
export async function applyPlugin(registry: PluginRegistry, definition: PluginDefinition): Promise<void> {
  const identity = identityOf(definition)
  // A host registry from an older core may lack the newer methods; it then checks what it knows.
  const host = registry as Partial<Pick<PluginRegistry, 'checkCompatibility' | 'registerAll' | 'registerServices' | 'coreVersion'>> & Pick<PluginRegistry, 'register'>
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
export async function applyPlugins(registry: PluginRegistry, definitions: PluginDefinition[]): Promise<void> {
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
    const missing = [name === null && 'name', (typeof d?.version !== 'string' || d.version === '') && 'version', typeof d?.register !== 'function' && 'register']
      .filter(Boolean)
      .join(', ')
    throw new CooperbenchError('PLUGIN_FAILED', `${name ?? 'a plugin'} is not a valid plugin definition (missing: ${missing})`, {
      hint: 'Export `definePlugin({ name, version, coreRange, register(api) { ... } })`, or a plain object of the same shape.',
    })
  }
  return { name, version: d.version, ...(d.coreRange === undefined ? {} : { coreRange: d.coreRange }) }
}
