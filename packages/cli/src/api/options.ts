import type { Logger, PluginDefinition, Setting } from '@cooperbench/core'
import type { ConfigFlags, CooperbenchConfig } from '@cooperbench/core/config'
import type { CooperbenchEvent } from './events.js'

/**
 * Where `run()` and `evaluate()` read their settings from, besides their own options: the
 * working directory (config file search, `.env`, relative paths), a config file or value, and
 * plugins beyond the installed ones.
 */
export interface HostOptions {
  /** Working directory; default `process.cwd()`. */
  cwd?: string
  /** A config file path (instead of searching for `cooperbench.config.*`), or the config itself. */
  config?: string | CooperbenchConfig
  /**
   * Plugins to load besides the CLI's own and the user's installed ones: module specifiers
   * (paths or package names, like a config file's `plugins`) or plugin definitions.
   */
  plugins?: Array<string | PluginDefinition>
  /** Aborting stops scheduling, aborts running agents and evaluations and removes their sandboxes. */
  signal?: AbortSignal
  /** Progress: plan, pair and evaluation events, warnings. */
  onEvent?: (event: CooperbenchEvent) => void
  /** Where plugin and harness messages go; default: warnings as `warning` events (stderr without `onEvent`). */
  logger?: Logger
}

/** Pair filters, as `-s/-r/-t/-f`. */
export interface SelectionOptions {
  /** Subset name: `<datasetDir>/subsets/<name>.json`. */
  subset?: string
  /** Repository folder name, e.g. `pallets_jinja_task`. */
  repo?: string
  /** Task id (0 is a valid id). */
  taskId?: number
  /** Feature ids of one pair (team), e.g. `[1, 2]`; as many as `teamSize`. */
  features?: number[]
  /** Features per team (`--agents N`): coop runs N agents, one feature each; default 2. */
  teamSize?: number
  datasetDir?: string
  logDir?: string
}

/** `run()`: the reference's parameters in camelCase, plus this harness's settings. */
export interface RunOptions extends HostOptions, SelectionOptions {
  /** Run name (folder under `logDir`); generated from the settings when absent. */
  runName?: string
  /** Model id, LiteLLM style `provider/model`. */
  modelName?: string
  /** An OpenAI-compatible server to call the model at. */
  modelBaseUrl?: string
  agent?: string
  concurrency?: number
  /** Rerun and re-evaluate every selected pair. */
  force?: boolean
  /** Selects the `redis` message bus at this URL. */
  redisUrl?: string
  setting?: Setting
  gitEnabled?: boolean
  messagingEnabled?: boolean
  autoEval?: boolean
  evalConcurrency?: number
  backend?: string
  /** A YAML/JSON file of agent options. */
  agentConfig?: string
  /** The evaluator by name (`cooperbench evaluators list`); default `default`. */
  evaluator?: string
  testTimeoutSeconds?: number
  agentTimeoutSeconds?: number
  stepLimit?: number
  costLimit?: number
  image?: { namespace?: string; template?: string }
}

/** `evaluate()`: evaluates the finished pairs of a run. */
export interface EvaluateOptions extends HostOptions, SelectionOptions {
  /** The run to evaluate (required). */
  runName: string
  /** Parallel evaluations; default the configured `evalConcurrency`. */
  concurrency?: number
  /** Re-evaluate pairs that already have eval.json. */
  force?: boolean
  backend?: string
  /** The evaluator by name; pairs judged by another evaluator are evaluated again. */
  evaluator?: string
  testTimeoutSeconds?: number
  image?: { namespace?: string; template?: string }
}

/** `report()`: reads run folders only. */
export interface ReportOptions {
  runNames: string[]
  logDir?: string
  cwd?: string
  /** Compare only this solo run with `coop` (both or neither); runs whose fingerprints differ are refused. */
  solo?: string
  coop?: string
  /** Rewrite each run's eval_summary.json from its pair folders (off: the report only reads). */
  writeEvalSummary?: boolean
}

/** The config layer of `run()`'s options; `undefined` = not given, so lower layers keep their value. */
export function runOptionsToConfig(options: RunOptions): ConfigFlags {
  return {
    ...selectionToConfig(options),
    name: options.runName,
    model: options.modelName,
    modelBaseUrl: options.modelBaseUrl,
    agent: options.agent,
    concurrency: options.concurrency,
    setting: options.setting,
    redis: options.redisUrl,
    git: options.gitEnabled,
    messaging: options.messagingEnabled,
    autoEval: options.autoEval,
    evalConcurrency: options.evalConcurrency,
    backend: options.backend,
    agentConfig: options.agentConfig,
    evaluator: options.evaluator,
    testTimeoutSeconds: options.testTimeoutSeconds,
    agentTimeoutSeconds: options.agentTimeoutSeconds,
    stepLimit: options.stepLimit,
    costLimit: options.costLimit,
    image: options.image,
  }
}

export function evaluateOptionsToConfig(options: EvaluateOptions): ConfigFlags {
  return {
    ...selectionToConfig(options),
    backend: options.backend,
    evaluator: options.evaluator,
    evalConcurrency: options.concurrency,
    testTimeoutSeconds: options.testTimeoutSeconds,
    image: options.image,
  }
}

/** The filters and folders of a call as config keys. */
export function selectionToConfig(options: SelectionOptions): ConfigFlags {
  return {
    subset: options.subset,
    repo: options.repo,
    task: options.taskId,
    features: options.features,
    teamSize: options.teamSize,
    datasetDir: options.datasetDir,
    logDir: options.logDir,
  }
}
