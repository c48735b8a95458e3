/**
 * `@cooperbench/report/run-summary`: what the CLI's `run` and list commands print with, without the
 * rest of the package (exports, bundles and their tar, the analysis and its ajv), which their start
 * would otherwise load: about 70 modules and 40 ms of CPU on every `cooperbench run`.
 */
export { wilsonInterval } from './statistics/confidence.js'
export { pairsWithUnknownCost } from './readers/unknown-cost.js'
export { table } from './formats/text-table.js'
