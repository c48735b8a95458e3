/**
 * cooperbench as a library: `run()`, `evaluate()` and `report()` do what the commands of the
 * same names do, with the same configuration files, plugins and run folders.
 */
export { run } from './api/run.js'
export { evaluate } from './api/evaluate.js'
export { report } from './api/report.js'
export { analyze, type AnalyzeOptions } from './api/analyze.js'
export type { CooperbenchEvent, PairRef } from './api/events.js'
export type { EvaluateOptions, HostOptions, ReportOptions, RunOptions, SelectionOptions } from './api/options.js'
export type { EvaluateResult, PassRate, RunPairOutcome, RunResult } from './api/outcome.js'
export { CooperbenchError, isCooperbenchError } from '@cooperbench/core'
export { defineConfig } from '@cooperbench/core/config'
export type { EvalRecord, ResultRecord, Setting } from '@cooperbench/core'
export type { CooperbenchConfig } from '@cooperbench/core/config'
export type { EvalSummaryRecord, RunSummaryRecord } from '@cooperbench/core/results'
export type { AnalysisRecord, Category, Judgement, PairAnalysis, PairSignals, RunReport } from '@cooperbench/report'
