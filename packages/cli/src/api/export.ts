import { resolve } from 'node:path'
import { type ExportResult, type ExportRunsOptions, exportRuns } from '@cooperbench/report'
import { runsReading } from './host.js'
import type { HostOptions } from './options.js'
import { checkWritableFolder } from './output-target.js'

export interface ExportOptions extends Omit<ExportRunsOptions, 'logDir' | 'outDir' | 'reporters'>, Pick<HostOptions, 'cwd' | 'config' | 'plugins' | 'logger'> {
  /** Where the files go; default `./export/<format>` in `cwd`. */
  outDir?: string
  logDir?: string
}

/**
 * `cooperbench export` (`@cooperbench/report`'s `exportRuns`): finished runs' trajectories as ATIF-v1.7 or a chat SFT file, filtered
 * for distilling; plugins load as for `run`, so each installed setting adds its agents' events and roles.
 */
export async function exportRun(options: ExportOptions): Promise<ExportResult> {
  const cwd = resolve(options.cwd ?? process.cwd())
  const outDir = resolve(cwd, options.outDir ?? `export/${options.format}`)
  await checkWritableFolder(outDir, '--out')
  const datasetDir = options.datasetDir ? { datasetDir: resolve(cwd, options.datasetDir) } : {}
  return exportRuns({ ...options, outDir, ...datasetDir, ...(await runsReading(options, cwd)) })
}
