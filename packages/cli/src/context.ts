import type { Config, Interfaces } from '@oclif/core'
import type { Logger } from '@cooperbench/core'
import { type ConfigFlags, resolveLayeredConfig, type LayeredConfig } from '@cooperbench/config'
import { parseFeatureList, selectIn, settlePairSize } from '@cooperbench/dataset'
import { dirname, resolve } from 'node:path'
import { type Host, type OpenHostOptions, openHost } from './api/host.js'
import type { SelectionOptions } from './api/options.js'
import type { filterFlags } from './flags.js'

type FilterFlagValues = Partial<Interfaces.InferredFlags<typeof filterFlags>> & { 'dataset-dir'?: string }

/** Filter flags and --dataset-dir as `run()`/`evaluate()` options; `undefined` = not given, so lower layers keep their value. */
export function filterFlagsToOptions(flags: FilterFlagValues): SelectionOptions {
  return {
    subset: flags.subset,
    repo: flags.repo,
    taskId: flags.task,
    features: flags.features === undefined ? undefined : parseFeatureList(flags.features),
    pairSize: flags.agents,
    datasetDir: flags['dataset-dir'],
  }
}

/** Dataset commands read only the dataset (--dataset-dir, default `./dataset`; no config file), so they work anywhere a dataset is. */
export function selectForDatasetCommand(flags: FilterFlagValues, warn: (message: string) => void) {
  return selectIn(resolve(flags['dataset-dir'] ?? 'dataset'), filterFlagsToOptions(flags), warn)
}

/**
 * A command's settings (defaults < file (`--config` or searched) < env < flags) and host ({@link openHost}, the CLI's oclif config; config-file
 * npm plugins resolve from its folder). Logger: `host.logger`, else stderr; `host.reportFailures: false`: the command shows `registry.failures`.
 */
export async function openCommandHost(
  oclif: Config,
  flags: ConfigFlags,
  configPath: string | undefined,
  verbose: boolean,
  { signal, ...host }: Partial<Pick<OpenHostOptions, 'logger' | 'reportFailures'>> & { signal?: AbortSignal } = {},
): Promise<LayeredConfig & { services: Host }> {
  const settings = await settlePairSize(await resolveLayeredConfig(flags, configPath, process.cwd(), undefined, signal))
  const baseDir = settings.file ? dirname(settings.file) : process.cwd()
  return { ...settings, services: await openHost(settings.config, { logger: createLogger(verbose), ...host, baseDir, oclifConfig: oclif }) }
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
