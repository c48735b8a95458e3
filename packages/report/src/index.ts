/**
 * `@cooperbench/report`: what is computed from finished run folders. The report model
 * (`buildReport`: rates with intervals, strict rates, the coordination deficit, ablations, the
 * leaderboard) and its statistics, the readers it needs beside core's `scanRun` (fingerprints,
 * analysis.json, unknown costs), its formats (text, Markdown, CSV, LaTeX) and `cooperbench
 * analyze` (coordination signals and the failure-taxonomy judge). The CLI's `report` and
 * `analyze` and the viewer use it; core's runner never does.
 */
export * from './statistics/confidence.js'
export * from './statistics/paired-statistics.js'
export * from './statistics/relative-deficit.js'
export * from './model/ablation.js'
export * from './model/deficit.js'
export * from './model/error-causes.js'
export * from './model/leaderboard.js'
export * from './model/policy-rates.js'
export * from './model/report.js'
export * from './model/strict.js'
export * from './readers/read-report.js'
export * from './readers/run-analysis.js'
export * from './readers/run-fingerprints.js'
export * from './readers/unknown-cost.js'
export * from './formats/index.js'
export { table } from './formats/text-table.js'
export * from './analysis/analysis-file.js'
export * from './analysis/analyze-run.js'
export * from './analysis/judge.js'
export * from './analysis/signals.js'
export * from './model/timing.js'
export * from './export/atif.js'
export * from './export/atif-validate.js'
export * from './export/export-run.js'
export type { SftMessage, SftRow } from './export/to-sft.js'
export { addTokens, type TokenCounts, usageOf } from './export/recorded-turns.js'
export * from './bundle/bundle-archive.js'
export * from './bundle/compare.js'
export * from './bundle/task-digest.js'
