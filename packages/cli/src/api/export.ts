import { dirname, resolve } from 'node:path'
import { resolveLayeredConfig } from '@cooperbench/config'
import { type ExportResult, type ExportRunsOptions, exportRuns } from '@cooperbench/report'
import { eventLogger, openHost, settingReporters } from './host.js'
import type { HostOptions } from './options.js'

export interface ExportOptions extends Omit<ExportRunsOptions, 'logDir' | 'outDir' | 'reporters'>, Pick<HostOptions, 'config' | 'plugins' | 'logger'> {
  /** Where the files go; default `./export/<format>` in `cwd`. */
  outDir?: string
  logDir?: string
  cwd?: string
}

/**
 * `cooperbench export` (`@cooperbench/report`'s `exportRuns`): finished runs' trajectories as ATIF-v1.7 or a chat SFT file, filtered
 * for distilling; plugins load as for `run`, so each installed setting adds its agents' events and roles.
 */
export async function exportRun(options: ExportOptions): Promise<ExportResult> {
  const cwd = resolve(options.cwd ?? process.cwd())
  const { config, file } = await resolveLayeredConfig({}, options.config, cwd)
  const logger = options.logger ?? eventLogger(undefined)
  const host = await openHost(config, { plugins: options.plugins, logger, baseDir: file ? dirname(file) : cwd })
  const outDir = resolve(cwd, options.outDir ?? `export/${options.format}`)
  const logDir = options.logDir !== undefined ? resolve(cwd, options.logDir) : config.logDir
  const datasetDir = options.datasetDir ? { datasetDir: resolve(cwd, options.datasetDir) } : {}
  return exportRuns({ ...options, outDir, logDir, ...datasetDir, reporters: settingReporters(host.registry) })
}
