import type { Logger, PluginDefinition } from '@cooperbench/core'
import type { ConfigFlags, CooperbenchConfig } from '@cooperbench/config'
import type { ReportRunsOptions } from '@cooperbench/report'
import type { CooperbenchEvent } from './events.js'

/** Where `run()` and `evaluate()` read settings besides their options: working directory (config search, `.env`, paths), config, plugins. */
export interface HostOptions {
  /** Working directory; default `process.cwd()`. */
  cwd?: string
  /** A config file path (instead of searching for `cooperbench.config.*`), or the config itself. */
  config?: string | CooperbenchConfig
  /** Plugins besides the installed ones: module specifiers (paths or package names, as a config file's `plugins`) or plugin definitions. */
  plugins?: Array<string | PluginDefinition>
  /** Aborting stops scheduling, aborts running agents and evaluations and removes their sandboxes. */
  signal?: AbortSignal
  /** Progress: plan, pair and evaluation events, warnings. */
  onEvent?: (event: CooperbenchEvent) => void
  /** Where plugin and harness messages go; default: warnings as `warning` events (stderr without `onEvent`). */
  logger?: Logger
}

/**
 * The settings a call gives, by the configuration's keys (as the config file, `COOPERBENCH_*` and flags; `docs/user-guide.md#configuration`):
 * the reference's API names in camelCase where it has one (`runName`, `modelName`, `taskId`, `redisUrl`, `gitEnabled`, `messagingEnabled`).
 * `undefined` = not given: lower layers keep their value.
 */
type Settings = Omit<ConfigFlags, 'plugins'>

/** Pair filters, as `-s/-r/-t/-f/--agents`, and the folders. */
export type SelectionOptions = Pick<Settings, 'subset' | 'repo' | 'taskId' | 'features' | 'pairSize' | 'datasetDir' | 'logDir'>

/** `run()`: the run's settings (the reference's parameters in camelCase, plus this harness's), and how to host it. */
export interface RunOptions extends HostOptions, Settings {
  /** Rerun and re-evaluate every selected pair. */
  force?: boolean
}

/** `evaluate()`: evaluates the finished pairs of a run. */
export interface EvaluateOptions extends HostOptions, SelectionOptions, Pick<Settings, 'backend' | 'evaluator' | 'testTimeoutSeconds' | 'image' | 'policy'> {
  /** The run to evaluate (required). */
  runName: string
  /** Parallel evaluations (the reference's `concurrency` of `evaluate`); default the configured `evalConcurrency`. */
  concurrency?: number
  /** Re-evaluate pairs that already have eval.json. */
  force?: boolean
}

/** `report()`: reads run folders only; the log dir is the one `run` uses unless given (relative to `cwd`). */
export interface ReportOptions extends Omit<ReportRunsOptions, 'logDir' | 'reporters'>, Pick<HostOptions, 'cwd' | 'config' | 'plugins' | 'logger'> {
  logDir?: string
}

/** The settings of `run()`'s options: the options without what hosts the call. */
export function runOptionsToConfig(options: RunOptions): ConfigFlags {
  const { cwd: _cwd, config: _config, plugins: _plugins, signal: _signal, onEvent: _onEvent, logger: _logger, force: _force, ...settings } = options
  return settings
}

/** The settings of `evaluate()`'s options; its `concurrency` is the evaluations'. */
export function evaluateOptionsToConfig(options: EvaluateOptions): ConfigFlags {
  const { runName, subset, repo, taskId, features, pairSize, datasetDir, logDir, backend, evaluator, testTimeoutSeconds, image, concurrency, policy } = options
  // The run name is checked as `run` checks it: a folder name under the log folder, never a path out of it.
  return {
    runName,
    subset,
    repo,
    taskId,
    features,
    pairSize,
    datasetDir,
    logDir,
    backend,
    evaluator,
    testTimeoutSeconds,
    image,
    evalConcurrency: concurrency,
    policy,
  }
}
