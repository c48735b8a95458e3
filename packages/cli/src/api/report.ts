import { CooperbenchError } from '@cooperbench/core'
import { buildEvalSummary, buildReport, readJsonIfPresent, RunFiles, type RunReport, runDir, scanRun, writeJsonAtomic } from '@cooperbench/core/results'
import { join, resolve } from 'node:path'
import type { ReportOptions } from './options.js'
import { resolveSettings } from './settings.js'

/**
 * Pass rates with 95% intervals per setting and repository, merge outcomes and, with a solo and
 * a coop run, the coordination deficit (solo − coop, Newcombe's interval): the library form of
 * `cooperbench report`. Reads the run folders only, and rewrites each run's eval_summary.json.
 */
export async function report(options: ReportOptions): Promise<RunReport> {
  const cwd = options.cwd ?? process.cwd()
  // Without a log dir, the one `run` and `eval` use: the config file's, COOPERBENCH_LOG_DIR, else ./logs.
  const logDir = options.logDir !== undefined ? resolve(cwd, options.logDir) : (await resolveSettings({}, undefined, cwd)).config.logDir
  if (!options?.runNames?.length) {
    throw new CooperbenchError('USAGE', 'report() needs at least one run name (runNames)', { hint: 'e.g. report({ runNames: ["solo-run", "coop-run"] })' })
  }
  const runs = []
  for (const name of options.runNames) {
    const folder = runDir(logDir, name)
    const pairs = await scanRun(folder)
    if (pairs.length === 0) {
      throw new CooperbenchError('RUN_NOT_FOUND', `no results found for run "${name}" in ${folder}`, {
        hint: `Check the name and the log dir; runs are the folders of ${logDir}.`,
      })
    }
    await writeJsonAtomic(join(folder, RunFiles.evalSummary), buildEvalSummary(name, pairs))
    const summary = await readJsonIfPresent<{ interrupted?: unknown }>(join(folder, RunFiles.summary)).catch(() => null)
    runs.push({ name, pairs, interrupted: summary?.interrupted === true })
  }
  return buildReport(runs)
}
