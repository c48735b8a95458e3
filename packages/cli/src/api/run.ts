import type { Config } from '@oclif/core'
import { resolveLayeredConfig } from '@cooperbench/config'
import { selectFromConfig, settlePairSize } from '@cooperbench/dataset'
import { runDir } from '@cooperbench/results'
import { planRun, runBenchmark } from '@cooperbench/core/runner'
import { dirname, resolve } from 'node:path'
import { withBusUrlSource } from './bus-url-source.js'
import { runEventsFor, safeEmitter } from './events.js'
import { eventLogger, type Host, openHost } from './host.js'
import { type RunOptions, runOptionsToConfig } from './options.js'
import { type RunResult, runResultOf } from './outcome.js'
import { summaryPairFolders, unknownCostLabels } from './summary-pairs.js'

/** What a script's options are called in errors. */
const RUN_OPTIONS = 'the options given to run()'

/** What the CLI passes besides a script's options. */
export interface RunInternals {
  /** The CLI's loaded oclif configuration (a script's run loads its own). */
  oclifConfig?: Config
  /** The plugins as the CLI loaded them to read the settings' flags (loaded here when absent). */
  host?: Host
  /** Set by the CLI: the settings given are its flags, which hints name as flags (`--redis`), not as options of run(). */
  commandLine?: boolean
  /** Called once the run is planned, before any sandbox starts. */
  onStart?(info: { runName: string; folder: string; pairs: number; setting: string; agent: string; backend: string }): void
  /** Called with what the run did when its summary files could not be written, before `run()` throws that error. */
  onUnwritten?(result: RunResult): Promise<void> | void
}

/**
 * Runs agents on the selected pairs and, by default, evaluates each as it finishes: `cooperbench run` as a library, with the same
 * configuration layers (defaults < config file < environment < these options), plugins, files and resume rules.
 *
 * ```ts
 * import { run } from 'cooperbench'
 * const result = await run({ subset: 'demo', agent: 'oracle', setting: 'solo' })
 * console.log(result.passRate)
 * ```
 *
 * Throws a `CooperbenchError` (`code`, `hint`) for bad settings, a missing dataset, an unreachable backend, a run folder holding
 * another configuration's results or in use, or unwritable summary files (FILESYSTEM, after every sandbox is gone). When nothing
 * matches the filters it returns at once with no pairs and writes nothing.
 */
export async function run(options: RunOptions = {}, internals: RunInternals = {}): Promise<RunResult> {
  const cwd = resolve(options.cwd ?? process.cwd())
  const emit = safeEmitter(options.onEvent)
  const logger = options.logger ?? eventLogger(options.onEvent ? emit : undefined)
  // From the CLI the options are its flags: a bad value is named by its flag (`-n/--name`), not as an option of run().
  const optionsSource = internals.commandLine ? undefined : RUN_OPTIONS
  const settings = await settlePairSize(await resolveLayeredConfig(runOptionsToConfig(options), options.config, cwd, optionsSource, options.signal))
  const { config, file } = settings
  const host =
    internals.host ?? (await openHost(config, { plugins: options.plugins, logger, baseDir: file ? dirname(file) : cwd, oclifConfig: internals.oclifConfig }))
  host.registry.get('setting', config.setting)
  host.registry.get('agent', config.agent)
  host.registry.get('backend', config.backend)
  const { pairs, subsetMissing } = await selectFromConfig(config, (message) => logger.warn(message))
  if (pairs.length === 0)
    return runResultOf(null, config.runName ? runDir(config.logDir, config.runName) : config.logDir, config.runName ?? '', config.setting, false)
  const plan = await planRun(host.registry, settings, options.force ?? false)
  const folder = runDir(plan.logDir, plan.runName)
  internals.onStart?.({ runName: plan.runName, folder, pairs: pairs.length, setting: config.setting, agent: config.agent, backend: config.backend })
  const outcome = await runBenchmark({
    plan,
    pairs,
    subsetMissing,
    registry: host.registry,
    scope: host.scope,
    logger,
    events: runEventsFor(plan.runName, plan.setting, emit),
    signal: options.signal ?? new AbortController().signal,
  }).catch((error: unknown) => {
    throw withBusUrlSource(error, host.registry.find('bus', plan.bus)?.name ?? plan.bus, settings, optionsSource)
  })
  const unknownCost = await unknownCostLabels(await summaryPairFolders(folder, outcome.summary))
  const result = runResultOf(outcome.summary, folder, plan.runName, config.setting, outcome.interrupted, unknownCost)
  if (outcome.unwritten !== undefined) {
    await internals.onUnwritten?.(result)
    throw outcome.unwritten
  }
  return result
}
