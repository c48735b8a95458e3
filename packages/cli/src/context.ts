import type { Config } from '@oclif/core'
import type { Logger } from '@cooperbench/core'
import { type ConfigFlags, resolveSettings, type ResolvedSettings } from '@cooperbench/core/config'
import { parseFeatureList, settleTeamSize } from '@cooperbench/dataset'
import { dirname } from 'node:path'
import { type Host, openHost } from './api/host.js'
import type { SelectionOptions } from './api/options.js'

export interface FilterFlagValues {
  subset?: string
  repo?: string
  task?: number
  features?: string
  agents?: number
}

/** Filter flags as `run()`/`evaluate()` options and config keys; `undefined` = not given, so lower layers keep their value. */
export function filterFlagsToOptions(flags: FilterFlagValues): SelectionOptions {
  return {
    subset: flags.subset,
    repo: flags.repo,
    taskId: flags.task,
    features: flags.features === undefined ? undefined : parseFeatureList(flags.features),
    teamSize: flags.agents,
  }
}

/**
 * A command's settings (defaults < file (`--config`, else searched) < env < flags) and what it works with (the plugins,
 * the process scope and the logger): its host, opened by the library's {@link openHost} with the CLI's own oclif
 * configuration; npm plugins of the config file resolve from the config file's folder.
 */
export async function openCommandHost(
  oclif: Config,
  flags: ConfigFlags,
  configPath: string | undefined,
  verbose: boolean,
): Promise<ResolvedSettings & { services: Host }> {
  const settings = await settleTeamSize(await resolveSettings(flags, configPath))
  const baseDir = settings.file ? dirname(settings.file) : process.cwd()
  return { ...settings, services: await openHost(settings.config, { logger: createLogger(verbose), baseDir, oclifConfig: oclif }) }
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
