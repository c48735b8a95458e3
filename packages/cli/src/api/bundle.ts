import { stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { CooperbenchError, type PluginKind } from '@cooperbench/core'
import { resolveLayeredConfig } from '@cooperbench/config'
import { readJsonIfPresent, RunFiles, runDir } from '@cooperbench/results'
import { loadDataset } from '@cooperbench/dataset'
import { type BundleManifest, writeBundle } from '@cooperbench/report'
import { packageVersion } from '@cooperbench/spec-utils'
import { registeredRows } from '../plugins.js'
import { requireFinishedRun } from './finished-run.js'
import { eventLogger, openHost } from './host.js'
import type { HostOptions } from './options.js'
import { checkWritableFolder } from './output-target.js'

export interface BundleOptions extends Pick<HostOptions, 'cwd' | 'config' | 'plugins'> {
  runNames: string[]
  /** The archive to write; default `<first run>.bundle.tar.gz` in `cwd`. */
  out?: string
  /** Add each agent's trajectory (larger; lets a reader see how each patch was made). */
  trajectories?: boolean
  logDir?: string
  /** The dataset the runs were made with; default the first run's (config.json), else the configured one. */
  datasetDir?: string
}

/** The plugin kinds config.json names (by the kind as its key). */
const KINDS: PluginKind[] = ['agent', 'backend', 'bus', 'evaluator']

/** `cooperbench bundle`: report's `writeBundle` (a `.tar.gz` of finished runs that `verifyBundle` checks), with plugin versions from the registry. */
export async function bundleRuns(options: BundleOptions): Promise<{ file: string; pairs: number; tasks: number }> {
  if (!options.runNames?.length) throw new CooperbenchError('USAGE', 'name the runs to bundle', { hint: 'e.g. bundle -n solo-run -n coop-run' })
  const cwd = resolve(options.cwd ?? process.cwd())
  const { config, file } = await resolveLayeredConfig({}, options.config, cwd)
  const logDir = options.logDir ? resolve(cwd, options.logDir) : config.logDir
  const archive = resolve(cwd, options.out ?? `${options.runNames[0]}.bundle.tar.gz`)
  // Refused before any work, leaving nothing behind: a folder for the archive, a place it cannot be written, an unfinished run.
  if ((await stat(archive).catch(() => null))?.isDirectory()) {
    throw new CooperbenchError('USAGE', `${archive} is a folder: -o names the archive to write`, {
      hint: `Give -o a file name, e.g. -o ${join(archive, `${options.runNames[0]}.bundle.tar.gz`)}`,
    })
  }
  await checkWritableFolder(dirname(archive), '-o/--output', archive)
  for (const run of options.runNames) await requireFinishedRun(logDir, run)
  const stored = await Promise.all(
    options.runNames.map((run) => readJsonIfPresent<{ config?: Record<string, unknown> }>(join(runDir(logDir, run), RunFiles.config))),
  )
  const recordedDataset = stored.map((s) => s?.config?.['datasetDir']).find((dir) => typeof dir === 'string')
  const datasetDir = options.datasetDir ? resolve(cwd, options.datasetDir) : (recordedDataset ?? config.datasetDir)
  const dataset = await loadDataset(datasetDir)
  const host = await openHost(config, {
    plugins: options.plugins,
    logger: eventLogger(undefined),
    baseDir: file ? resolve(file, '..') : cwd,
    reportFailures: false,
  })
  // The plugins that served the runs, by the names their config.json records.
  const plugins: BundleManifest['plugins'] = []
  for (const kind of KINDS) {
    const names = new Set(stored.map((s) => s?.config?.[kind]).filter((name) => typeof name === 'string'))
    for (const row of registeredRows(host.registry, kind)) {
      if (names.has(row.name) || row.aliases?.some((alias) => names.has(alias)))
        plugins.push({ kind, name: row.name, plugin: row.plugin, version: row.version })
    }
  }
  return writeBundle({
    logDir,
    runNames: options.runNames,
    file: archive,
    trajectories: options.trajectories ?? false,
    taskDir: (repo, taskId) => dataset.tasks.find((t) => t.repo === repo && t.taskId === taskId)?.dir ?? null,
    plugins,
    cooperbenchVersion: packageVersion(import.meta.url),
    datasetDir,
  })
}
