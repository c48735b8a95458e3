import { stat } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { CooperbenchError } from '@cooperbench/core'
import { resolveLayeredConfig } from '@cooperbench/config'
import { readJsonIfPresent, RunFiles, runDir } from '@cooperbench/results'
import { loadDataset } from '@cooperbench/dataset'
import { signingKey, writeBundle } from '@cooperbench/report'
import { packageVersion } from '@cooperbench/spec-utils'
import { requireFinishedRun } from './finished-run.js'
import { readKeyFile } from './key-file.js'
import type { HostOptions } from './options.js'
import { checkWritableFolder } from './output-target.js'

export interface BundleOptions extends Pick<HostOptions, 'cwd' | 'config'> {
  runNames: string[]
  /** The archive to write; default `<first run>.bundle.tar.gz` in `cwd`. */
  out?: string
  /** Add each agent's trajectory (larger; lets a reader see how each patch was made). */
  trajectories?: boolean
  logDir?: string
  /** The dataset the runs were made with; default the first run's (config.json), else the configured one. */
  datasetDir?: string
  /** An Ed25519 private key (PEM file): bundle.sig then holds its signature over bundle.json. */
  sign?: string
}

/**
 * `cooperbench bundle`: report's `writeBundle` (a `.tar.gz` of finished runs that `verifyBundle`
 * checks), signed with `sign`'s key.
 */
export async function bundleRuns(options: BundleOptions): Promise<{ file: string; pairs: number; tasks: number }> {
  if (!options.runNames?.length) throw new CooperbenchError('USAGE', 'name the runs to bundle', { hint: 'e.g. bundle -n solo-run -n coop-run' })
  const cwd = resolve(options.cwd ?? process.cwd())
  const key = options.sign === undefined ? undefined : signingKey(await readKeyFile(resolve(cwd, options.sign)), options.sign)
  const { config } = await resolveLayeredConfig({}, options.config, cwd)
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
  return writeBundle({
    logDir,
    runNames: options.runNames,
    file: archive,
    trajectories: options.trajectories ?? false,
    taskDir: (repo, taskId) => dataset.tasks.find((t) => t.repo === repo && t.taskId === taskId)?.dir ?? null,
    cooperbenchVersion: packageVersion(import.meta.url),
    datasetDir,
    signingKey: key,
  })
}
