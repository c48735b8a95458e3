import type { Config } from '@oclif/core'
import { type RunReport, reportRuns } from '@cooperbench/report'
import { resolve } from 'node:path'
import { runsReading } from './host.js'
import type { ReportOptions } from './options.js'

/** `cooperbench report` as a library (`reportRuns`, with installed settings' sections: plugins load as for `run`); only reads, but `writeEvalSummary`. */
export async function report(options: ReportOptions, internals: { oclifConfig?: Config } = {}): Promise<RunReport> {
  const cwd = resolve(options.cwd ?? process.cwd())
  return reportRuns({ ...options, ...(await runsReading(options, cwd, internals.oclifConfig)) })
}
