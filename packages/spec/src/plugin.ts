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
  /**
   * This object's options from the resolved config. When the registration has an
   * `optionsSchema`, the host validates them first and passes a copy with the schema's
   * defaults filled in.
   */
  options: Record<string, unknown>
  logger: Logger
  /**
   * Evaluators only: makes the host's reference evaluator (the registered `default` evaluator, from
   * `@cooperbench/evaluator-default`), for an evaluator that wraps it (judges its record
   * differently, records more) instead of re-implementing the evaluation.
   */
  defaultEvaluator?: () => Evaluator
  /**
   * Backends only: how the run names task images (its `image.template`, with the agent layer's
   * suffix when the run's agent has one, and `image.namespace`). The host names each sandbox's image
   * itself (`SandboxSpec.image`); a backend that prepares or lists images ahead names them with this,
   * so an image has one name.
   */
  images?: { template: string; namespace: string }
}

export interface PluginIdentity {
  name: string
  version: string
  /**
   * The versions of the host (`@cooperbench/core`) the plugin works with, as a semver range
   * (`^0.1.0`, `>=0.1 <0.3`); absent means any. Checked against the host's version at registration.
   */
  coreRange?: string
}

/** What a plugin declares for one agent, backend, bus, evaluator or setting. */
export interface Registration<K extends PluginKind = PluginKind> {
  kind: K
  name: string
  /**
   * The contract this object implements, as its literal (`agent-v1`, …). The host compares it
   * as a string, never by class; when a contract gains a version, the host adapts older objects
   * (`asAgentV2`-style adapters live in `@cooperbench/core`, next to the registry that calls them).
   */
  specificationVersion: (typeof SPECIFICATION_VERSIONS)[K]
  create(context: FactoryContext): PluginObjects[K] | Promise<PluginObjects[K]>
  aliases?: string[]
  /** Used in auto-generated run names when the reference table has no entry; without one, the whole name. */
  shorthand?: string
  /**
   * Agents only: `false` when the agent calls no model (the oracle, a scripted or replayed
   * baseline). Its run names leave the model out and its records (config.json, result.json, the
   * trajectory headers) carry `model: null`, so no model is credited with its results and `-m`
   * does not make another run of it. Absent: the agent uses the run's model.
   */
  usesModel?: boolean
  /**
   * Agents only: `false` when the agent takes part in no collaboration protocol (the oracle applies
   * its gold patches whatever its teammates do): a setting whose agents coordinate says so at the start.
   */
  collaborates?: false
  description?: string
  /** JSON schema of this object's options; the config is validated against it before `create`. */
  optionsSchema?: Record<string, unknown>
  /**
   * Backs `cooperbench config <name>`: checks what the object needs on this machine
   * (credentials, a service), tries it for real unless `liveTest` is false, and returns the
   * options to write into the user's config file. Throws a CooperbenchError naming the fix.
   */
  setup?(context: SetupContext): Promise<SetupResult>
  /**
   * Agents only: the image layer the agent's sandboxes need on top of each task image (its
   * options may choose a version). A run of this agent uses the layered images; `cooperbench
   * images build --agent NAME` builds them.
   */
  imageLayer?(options: Record<string, unknown>): ImageLayer
  /**
   * Agents only: what the agent runs that its plugin's version does not pin by itself, such as
   * a third-party program (`@anthropic-ai/claude-code@2.1.330`). Recorded in a run's fingerprint,
   * so a run is never resumed with another release of it.
   */
  release?(options: Record<string, unknown>): string
  /**
   * Where the agent's prompts come from with these options: a profile name (`cooperbench-v1`) or
   * a configuration's digest (`reference-config:sha256:<hex>`). Recorded in `config.json` and
   * `result.json` as `prompt_source` and in the fingerprint, so runs with different prompts are
   * never resumed into one folder or compared. Absent: `cooperbench-v1`. A source starting with
   * `reference-` says the agent follows the reference's protocol: with `--git` the harness then
   * does not fetch teammates' branches before the agent starts, as the reference (0.0.14).
   */
  promptSource?(options: Record<string, unknown>): string | Promise<string>
  /**
   * Agents only: the limits these options ask for (a `step_limit` option, a reference
   * configuration's `agent.step_limit`), in the units of {@link AgentLimits} (0 = none); a key
   * left out takes the run's default. The harness decides `ctx.limits` once from it: the run's
   * explicit limits win over it, and without `--agent-timeout` its wall clock on the agent
   * derives from the step limit.
   */
  ownLimits?(options: Record<string, unknown>): Partial<Pick<AgentLimits, 'steps' | 'costUsd'>>
  /**
   * Settings only: how its options are spelled outside the config file (`settings.<name>`), by
   * option key: a flag of `cooperbench run`, an environment variable. Declared once here, they
   * reach flags, config files, variables and `run()` alike.
   */
  spellings?: Record<string, OptionSpelling>
  /**
   * Settings only: one variable listing the switches turned off (`COOPERBENCH_TEAM_OFF=task-list,mcp`),
   * each by its `offFlag` without `prefix` (`team-no-`).
   */
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

/**
 * An injection token that carries the type of what it resolves to. It is a global symbol
 * (`Symbol.for`), so every copy of these contracts agrees on it.
 */
export type Token<T> = symbol & { readonly __resolvesTo?: T }

export function token<T>(name: string): Token<T> {
  return Symbol.for(`cooperbench.${name}`) as Token<T>
}

/** What one team (a pair, or N features) of a run is: its task, features and result folder. */
export interface PairContext {
  pair: Pair
  dir: string
  /** The run id of this execution of the team; null when only evaluating. */
  runId: string | null
}

/** What one agent of a team is: its id and features. */
export interface AgentScopeContext {
  agentId: string
  featureIds: number[]
}

/**
 * The services a plugin can resolve or replace in the runner's scopes (the host adds its own,
 * such as the registry and the run plan, under the same `cooperbench.*` symbols).
 */
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

/** The runner's scopes, outermost first: a run, one team (pair) of it, one agent of a team. */
export const SERVICE_SCOPES = ['run', 'pair', 'agent'] as const
export type ServiceScope = (typeof SERVICE_SCOPES)[number]

/** The services a factory declares it needs, by name: `{ backend: Tokens.Backend }`. */
type ServiceDeps = Readonly<Record<string, Token<unknown>>>

/** What the container resolved for a factory's declared `deps`, by the same names. */
type ResolvedDeps<D extends ServiceDeps> = { -readonly [K in keyof D]: D[K] extends Token<infer T> ? T : never }

/**
 * What a service factory gets: its declared `deps` resolved from the scope as it was before
 * this registration (so a dep on the service's own token is the one it replaces), the scope's
 * other services by `resolve`, and the logger.
 */
export interface ServiceContext<D extends ServiceDeps = ServiceDeps> {
  deps: ResolvedDeps<D>
  resolve<T>(token: Token<T>): T
  /** Whether the scope has the service (the bus exists only in coop runs with messaging). */
  has(token: Token<unknown>): boolean
  logger: Logger
}

/**
 * A plugin's service for one kind of scope: created once for each such scope when it opens,
 * from the services it declares in `deps` (resolved by the container, no decorators), and
 * registered under `token` there, so it wins over what outer scopes provide. A factory may
 * depend on the service it replaces to wrap it (a decorator), e.g. an evaluator that records
 * more around the default one. A service with a `dispose()` method that the factory created
 * is disposed with its scope, newest first.
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
  /**
   * Provides or replaces a service in every scope of one kind (`run`, `pair`, `agent`): a
   * results sink, an evaluator wrapping the configured one, a bus, an agent for some agents.
   */
  service<T, D extends ServiceDeps = ServiceDeps>(registration: ServiceRegistration<T, D>): void
}

/**
 * A plugin: its name and version (usually its package's), the host versions it supports
 * (`coreRange`; absent = any) and what it registers. A plain object of this shape works as
 * well as one made by {@link definePlugin}: nothing checks class identity or a symbol.
 */
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

/**
 * The oclif hook function a plugin exports as `cooperbench:register`; it also carries the
 * definition so config-file plugins and tests can load it without oclif.
 */
export type RegisterHook = ((options: RegisterHookOptions) => Promise<void>) & { plugin: PluginDefinition }

/**
 * Declares a plugin. Export the result as the default export of the module named by
 * `"oclif": { "hooks": { "cooperbench:register": "./dist/register.js" } }` in package.json.
 * All checking happens in the host, so a plugin carries no registration logic of its own.
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
