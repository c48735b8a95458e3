import type { Config } from '@oclif/core'
import { type Logger, type PluginRegistry } from '@cooperbench/core'
import { type ConfigFlags } from '@cooperbench/core/config'
import { parseFeatureList } from '@cooperbench/core/dataset'
import { createRootScope, type Scope } from '@cooperbench/core/plugins'
import { type SelectionOptions, selectionToConfig } from './api/options.js'
import { resolveSettings, type ResolvedSettings } from './api/settings.js'
import { describeFailure, loadRegistry } from './plugins.js'

export { backendOptionsFor, readAgentConfig, selectFromConfig, selectIn } from './api/settings.js'

export interface FilterFlagValues {
  subset?: string
  repo?: string
  task?: number
  features?: string
  agents?: number
}

/** Flags to config keys; `undefined` = not given, so lower layers keep their value. */
export function filterFlagsToConfig(flags: FilterFlagValues): ConfigFlags {
  return selectionToConfig(filterFlagsToOptions(flags))
}

/** Filter flags as `run()`/`evaluate()` options. */
export function filterFlagsToOptions(flags: FilterFlagValues): SelectionOptions {
  return {
    subset: flags.subset,
    repo: flags.repo,
    taskId: flags.task,
    features: flags.features === undefined ? undefined : parseFeatureList(flags.features),
    teamSize: flags.agents,
  }
}

/** A command's configuration: defaults < file (`--config`, else searched) < env < flags. */
export function resolveCommandConfig(flags: ConfigFlags, configPath: string | undefined): Promise<ResolvedSettings> {
  return resolveSettings(flags, configPath)
}

export interface CommandServices {
  registry: PluginRegistry
  scope: Scope
  logger: Logger
}

export async function createServices(oclif: Config, config: { plugins: string[] }, verbose: boolean): Promise<CommandServices> {
  const logger = createLogger(verbose)
  const registry = await loadRegistry(oclif, config.plugins)
  for (const failure of registry.failures) {
    const { label, reason } = describeFailure(failure)
    logger.warn(`plugin ${label} failed to load and was skipped: ${reason}`)
  }
  return { registry, scope: createRootScope({ registry, logger }), logger }
}

/** A logger writing lines to stderr, or through `writeLine` (e.g. above a live progress line). */
export function createLogger(verbose: boolean, writeLine: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Logger {
  const write = (prefix: string) => (message: string) => writeLine(`${prefix}${message}`)
  return {
    debug: verbose ? write('debug: ') : () => {},
    info: write(''),
    warn: write('warning: '),
    error: write('error: '),
  }
}
