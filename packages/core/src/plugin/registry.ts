import { didYouMean, PLUGIN_OPTIONS_SECTION, validatePluginOptions } from '@cooperbench/config'
import { CooperbenchError, errorMessage, type Evaluator, isCooperbenchError, PLUGIN_KINDS, type PluginKind, SPECIFICATION_VERSIONS } from '@cooperbench/spec'
import type { FactoryContext, PluginDefinition, PluginIdentity, PluginObjects, Registration, ServiceRegistration, ServiceScope } from '@cooperbench/spec'
import { CORE_VERSION } from '../version.js'
import { parseCoreRange, positionInRange } from './core-range.js'
import { checkServiceRegistration } from './services.js'
import { applyPlugin, type DeclaredObject } from './define-plugin.js'

export type { FactoryContext, PluginIdentity, PluginObjects, Registration } from '@cooperbench/spec'

export interface RegisteredEntry<K extends PluginKind = PluginKind> extends Registration<K> {
  plugin: PluginIdentity
}

/** A plugin that could not be loaded or registered, kept so the CLI can list it. */
export interface PluginFailure {
  /** The plugin's name (a package name, or the specifier of a config-file module). */
  plugin: string
  message: string
  /** The error code: `PLUGIN_INCOMPATIBLE`, `PLUGIN_FAILED`, … (`PLUGIN_FAILED` for a plain Error). */
  code: string
  /** The fix, when the error named one. */
  hint?: string
  /** The plugin's version, when known. */
  version?: string
  /** What the plugin declared (when it got that far): a run naming one of them is told of this failure. */
  provides?: DeclaredObject[]
}

/**
 * Every plugin object in this process, by kind and name; plugins reach it only through the `cooperbench:register` hook. No class
 * identity is relied on: a plugin bundling its own core calls the host's registry, so the host's versions decide.
 */
export class PluginRegistry {
  private readonly entries = new Map<string, RegisteredEntry>()
  private readonly aliases = new Map<string, string>()
  /** The core version plugins are checked against. */
  readonly coreVersion: string
  /** Plugins registered successfully, in load order. */
  readonly plugins: PluginIdentity[] = []
  /** Plugins that failed to load or register, in load order; they contributed nothing. */
  readonly failures: PluginFailure[] = []
  private readonly serviceEntries: Array<ServiceRegistration & { plugin: PluginIdentity }> = []
  /** Option objects this registry returned from `validateOptions`, with their entry: validated once, taken as they are. */
  private readonly validated = new WeakMap<object, RegisteredEntry>()

  /** `coreVersion`: what plugins' `coreRange` is checked against; default this core's {@link CORE_VERSION}. */
  constructor(options: { coreVersion?: string } = {}) {
    this.coreVersion = options.coreVersion ?? CORE_VERSION
  }

  /** The host side of `definePlugin`'s hook: checks the plugin, runs `register`, adds all of it or none. */
  applyPlugin(definition: PluginDefinition): Promise<void> {
    return applyPlugin(this, definition)
  }

  /** `PLUGIN_INCOMPATIBLE` (naming plugin, range and core) when `coreRange` excludes this core; `PLUGIN_FAILED` when unreadable. */
  checkCompatibility(plugin: PluginIdentity): void {
    const range = plugin.coreRange
    if (range === undefined || range === null) return
    const label = pluginLabel(plugin)
    let parsed
    try {
      parsed = parseCoreRange(range)
    } catch (error) {
      throw new CooperbenchError('PLUGIN_FAILED', `plugin ${label} declares an invalid coreRange "${String(range)}": ${errorMessage(error)}`, {
        hint: `Report this to the plugin's authors; coreRange is a semver range such as "^${this.coreVersion}".`,
      })
    }
    const where = positionInRange(this.coreVersion, parsed)
    if (where === 'inside') return
    const core = `@cooperbench/core ${this.coreVersion}`
    const hint =
      where === 'below'
        ? `${plugin.name} is newer than this cooperbench: upgrade cooperbench to a release whose core matches ${range}, or install an older ${plugin.name} that supports core ${this.coreVersion}.`
        : where === 'above'
          ? `${plugin.name} is older than this cooperbench: upgrade ${plugin.name} to a release that supports core ${this.coreVersion}, or downgrade cooperbench to a release whose core matches ${range}.`
          : `Install a release of ${plugin.name} that supports core ${this.coreVersion}, or a cooperbench release whose core matches ${range}.`
    throw new CooperbenchError('PLUGIN_INCOMPATIBLE', `plugin ${label} requires @cooperbench/core ${range}, but this is ${core}`, { hint })
  }

  /** Adds plugins' services (checked first; all or none), applied in registration order. */
  registerServices(plugin: PluginIdentity, registrations: readonly ServiceRegistration[]): void {
    checkIdentity(plugin)
    for (const registration of registrations) checkServiceRegistration(pluginLabel(plugin), registration)
    for (const registration of registrations) this.serviceEntries.push({ ...registration, plugin: { name: plugin.name, version: plugin.version } })
  }

  /** The services plugins registered for one kind of scope, in registration order. */
  services(scope: ServiceScope): Array<ServiceRegistration & { plugin: PluginIdentity }> {
    return this.serviceEntries.filter((entry) => entry.scope === scope)
  }

  /** Registers one object. Prefer {@link registerAll}, which adds all of a plugin's objects or none. */
  register<K extends PluginKind>(plugin: PluginIdentity, registration: Registration<K>): void {
    this.registerAll(plugin, [registration])
  }

  /** Registers all of a plugin's objects or none: core range, shapes, contract versions and name clashes are checked first. */
  registerAll(plugin: PluginIdentity, registrations: Registration[]): void {
    checkIdentity(plugin)
    this.checkCompatibility(plugin)
    const identity: PluginIdentity = { name: plugin.name, version: plugin.version, ...(plugin.coreRange === undefined ? {} : { coreRange: plugin.coreRange }) }
    const claimed = new Map<string, string>()
    for (const registration of registrations) {
      this.checkRegistration(identity, registration)
      for (const name of [registration.name, ...(registration.aliases ?? [])]) {
        const key = keyOf(registration.kind, name)
        const other = claimed.get(key)
        if (other !== undefined && other !== registration.name) {
          throw new CooperbenchError('PLUGIN_FAILED', `${registration.kind} "${name}" is declared twice by ${pluginLabel(identity)}`, {
            hint: `Report this to the plugin's authors.`,
          })
        }
        claimed.set(key, registration.name)
      }
    }
    for (const registration of registrations) {
      const entry = { ...registration, plugin: identity } as RegisteredEntry
      this.entries.set(keyOf(registration.kind, registration.name), entry)
      for (const alias of registration.aliases ?? []) this.aliases.set(keyOf(registration.kind, alias), registration.name)
    }
    if (!this.plugins.some((p) => p.name === identity.name)) this.plugins.push(identity)
  }

  private checkRegistration(plugin: PluginIdentity, registration: Registration): void {
    const label = pluginLabel(plugin)
    const r = registration as Partial<Registration> | null
    if (!r || typeof r !== 'object' || !PLUGIN_KINDS.includes(r.kind as PluginKind) || typeof r.name !== 'string' || r.name === '') {
      throw new CooperbenchError('PLUGIN_FAILED', `${label} made a registration without a kind and a name`, {
        hint: `Report this to the plugin's authors: every registration needs a name, e.g. api.agent({ name: 'my-agent', ... }).`,
      })
    }
    if (typeof r.create !== 'function') {
      throw new CooperbenchError('PLUGIN_FAILED', `${r.kind} "${r.name}" from ${label} has no create function`, {
        hint: `Report this to the plugin's authors.`,
      })
    }
    const kind = r.kind as PluginKind
    const expected = SPECIFICATION_VERSIONS[kind]
    if (r.specificationVersion !== expected) {
      throw new CooperbenchError(
        'PLUGIN_INCOMPATIBLE',
        `${kind} "${r.name}" from ${label} implements ${String(r.specificationVersion)}, but this core (${this.coreVersion}) speaks ${expected}`,
        { hint: `Install a version of ${plugin.name} built for ${expected}, or a cooperbench release that supports ${String(r.specificationVersion)}.` },
      )
    }
    for (const name of [r.name, ...(r.aliases ?? [])]) {
      const key = keyOf(kind, name)
      const owner = this.entries.get(keyOf(kind, this.aliases.get(key) ?? name))
      if (owner && owner.plugin.name !== plugin.name) {
        throw new CooperbenchError('PLUGIN_FAILED', `${kind} "${name}" is registered by both ${owner.plugin.name} and ${plugin.name}`, {
          hint: `Uninstall one of the two plugins.`,
        })
      }
    }
  }

  /** Records a plugin that failed (it contributes nothing): its code and hint when it threw a CooperbenchError (duck-typed). */
  recordError(plugin: string, error: unknown, version?: string, provides?: DeclaredObject[]): void {
    const cooperbench = isCooperbenchError(error)
    this.failures.push({
      plugin,
      message: errorMessage(error),
      code: cooperbench ? error.code : 'PLUGIN_FAILED',
      ...(cooperbench && error.hint ? { hint: error.hint } : {}),
      ...(version === undefined ? {} : { version }),
      ...(provides && provides.length > 0 ? { provides } : {}),
    })
  }

  has(kind: PluginKind, name: string): boolean {
    return this.find(kind, name) !== undefined
  }

  find<K extends PluginKind>(kind: K, name: string): RegisteredEntry<K> | undefined {
    return this.entries.get(keyOf(kind, this.aliases.get(keyOf(kind, name)) ?? name)) as RegisteredEntry<K> | undefined
  }

  /** The entry for `name`, or an error listing what is available. */
  get<K extends PluginKind>(kind: K, name: string): RegisteredEntry<K> {
    const entry = this.find(kind, name)
    if (entry) return entry
    const refused = this.failures.find((f) => f.provides?.some((p) => p.kind === kind && p.name === name))
    if (refused) {
      const label = refused.version ? `${refused.plugin}@${refused.version}` : refused.plugin
      throw new CooperbenchError(
        refused.code === 'PLUGIN_INCOMPATIBLE' ? 'PLUGIN_INCOMPATIBLE' : 'PLUGIN_FAILED',
        `${kind} "${name}" is not available: its plugin ${label} was refused: ${refused.message}`,
        {
          hint: refused.hint ?? `Fix or reinstall ${refused.plugin}; \`cooperbench plugins\` lists what was refused and why.`,
        },
      )
    }
    const available = this.list(kind).map((e) => e.name)
    const failed = this.failures.length ? ` ${this.failures.length} plugin(s) failed to load: ${this.failures.map((f) => f.plugin).join(', ')}.` : ''
    throw new CooperbenchError('PLUGIN_NOT_FOUND', `unknown ${kind} "${name}"`, {
      hint: available.length
        ? `${didYouMean(name, available)}Available ${kind === 'bus' ? 'buses' : `${kind}s`}: ${available.join(', ')}. Install a plugin that provides "${name}" with \`cooperbench plugins install <package>\`.${failed}`
        : `No ${kind} is registered; install a plugin that provides one.${failed}`,
    })
  }

  list<K extends PluginKind>(kind: K): RegisteredEntry<K>[] {
    return [...this.entries.values()].filter((e): e is RegisteredEntry<K> => e.kind === kind).sort((a, b) => a.name.localeCompare(b.name))
  }

  /** Checked by `optionsSchema` (defaults filled in on a copy); CONFIG_INVALID lists each problem at its config place (`agents.x.step_limt: …`). */
  validateOptions(kind: PluginKind, name: string, options: Record<string, unknown>): Record<string, unknown> {
    const entry = this.get(kind, name)
    if (!entry.optionsSchema || (options && this.validated.get(options) === entry)) return options
    try {
      const valid = validatePluginOptions(kind, entry.name, entry.optionsSchema, options ?? {})
      this.validated.set(valid, entry)
      return valid
    } catch (error) {
      if (!isCooperbenchError(error) || error.code !== 'CONFIG_INVALID') throw error
      const section = `${PLUGIN_OPTIONS_SECTION[kind]}.${entry.name}`
      throw new CooperbenchError('CONFIG_INVALID', `invalid options of ${kind} ${entry.name}`, {
        details: mergeAlternatives(error.details),
        hint:
          kind === 'agent'
            ? `Fix these keys in ${section} of the config file or in the --agent-config file.`
            : `Fix these keys in ${section} of the config file.`,
        cause: error,
      })
    }
  }

  async create<K extends PluginKind>(kind: K, name: string, context: FactoryContext): Promise<PluginObjects[K]> {
    const entry = this.get(kind, name)
    const options = this.validateOptions(kind, name, context.options)
    const host = kind === 'evaluator' ? { defaultEvaluator: () => this.referenceEvaluator(context) } : {}
    const object = await entry.create({ ...context, ...host, options })
    if (!object || typeof object !== 'object' || object.specificationVersion !== SPECIFICATION_VERSIONS[kind]) {
      const actual = object && typeof object === 'object' ? String(object.specificationVersion) : typeof object
      throw new CooperbenchError(
        'PLUGIN_INCOMPATIBLE',
        `${kind} "${name}" from ${entry.plugin.name} returned an object implementing ${actual}, expected ${SPECIFICATION_VERSIONS[kind]}`,
        { hint: `Update ${entry.plugin.name}.` },
      )
    }
    return object
  }

  /** `FactoryContext.defaultEvaluator`: the registered `default` evaluator (`@cooperbench/evaluator-default`), made on the spot, default options. */
  private referenceEvaluator(context: FactoryContext): Evaluator {
    const entry = this.find('evaluator', REFERENCE_EVALUATOR)
    if (!entry) {
      throw new CooperbenchError('PLUGIN_NOT_FOUND', `no evaluator "${REFERENCE_EVALUATOR}" is registered: the reference evaluation an evaluator wraps`, {
        hint: 'It comes from the plugin @cooperbench/evaluator-default, which the cooperbench CLI registers; a script with its own registry applies that plugin too.',
      })
    }
    const { defaultEvaluator: _, ...rest } = context
    const made = entry.create({ ...rest, options: this.validateOptions('evaluator', REFERENCE_EVALUATOR, {}) }) as Evaluator | Promise<Evaluator>
    if (!made || typeof made !== 'object' || 'then' in made || made.specificationVersion !== SPECIFICATION_VERSIONS.evaluator) {
      throw new CooperbenchError(
        'PLUGIN_INCOMPATIBLE',
        `evaluator "${REFERENCE_EVALUATOR}" from ${entry.plugin.name} cannot be wrapped: its factory must return an evaluator-v1 object at once`,
        {
          hint: `Update ${entry.plugin.name}.`,
        },
      )
    }
    return made
  }
}

/** The evaluator `FactoryContext.defaultEvaluator` makes. */
const REFERENCE_EVALUATOR = 'default'

const ANY_OF = 'must match a schema in anyOf'

/** ajv reports a value fitting no `anyOf` branch once per branch and once more; one line here: `memory: must be integer or …`. */
function mergeAlternatives(lines: string[]): string[] {
  const split = lines.map((line) => {
    const at = line.indexOf(': ')
    return at < 0 ? { path: null, message: line } : { path: line.slice(0, at), message: line.slice(at + 2) }
  })
  const anyOfPaths = new Set(split.filter((p) => p.message === ANY_OF).map((p) => p.path))
  const merged: string[] = []
  const done = new Set<string | null>()
  for (const { path, message } of split) {
    if (path === null || !anyOfPaths.has(path)) {
      merged.push(path === null ? message : `${path}: ${message}`)
      continue
    }
    if (done.has(path)) continue
    done.add(path)
    const alternatives = split.filter((p) => p.path === path && p.message !== ANY_OF).map((p) => p.message)
    merged.push(`${path}: ${alternatives.length ? alternatives.join(' or ') : ANY_OF}`)
  }
  return merged
}

function checkIdentity(plugin: PluginIdentity): void {
  if (!plugin || typeof plugin.name !== 'string' || plugin.name === '' || typeof plugin.version !== 'string') {
    throw new CooperbenchError('PLUGIN_FAILED', `a plugin without a name and a version tried to register`, {
      hint: 'A plugin is `definePlugin({ name, version, register(api) { ... } })`, or a plain object of the same shape.',
    })
  }
}

function pluginLabel(plugin: PluginIdentity): string {
  return `${plugin.name}@${plugin.version}`
}

function keyOf(kind: PluginKind, name: string): string {
  return `${kind}:${name}`
}
