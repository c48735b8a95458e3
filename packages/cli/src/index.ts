/**
 * cooperbench as a library: `run()`, `evaluate()`, `report()`, `exportRun()`, `bundleRuns()`, `verifyBundle()`, `buildLeaderboardSite()` do what
 * commands `run`, `eval`, `report`, `export`, `bundle`, `verify`, `leaderboard` do, with the same configuration files, plugins and run folders.
 */
export { run } from './api/run.js'
export { evaluate } from './api/evaluate.js'
export { report } from './api/report.js'
export { analyze, type AnalyzeOptions } from './api/analyze.js'
export { exportRun, type ExportOptions } from './api/export.js'
export { bundleRuns, type BundleOptions } from './api/bundle.js'
export { verifyBundle, type VerifyOptions, type VerifyResult } from './api/verify.js'
export type { RerunEvidence, RerunPair } from './api/rerun/rerun-evidence.js'
export { buildLeaderboardSite, type LeaderboardOptions, type LeaderboardResult } from './api/leaderboard.js'
export type { CooperbenchEvent, PairRef } from './api/events.js'
export type { EvaluateOptions, HostOptions, ReportOptions, RunOptions, SelectionOptions } from './api/options.js'
export type { EvaluateResult, PassRate, RunPairOutcome, RunResult } from './api/outcome.js'
export { CooperbenchError, isCooperbenchError } from '@cooperbench/core'
export { defineConfig } from '@cooperbench/config'
export type { EvalRecord, ResultRecord, Setting } from '@cooperbench/core'
export type { CooperbenchConfig } from '@cooperbench/config'
export type { EvalSummaryRecord, RunSummaryRecord } from '@cooperbench/results'
export type {
  AnalysisRecord,
  AtifTrajectory,
  Category,
  ExportFilter,
  ExportResult,
  Judgement,
  PairAnalysis,
  PairSignals,
  RunReport,
  SftRow,
} from '@cooperbench/report'
