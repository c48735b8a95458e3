import { CooperbenchError, PLUGIN_KINDS } from '@cooperbench/spec'
import type { PluginApi, PluginDefinition, PluginIdentity, PluginKind, Registration, ServiceRegistration } from '@cooperbench/spec'
import { checkServiceRegistration } from './services.js'

export { definePlugin, type PluginApi, type PluginDefinition, type PluginHost, type RegisterHook, type RegisterHookOptions } from '@cooperbench/spec'

/** What `applyPlugin` uses of a registry, by shape (not `PluginRegistry` itself, which calls `applyPlugin`: no import cycle). */
export interface PluginTarget {
  registerAll(plugin: PluginIdentity, registrations: Registration[]): void
  registerServices(plugin: PluginIdentity, registrations: readonly ServiceRegistration[]): void
  checkCompatibility(plugin: PluginIdentity): void
  coreVersion: string
  recordError(plugin: string, error: unknown, version?: string, provides?: DeclaredObject[]): void
}

/** An agent, backend, bus or evaluator a plugin declares, by kind and name (aliases included). */
export interface DeclaredObject {
  kind: PluginKind
  name: string
}

/** How long a refused plugin's `register` may take to say what it declares (it is run against a recorder). */
const DECLARATIONS_MS = 2_000

/** What each refused plugin declared, by its (unchanged) error: `applyPlugins` records it, so an unknown name traces to the refusal. */
const declaredByRefusal = new WeakMap<object, DeclaredObject[]>()

function refusal(error: unknown, declared: DeclaredObject[]): unknown {
  if (typeof error === 'object' && error !== null) declaredByRefusal.set(error, declared)
  return error
}

function declaredOf(registrations: ReadonlyArray<Pick<Registration, 'kind' | 'name' | 'aliases'>>): DeclaredObject[] {
  return registrations.flatMap((r) => [r.name, ...(r.aliases ?? [])].filter((n) => typeof n === 'string').map((name) => ({ kind: r.kind, name })))
}

/** What a plugin refused before `register` (its core range) would declare: `register` against a recorder, cut off by a throw or 2 s. */
async function declarationsOf(definition: PluginDefinition, coreVersion: string): Promise<DeclaredObject[]> {
  const seen: Array<Pick<Registration, 'kind' | 'name' | 'aliases'>> = []
  const record = (kind: PluginKind) => (registration: { name: string; aliases?: string[] }) => {
    seen.push({ kind, name: registration?.name, ...(Array.isArray(registration?.aliases) ? { aliases: registration.aliases } : {}) })
  }
  const api = { coreVersion, ...byKind(record), service: () => {} } as PluginApi
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    await Promise.race([
      Promise.resolve().then(() => definition.register(api)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, DECLARATIONS_MS)
        timer.unref?.()
      }),
    ])
  } catch {
    // what it declared before throwing is kept
  } finally {
    clearTimeout(timer)
  }
  return declaredOf(seen)
}

/**
 * PLUGIN_INCOMPATIBLE when `coreRange` excludes the core (`register` then runs only against a recorder, for the names); else all of
 * the plugin's registrations, or none when `register` throws or one is refused.
 */
export async function applyPlugin(host: PluginTarget, definition: PluginDefinition): Promise<void> {
  const identity = identityOf(definition)
  try {
    host.checkCompatibility(identity)
  } catch (error) {
    throw refusal(error, await declarationsOf(definition, host.coreVersion))
  }
  const staged: Registration[] = []
  const stagedServices: ServiceRegistration[] = []
  let committed = false
  const add =
    <K extends PluginKind>(kind: K) =>
    (registration: Omit<Registration<K>, 'kind'>) => {
      const full = { ...registration, kind } as Registration<K>
      // Registrations made after `register` returned (a plugin that forgot an await) go in directly.
      if (committed) host.registerAll(identity, [full])
      else staged.push(full as Registration)
    }
  const api: PluginApi = {
    coreVersion: host.coreVersion,
    ...(byKind(add) as Pick<PluginApi, PluginKind>),
    service: (registration) => {
      if (committed) host.registerServices(identity, [registration as ServiceRegistration])
      else stagedServices.push(registration as ServiceRegistration)
    },
  }
  try {
    await definition.register(api)
    // Services are checked before anything is added, so a bad one leaves the plugin out entirely.
    for (const service of stagedServices) checkServiceRegistration(identity.name, service)
    host.registerAll(identity, staged)
    host.registerServices(identity, stagedServices)
  } catch (error) {
    throw refusal(error, declaredOf(staged))
  }
  committed = true
}

/** Loads plugins one by one; one that throws or is refused goes into `registry.failures` (code, hint) and the others still load. */
export async function applyPlugins(registry: PluginTarget, definitions: PluginDefinition[]): Promise<void> {
  for (const definition of definitions) {
    try {
      await applyPlugin(registry, definition)
    } catch (thrown) {
      const name = typeof definition?.name === 'string' && definition.name !== '' ? definition.name : '(unnamed plugin)'
      const version = typeof definition?.version === 'string' ? definition.version : undefined
      const declared = typeof thrown === 'object' && thrown !== null ? declaredByRefusal.get(thrown) : undefined
      registry.recordError(name, thrown, version, declared)
    }
  }
}

function identityOf(definition: PluginDefinition): PluginIdentity {
  const d = definition as Partial<PluginDefinition> | null | undefined
  const name = typeof d?.name === 'string' && d.name !== '' ? d.name : null
  const version = typeof d?.version === 'string' && d.version !== '' ? d.version : null
  if (!d || typeof d !== 'object' || name === null || version === null || typeof d.register !== 'function') {
    const missing = [name === null && 'name', version === null && 'version', typeof d?.register !== 'function' && 'register'].filter(Boolean)
    throw new CooperbenchError('PLUGIN_FAILED', `${name ?? 'a plugin'} is not a valid plugin definition (missing: ${missing.join(', ')})`, {
      hint: 'Export `definePlugin({ name, version, coreRange, register(api) { ... } })`, or a plain object of the same shape.',
    })
  }
  return { name, version, ...(d.coreRange === undefined ? {} : { coreRange: d.coreRange }) }
}

function byKind<M>(method: (kind: PluginKind) => M): Record<PluginKind, M> {
  return Object.fromEntries(PLUGIN_KINDS.map((kind) => [kind, method(kind)])) as Record<PluginKind, M>
}
