/**
 * `@cooperbench/spec-utils/patch`: the benchmark's patch rules for the evaluator, oracle agent, test kit and analysis: file sections,
 * paths, and which sections touch test files (dropped from agent patches so the hidden tests stay intact).
 */
export { splitPatch, patchPaths, type PatchSection } from './split-patch.js'
export { filterTestFiles, isTestPath, matchesReferenceRule, type FilteredPatch } from './test-file-filter.js'
export { countPatchLines } from './patch-lines.js'
export { normalizeSubmittedPatch, universalNewlines } from './submitted-patch.js'
