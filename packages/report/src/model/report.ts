import type { StoredAnalysis } from '../readers/run-analysis.js'
import { buildAblations } from './ablation.js'
import { compareSettings } from './comparisons.js'
import type { Deficit } from './deficit.js'
import { buildLeaderboard } from './leaderboard.js'
import { mixedConfigurationNotes } from './configuration-notes.js'
import { ownPolicy, policyNotes } from './policy-rates.js'
import type { ReportRun, ReportSelection, RunAnalysisReport, RunReport, SettingReport, SettingReporters } from './report-types.js'
import { settingRows } from './setting-rows.js'
import { settingSections } from './setting-sections.js'

export type * from './report-types.js'

/** Everything `cooperbench report` prints, from one or more runs' pair folders; `reporters`: installed settings' variants and sections. */
export function buildReport(allRuns: ReportRun[], selection: ReportSelection = {}, reporters: SettingReporters = {}): RunReport {
  // An unreadable result.json or eval.json is named and counted nowhere else: failed, unevaluated or running would be a guess.
  const unreadable = allRuns.flatMap(unreadableFiles)
  const runs = allRuns.map((run) => ({ ...run, pairs: run.pairs.filter((p) => p.unreadable.length === 0) }))
  const settings = settingRows(runs, reporters)
  const rowPairs = (row: SettingReport) => {
    const run = runs.find((r) => r.name === row.runs[0])!
    const pairs = run.pairs.filter((p) => p.setting === row.setting && p.features.length === row.pairSize)
    return { run: run.name, pairSize: row.pairSize, pairs, fingerprint: run.fingerprints?.[row.setting] ?? null }
  }
  const { deficits, refused } = compareSettings(settings, rowPairs, selection)
  const analysisOf = (name: string) => runs.find((r) => r.name === name)!.analysis ?? null
  const coops = settings.filter((row) => row.setting === 'coop').map(rowPairs)
  const { ablations, refused: refusedAblations } = buildAblations(coops.map((side) => ({ ...side, analysis: analysisOf(side.run) })))
  const multi = settings.filter((row) => row.setting !== 'solo')
  return {
    settings,
    unreadable,
    deficit: headlineDeficit(deficits),
    deficits,
    refused,
    analyses: runs.flatMap((run) => (run.analysis ? [analysisReport(run, run.analysis)] : [])),
    ablations,
    refusedAblations,
    settingSections: settingSections(settings, rowPairs, reporters),
    policyNotes: [
      ...policyNotes(multi.map((row) => ({ run: `${row.runs.join(', ')}${row.setting === 'coop' ? '' : ` (${row.setting})`}`, policies: row.policies }))),
      ...mixedConfigurationNotes(runs),
    ],
    leaderboard: buildLeaderboard(
      deficits,
      multi.map((row) => ({
        ...row,
        name: row.runs[0]!,
        coopFingerprint: rowPairs(row).fingerprint,
        policy: ownPolicy(row.policies),
        // analysis.json judges coop pairs only.
        analysis: row.setting === 'coop' ? judgedCategories(analysisOf(row.runs[0]!)) : null,
      })),
    ),
  }
}

const judgedCategories = (a: StoredAnalysis | null) => (a ? { judged: a.judged, categories: a.categories } : null)

/** Every file of a run's pair folders that cannot be read, its re-scores' verdicts included, each once. */
function unreadableFiles(run: ReportRun): RunReport['unreadable'] {
  const found = new Map<string, RunReport['unreadable'][number]>()
  for (const p of [run.pairs, ...Object.values(run.rescored ?? {})].flat())
    for (const problem of p.unreadable) if (!found.has(problem)) found.set(problem, { run: run.name, dir: p.dir, problem })
  return [...found.values()]
}

/** Solo × coop first (the paper's deficit), smaller pairs first; a solo × team deficit only when there is no coop one. */
function headlineDeficit(deficits: Deficit[]): Deficit | null {
  const coop = deficits.filter((d) => d.setting === 'coop')
  return coop.find((d) => d.pairSize === 2) ?? coop[0] ?? deficits.find((d) => d.pairSize === 2) ?? deficits[0] ?? null
}

function analysisReport(run: ReportRun, analysis: StoredAnalysis): RunAnalysisReport {
  return {
    run: run.name,
    analyzedAt: analysis.analyzedAt,
    judge: analysis.judge,
    pairsAnalyzed: analysis.pairs.length,
    coopPairs: run.pairs.filter((p) => p.setting === 'coop' && p.result).length,
    failed: analysis.failed,
    judged: analysis.judged,
    categories: analysis.categories,
    signals: analysis.signals,
  }
}
