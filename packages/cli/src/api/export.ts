import { resolve } from 'node:path'
import { type ExportResult, type ExportRunsOptions, exportRuns } from '@cooperbench/report'
import { logDirOf } from './log-dir.js'

export interface ExportOptions extends Omit<ExportRunsOptions, 'logDir' | 'outDir'> {
  /** Where the files go; default `./export/<format>` in `cwd`. */
  outDir?: string
  logDir?: string
  cwd?: string
}

/** `cooperbench export` (`@cooperbench/report`'s `exportRuns`): finished runs' trajectories as ATIF-v1.7 or a chat SFT file, filtered for distilling. */
export async function exportRun(options: ExportOptions): Promise<ExportResult> {
  const cwd = options.cwd ?? process.cwd()
  const outDir = resolve(cwd, options.outDir ?? `export/${options.format}`)
  return exportRuns({ ...options, outDir, logDir: await logDirOf(options), ...(options.datasetDir ? { datasetDir: resolve(cwd, options.datasetDir) } : {}) })
}
