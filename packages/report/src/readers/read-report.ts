import { join } from 'node:path'
import { buildEvalSummary, type PairFolder, PairFiles, readJsonIfPresent, RunFiles, runDir, scanRun, writeJsonAtomic } from '@cooperbench/results'
import { CooperbenchError, type EvaluationPolicy, EVALUATION_POLICIES, type SettingName as Setting } from '@cooperbench/spec'
import { buildReport, type ReportRun, type RunReport, type SettingReporters } from '../model/report.js'
import { readRunAnalysis } from './run-analysis.js'
import { readRunFingerprints } from './run-fingerprints.js'
import { pairsWithUnknownCost } from './unknown-cost.js'

/** The runs to report, in a log dir already resolved (the CLI's `report()` finds the default one). */
export interface ReportRunsOptions {
  /** The folder holding the run folders. */
  logDir: string
  runNames: string[]
  /** Compare only this solo run with `coop` (both or neither); runs whose fingerprints differ are refused. */
  solo?: string
  coop?: string
  /** Rewrite each run's eval_summary.json from its pair folders (off: the report only reads). */
  writeEvalSummary?: boolean
  /** The installed settings' parts of the report (their rows' variants and own sections), by setting. */
  reporters?: SettingReporters
}

/** The named runs' `RunReport`, from their folders only; rewrites each eval_summary.json with `writeEvalSummary`. */
export async function reportRuns(options: ReportRunsOptions): Promise<RunReport> {
  const { logDir } = options
  // Runs named by solo/coop are read too, without repeating them in runNames.
  const runNames = [...new Set([...(options.runNames ?? []), ...[options.solo, options.coop].filter((n) => n !== undefined)])]
  if (runNames.length === 0) {
    throw new CooperbenchError('USAGE', 'report() needs at least one run name (runNames)', { hint: 'e.g. report({ runNames: ["solo-run", "coop-run"] })' })
  }
  const runs = []
  for (const name of runNames) {
    const folder = runDir(logDir, name)
    const pairs = await scanRun(folder)
    if (pairs.length === 0) {
      throw new CooperbenchError('RUN_NOT_FOUND', `no results found for run "${name}" in ${folder}`, {
        hint: `Check the name and the log dir; runs are the folders of ${logDir}.`,
      })
    }
    if (options.writeEvalSummary) await writeJsonAtomic(join(folder, RunFiles.evalSummary), buildEvalSummary(name, pairs))
    const summary = await readJsonIfPresent<StoredSummary>(join(folder, RunFiles.summary)).catch(() => null)
    const { analysis, problem } = await readRunAnalysis(folder)
    if (problem !== null) {
      throw new CooperbenchError('FILESYSTEM', problem, { hint: `Rewrite it with \`cooperbench analyze -n ${name} --force\`, or remove it.` })
    }
    runs.push({
      name,
      pairs,
      interrupted: summary?.interrupted === true,
      ...subsetMissingOf(summary),
      fingerprints: await readRunFingerprints(folder),
      unknownCost: await pairsWithUnknownCost(pairs),
      analysis,
      rescored: await readRescores(folder),
    })
  }
  return buildReport(runs, { solo: options.solo, coop: options.coop }, options.reporters)
}

/** What the report reads of a run's summary.json (its last invocation). */
interface StoredSummary {
  interrupted?: unknown
  setting?: unknown
  subset_entries_missing?: unknown
}

/** summary.json's subset entries the dataset lacked, with its setting; nothing when it names none (or is not of that shape). */
function subsetMissingOf(summary: StoredSummary | null): Pick<ReportRun, 'subsetMissing'> {
  const entries = summary?.subset_entries_missing
  const setting = summary?.setting
  if (!Array.isArray(entries) || entries.length === 0 || typeof setting !== 'string' || setting === '') return {}
  return { subsetMissing: { setting: setting as Setting, entries: entries.filter((e) => typeof e === 'string') } }
}

/** The verdicts of every `eval --policy` re-score of a run (`eval.<policy>.json`), by policy; policies without such a file are left out. */
async function readRescores(folder: string) {
  const found: Partial<Record<EvaluationPolicy, PairFolder[]>> = {}
  for (const policy of EVALUATION_POLICIES) {
    const pairs = await scanRun(folder, PairFiles.evalUnder(policy))
    // A re-score whose files cannot be read is kept too: the report names them.
    if (pairs.some((p) => p.eval !== null || p.unreadable.length > 0)) found[policy] = pairs
  }
  return found
}
