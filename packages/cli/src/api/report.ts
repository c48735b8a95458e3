import type { Config } from '@oclif/core'
import { resolveLayeredConfig } from '@cooperbench/config'
import { type RunReport, reportRuns } from '@cooperbench/report'
import { dirname, resolve } from 'node:path'
import { eventLogger, openHost, settingReporters } from './host.js'
import type { ReportOptions } from './options.js'

/** `cooperbench report` as a library (`reportRuns`, with installed settings' sections: plugins load as for `run`); only reads, but `writeEvalSummary`. */
export async function report(options: ReportOptions, internals: { oclifConfig?: Config } = {}): Promise<RunReport> {
  const cwd = resolve(options.cwd ?? process.cwd())
  const { config, file } = await resolveLayeredConfig({}, options.config, cwd)
  const logger = options.logger ?? eventLogger(undefined)
  const host = await openHost(config, { plugins: options.plugins, logger, baseDir: file ? dirname(file) : cwd, oclifConfig: internals.oclifConfig })
  const logDir = options.logDir !== undefined ? resolve(cwd, options.logDir) : config.logDir
  return reportRuns({ ...options, logDir, reporters: settingReporters(host.registry) })
}
