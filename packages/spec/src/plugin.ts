import type { Agent, AgentLimits } from './contracts/agent.js'
import type { Backend, ImageLayer } from './contracts/backend.js'
import type { MessageBus } from './contracts/bus.js'
import type { Evaluator } from './contracts/evaluator.js'
import type { Logger } from './contracts/logger.js'
import type { ResultsSink } from './contracts/results-sink.js'
import type { SetupContext, SetupResult } from './contracts/setup.js'
import type { Setting } from './contracts/setting.js'
import type { SettingReporter } from './contracts/setting-report.js'
import type { Pair } from './contracts/task.js'
import { CooperbenchError } from './errors.js'
import type { PluginKind, SPECIFICATION_VERSIONS } from './specification.js'

/** The objects each kind of registration creates. */
export interface PluginObjects {
  agent: Agent
  backend: Backend
  bus: MessageBus
  evaluator: Evaluator
  setting: Setting
}

export interface FactoryContext {
  /** This object's options from the resolved config; with an `optionsSchema`, validated first and passed as a copy with its defaults filled in. */
  options: Record<string, unknown>
  logger: Logger
  /** Evaluators only: makes the host's reference evaluator (`default`, `@cooperbench/evaluator-default`), to wrap instead of re-implementing it. */
  defaultEvaluator?: () => Evaluator
  /**
   * Backends only: how the run names task images (`image.template`, with the agent layer's suffix if any, and `image.namespace`).
   * The host names each sandbox's image (`SandboxSpec.image`); a backend preparing or listing images ahead uses this, so names agree.
   */
  images?: { template: string; namespace: string }
}

export interface PluginIdentity {
  name: string
  version: string
  /** The host (`@cooperbench/core`) versions the plugin works with, a semver range (`^0.1.0`, `>=0.1 <0.3`; absent: any), checked at registration. */
  coreRange?: string
}

/** What a plugin declares for one agent, backend, bus, evaluator or setting. */
export interface Registration<K extends PluginKind = PluginKind> {
  kind: K
  name: string
  /** The contract implemented (`agent-v1`, …), compared as a string, never by class; `@cooperbench/core` adapts older versions. */
  specificationVersion: (typeof SPECIFICATION_VERSIONS)[K]
  create(context: FactoryContext): PluginObjects[K] | Promise<PluginObjects[K]>
  aliases?: string[]
  /** Used in auto-generated run names when the reference table has no entry; without one, the whole name. */
  shorthand?: string
  /**
   * Agents only: `false` when the agent calls no model (the oracle, a scripted or replayed baseline): its run names omit the model, its
   * records (config.json, result.json, trajectory headers) say `model: null` (no model credited), `-m` makes no other run. Absent: uses the run's.
   */
  usesModel?: boolean
  /** Agents only: `false` if in no collaboration protocol (the oracle applies its gold patches): a coordinating setting says so at start. */
  collaborates?: false
  /**
   * Agents only: `true` when it resumes a conversation (`AgentRunContext.previous`): a seat carried into a later phase continues where
   * it stopped. Absent: such a seat starts afresh in the same sandbox.
   */
  continues?: true
  /**
   * Agents only: `true` when, with these options, it takes only its seat's briefing from a setting (`Coordination.briefing`), as
   * upstream's swe_agent took only the team's prompt block: no command tools, variables, folders or status. Absent: the whole surface.
   */
  briefingOnly?(options: Record<string, unknown>): boolean
  description?: string
  /** JSON schema of this object's options; the config is validated against it before `create`. */
  optionsSchema?: Record<string, unknown>
  /**
   * Backs `cooperbench config <name>`: checks what the object needs here (credentials, a service), tries it for real unless `liveTest`
   * is false, and returns the options to write into the user's config file. Throws a CooperbenchError naming the fix.
   */
  setup?(context: SetupContext): Promise<SetupResult>
  /** Agents only: the image layer its sandboxes need on each task image (options may pick a version), built by `images build --agent NAME`. */
  imageLayer?(options: Record<string, unknown>): ImageLayer
  /**
   * Agents only: what it sets up first in each sandbox, as a layer a backend that builds images adds on each task image once
   * (`SandboxSpec.setupLayer`); elsewhere the agent sets up in each sandbox as it does anyway. Null: nothing worth a layer.
   */
  setupLayer?(options: Record<string, unknown>): ImageLayer | null | Promise<ImageLayer | null>
  /** Agents only: what it runs that its version does not pin (`@anthropic-ai/claude-code@2.1.330`); fingerprinted: no resume on another release. */
  release?(options: Record<string, unknown>): string
  /**
   * Where the agent's prompts come from: a profile (`cooperbench-v1`, the default) or a configuration's digest (`reference-config:sha256:<hex>`).
   * Recorded as `prompt_source` (config.json, result.json) and in the fingerprint: runs of other prompts are never resumed together or compared.
   * A `reference-` source follows the reference's protocol: with `--git` teammates' branches are not fetched before the agent starts (0.0.14).
   */
  promptSource?(options: Record<string, unknown>): string | Promise<string>
  /**
   * Agents only: the limits these options ask for (`step_limit`, a reference configuration's `agent.step_limit`), in {@link AgentLimits} units
   * (0 = none; a key left out: the run's default). The harness decides `ctx.limits` from it once: the run's explicit limits win, and without
   * `--agent-timeout` the wall clock derives from the step limit.
   */
  ownLimits?(options: Record<string, unknown>): Partial<Pick<AgentLimits, 'steps' | 'costUsd'>>
  /** Settings only: by option key, its spelling outside `settings.<name>` (a `cooperbench run` flag, an environment variable), declared once. */
  spellings?: Record<string, OptionSpelling>
  /** Settings only: one variable listing switches off (`COOPERBENCH_TEAM_OFF=task-list,mcp`), each its `offFlag` less `prefix` (`team-no-`). */
  offList?: { env: string; prefix: string }
  /** Settings only: its rows' variants and its own sections in `cooperbench report` and the viewer's overview. */
  report?: SettingReporter
}

/** How an option of a setting is spelled outside the config file; its type comes from the options schema. */
export interface OptionSpelling {
  /** `--<flag> VALUE`, or `--[no-]<flag>` for a boolean. */
  flag?: string
  /** `--<offFlag>` turns a boolean that is on by default off (upstream's `--team-no-mcp`). */
  offFlag?: string
  /** An environment variable holding the value. */
  env?: string
  /** The flag's help line (else the schema's description). */
  help?: string
}

/** An injection token typed by what it resolves to; a global symbol (`Symbol.for`), so every copy of these contracts agrees on it. */
export type Token<T> = symbol & { readonly __resolvesTo?: T }

export function token<T>(name: string): Token<T> {
  return Symbol.for(`cooperbench.${name}`) as Token<T>
}

/** What one pair (two features, or N) of a run is: its task, features and result folder. */
export interface PairContext {
  pair: Pair
  dir: string
  /** The run id of this execution of the pair; null when only evaluating. */
  runId: string | null
}

/** What one agent of a pair is: its id and features. */
export interface AgentScopeContext {
  agentId: string
  featureIds: number[]
}

/** The services a plugin can resolve or replace in the runner's scopes (the host adds its own, e.g. the registry, under `cooperbench.*` too). */
export const Tokens = {
  Logger: token<Logger>('logger'),
  Backend: token<Backend>('backend'),
  Bus: token<MessageBus>('bus'),
  Agent: token<Agent>('agent'),
  Evaluator: token<Evaluator>('evaluator'),
  Setting: token<Setting>('setting'),
  ResultsSink: token<ResultsSink>('results-sink'),
  Pair: token<PairContext>('pair'),
  AgentInScope: token<AgentScopeContext>('agent-in-scope'),
} as const

/** The runner's scopes, outermost first: a run, one pair of it, one agent of a pair. */
export const SERVICE_SCOPES = ['run', 'pair', 'agent'] as const
export type ServiceScope = (typeof SERVICE_SCOPES)[number]

/** The services a factory declares it needs, by name: `{ backend: Tokens.Backend }`. */
type ServiceDeps = Readonly<Record<string, Token<unknown>>>

/** What the container resolved for a factory's declared `deps`, by the same names. */
type ResolvedDeps<D extends ServiceDeps> = { -readonly [K in keyof D]: D[K] extends Token<infer T> ? T : never }

/** What a service factory gets: `deps` from the scope as before this registration (a dep on its own token: the one replaced), the rest by `resolve`. */
export interface ServiceContext<D extends ServiceDeps = ServiceDeps> {
  deps: ResolvedDeps<D>
  resolve<T>(token: Token<T>): T
  /** Whether the scope has the service (the bus exists only in coop runs with messaging). */
  has(token: Token<unknown>): boolean
  logger: Logger
}

/**
 * A plugin's service for one kind of scope: created as each such scope opens, from its `deps` (resolved by the container, no decorators),
 * registered under `token` there, winning over outer scopes. It may depend on the service it replaces to wrap it (an evaluator recording
 * more around the default one). A created service with `dispose()` is disposed with its scope, newest first.
 */
export interface ServiceRegistration<T = unknown, D extends ServiceDeps = ServiceDeps> {
  token: Token<T>
  scope: ServiceScope
  /** The services `create` needs, by name; a missing one fails the scope naming the plugin. */
  deps?: D
  create(context: ServiceContext<D>): T | Promise<T>
  description?: string
}

/** What `register` receives: one method per kind of object a plugin can contribute. */
export interface PluginApi {
  /** The version of the host's `@cooperbench/core`. */
  readonly coreVersion: string
  agent(registration: Omit<Registration<'agent'>, 'kind'>): void
  backend(registration: Omit<Registration<'backend'>, 'kind'>): void
  bus(registration: Omit<Registration<'bus'>, 'kind'>): void
  evaluator(registration: Omit<Registration<'evaluator'>, 'kind'>): void
  /** A collaboration setting (`--setting <name>`). */
  setting(registration: Omit<Registration<'setting'>, 'kind'>): void
  /** Provides or replaces a service in every scope of one kind: a results sink, an evaluator wrapping the configured one, a bus, an agent. */
  service<T, D extends ServiceDeps = ServiceDeps>(registration: ServiceRegistration<T, D>): void
}

/** A plugin: name, version (usually its package's), `coreRange`, what it registers. Any object of this shape works (no class or symbol check). */
export interface PluginDefinition extends PluginIdentity {
  register(api: PluginApi): void | Promise<void>
}

/** The host's side of registration, as the register hook sees it. */
export interface PluginHost {
  /** Checks the plugin against the host, runs `register` and adds all of it or, on any refusal, none. */
  applyPlugin(definition: PluginDefinition): Promise<void>
}

/** Options the host passes to the `cooperbench:register` oclif hook. */
export interface RegisterHookOptions {
  registry: PluginHost
}

/** The oclif hook a plugin exports as `cooperbench:register`, carrying its definition so config-file plugins and tests load it without oclif. */
export type RegisterHook = ((options: RegisterHookOptions) => Promise<void>) & { plugin: PluginDefinition }

/**
 * Declares a plugin: default-export the result from the module named by package.json's
 * `"oclif": { "hooks": { "cooperbench:register": "./dist/register.js" } }`. The host does all checking.
 */
export function definePlugin(definition: PluginDefinition): RegisterHook {
  const hook = async (options: RegisterHookOptions) => {
    if (typeof options?.registry?.applyPlugin !== 'function') {
      throw new CooperbenchError('PLUGIN_FAILED', `${definition.name}: the register hook was called without a registry`, {
        hint: 'Load plugins through cooperbench (the CLI, or loadPlugins from cooperbench/api).',
      })
    }
    await options.registry.applyPlugin(definition)
  }
  return Object.assign(hook, { plugin: definition })
}
