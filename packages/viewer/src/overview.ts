import { join } from 'node:path'
import { type PairFolder, readJsonIfPresent, RunFiles, runDir, scanRun } from '@cooperbench/results'
import {
  analysedPairKey,
  buildReport,
  pairsWithUnknownCost,
  readRunAnalysis,
  readRunFingerprints,
  pairKey,
  type StoredAnalysis,
  type ReportSelection,
  type SettingReporters,
  type StoredFingerprint,
  type UnknownCostMemo,
} from '@cooperbench/report'
import type { ViewerData } from './model.js'
import { summarisePair, totalCost, totalTokens } from './pair-summary.js'

import type { SettingName as Setting } from '@cooperbench/spec'
/** One run as read from disk: its pair folders and what its config and summary say. */
export interface LoadedRun {
  name: string
  pairs: PairFolder[]
  interrupted: boolean
  agent: string | null
  model: string | null
  /** Each setting's fingerprint from config.json: which solo and coop runs can be compared. */
  fingerprints: Record<Setting, StoredFingerprint>
  /** Folders of pairs whose cost is unknown (a model without a price). */
  unknownCost: Set<string>
  /** The run's analysis.json (`cooperbench analyze`), when it has a readable one. */
  analysis: StoredAnalysis | null
  /** Why its analysis.json could not be used, when it has one that cannot. */
  analysisProblem: string | null
  /** The resolved settings config.json records (secrets redacted), when it records them. */
  settings: Record<string, unknown> | null
  hasConfig: boolean
  /** config.json's `total_tasks` and the setting it was written for: what the run set out to do. */
  plannedTasks: { setting: Setting; total: number } | null
  /** No summary.json written since config.json's `started_at`: the run is going, or stopped without finishing. */
  unfinished: boolean
}

const AGENTS_WITHOUT_MODEL = new Set(['oracle'])

/** `unknownCost`: what earlier reads found of finished pairs' costs, so that a re-read does not open their trajectories again. */
export async function loadRun(logDir: string, name: string, unknownCost?: UnknownCostMemo): Promise<LoadedRun> {
  const folder = runDir(logDir, name)
  const pairs = await scanRun(folder)
  const summary = await readJsonIfPresent<{ interrupted?: unknown; completed_at?: unknown }>(join(folder, RunFiles.summary))
  const config = await readJsonIfPresent<{
    agent_framework?: unknown
    model?: unknown
    config?: unknown
    setting?: unknown
    total_tasks?: unknown
    started_at?: unknown
  }>(join(folder, RunFiles.config))
  const { analysis, problem } = await readRunAnalysis(folder)
  return {
    name,
    pairs,
    interrupted: summary?.interrupted === true,
    agent: typeof config?.agent_framework === 'string' ? config.agent_framework : null,
    // The oracle applies gold patches: the model its config names (the default) was never called.
    model: typeof config?.model === 'string' && !AGENTS_WITHOUT_MODEL.has(String(config.agent_framework)) ? config.model : null,
    fingerprints: await readRunFingerprints(folder),
    unknownCost: await pairsWithUnknownCost(pairs, unknownCost),
    analysis,
    analysisProblem: problem,
    settings: config !== null && typeof config.config === 'object' && config.config !== null ? (config.config as Record<string, unknown>) : null,
    hasConfig: config !== null,
    plannedTasks: typeof config?.setting === 'string' && typeof config.total_tasks === 'number' ? { setting: config.setting, total: config.total_tasks } : null,
    unfinished: unfinishedRun(config?.started_at, summary?.completed_at, pairs),
  }
}

/** Without config.json (another tool's run): unfinished while a pair lacks a result; with one, until a summary.json newer than its start. */
function unfinishedRun(startedAt: unknown, completedAt: unknown, pairs: PairFolder[]) {
  if (typeof startedAt !== 'string') return pairs.some((p) => p.result === null)
  if (typeof completedAt !== 'string') return true
  return Date.parse(completedAt) < Date.parse(startedAt)
}

/** The run's planned pairs: config.json's total for the setting it last ran, the folders found of the other. */
function plannedPairs(run: LoadedRun) {
  let planned = 0
  for (const setting of new Set([...run.pairs.map((p) => p.setting), ...(run.plannedTasks ? [run.plannedTasks.setting] : [])])) {
    const found = run.pairs.filter((p) => p.setting === setting).length
    planned += run.plannedTasks?.setting === setting ? Math.max(found, run.plannedTasks.total) : found
  }
  return planned
}

/** What the overview and pair list show: figures from core's `buildReport` (as `cooperbench report`), `selection` naming the runs to compare. */
export function viewerData(
  logDir: string,
  runs: LoadedRun[],
  shownLogDir = logDir,
  selection: ReportSelection = {},
  reporters: SettingReporters = {},
): ViewerData {
  const report = buildReport(runs, selection, reporters)
  const pairs = runs.flatMap((run) => {
    const categories = new Map((run.analysis?.pairs ?? []).map((p) => [analysedPairKey(p), p.judgement?.category ?? null]))
    return run.pairs.map((pair) =>
      summarisePair(logDir, run.name, pair, run.unknownCost.has(pair.dir), pair.setting === 'coop' ? (categories.get(pairKey(pair)) ?? null) : null),
    )
  })
  const tokens = report.settings.map((row) => ({
    run: row.runs[0]!,
    setting: row.setting,
    pairSize: row.pairSize,
    tokens: totalTokens(
      pairs.filter((p) => p.run === row.runs[0] && p.setting === row.setting && p.features.length === row.pairSize && p.state === 'finished'),
    ),
  }))
  const overviews = runs.map((run) => {
    const mine = pairs.filter((p) => p.run === run.name)
    return {
      name: run.name,
      settings: [...new Set(mine.map((p) => p.setting))].sort(),
      agent: run.agent,
      model: run.model,
      pairs: mine.length,
      finished: mine.filter((p) => p.state === 'finished').length,
      running: mine.filter((p) => p.state === 'running').length,
      unreadable: mine.filter((p) => p.state === 'unreadable').length,
      planned: plannedPairs(run),
      unfinished: run.unfinished && !run.interrupted,
      interrupted: run.interrupted,
      cost: totalCost(mine),
      costUnknownPairs: mine.filter((p) => p.costUnknown).length,
      tokens: totalTokens(mine),
      configuration: run.hasConfig ? { fingerprints: run.fingerprints, settings: run.settings } : null,
    }
  })
  return {
    readAt: new Date().toISOString(),
    logDir: shownLogDir,
    runs: overviews,
    report,
    tokens,
    pairs,
    problems: runs.flatMap((run) => [...run.pairs.flatMap((p) => p.unreadable), ...(run.analysisProblem ? [run.analysisProblem] : [])]),
  }
}
