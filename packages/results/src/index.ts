/**
 * A run folder (`<log dir>/<run>/<setting>/<repo>/<task>/f…/`): layout, records read checked (a torn or foreign file is named, never
 * guessed) and written atomically, summaries. The runner writes through it; report, viewer and CLI read it.
 */
export * from './eval-summary.js'
export * from './layout.js'
export * from './read-json.js'
export * from './run-folder-records.js'
export * from './run-policy.js'
export * from './run-summary.js'
export * from './scan-run.js'
export * from './trajectory-journal.js'
export * from './atomic-write.js'
export { isoNow } from '@cooperbench/spec-utils/records'
export { fileSystemError, makeDirectory, makeDirectoryOwned, type OwnedFolders } from './fs-errors.js'
export { recordAgents, recordsUnknownCost } from './record-agents.js'
export { isObject } from '@cooperbench/spec-utils'
export { evalShapeProblem, resultShapeProblem } from './record-shape.js'
export * from './run-lock-holder.js'
