import type { Config } from '@oclif/core'
import { type Logger } from '@cooperbench/core'
import { type ConfigFlags } from '@cooperbench/core/config'
import { parseFeatureList } from '@cooperbench/core/dataset'
import { dirname } from 'node:path'
import { type Host, openHost } from './api/host.js'
import { type SelectionOptions, selectionToConfig } from './api/options.js'
import { resolveSettings, type ResolvedSettings } from './api/settings.js'

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

/** What a command works with: the plugins, the process scope and the logger (the library's {@link Host}). */
export type CommandServices = Host

/**
 * A command's host, opened by the library's {@link openHost} with the CLI's own oclif
 * configuration; npm plugins of the config file resolve from the config file's folder.
 */
export function createServices(oclif: Config, settings: Pick<ResolvedSettings, 'config' | 'file'>, verbose: boolean): Promise<CommandServices> {
  return openHost(settings.config, { logger: createLogger(verbose), baseDir: settings.file ? dirname(settings.file) : process.cwd(), oclifConfig: oclif })
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
