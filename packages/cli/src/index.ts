/**
 * cooperbench as a library: `run()`, `evaluate()` and `report()` do what the commands of the
 * same names do, with the same configuration files, plugins and run folders.
 */
export { analyze, evaluate, report, run } from './api/index.js'
export type {
  AnalyzeOptions,
  CooperbenchEvent,
  EvaluateOptions,
  EvaluateResult,
  HostOptions,
  PairRef,
  PassRate,
  ReportOptions,
  RunOptions,
  RunPairOutcome,
  RunResult,
  SelectionOptions,
} from './api/index.js'
export { CooperbenchError, isCooperbenchError } from '@cooperbench/core'
export { defineConfig } from '@cooperbench/core/config'
export type { EvalRecord, ResultRecord, Setting } from '@cooperbench/core'
export type { CooperbenchConfig } from '@cooperbench/core/config'
export type { EvalSummaryRecord, RunReport, RunSummaryRecord } from '@cooperbench/core/results'
export type { AnalysisRecord, PairAnalysis } from './analysis/analysis-file.js'
export type { Category, Judgement } from './analysis/judge.js'
export type { PairSignals } from './analysis/signals.js'
