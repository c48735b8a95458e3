/**
 * `@cooperbench/spec-utils/patch`: the benchmark's rules on patch text, shared by the evaluator, the
 * oracle agent, the test kit and the analysis: a patch's file sections and paths, and which
 * sections touch test files (dropped from agent patches so the hidden tests stay intact).
 */
export { splitPatch, patchPaths, type PatchSection } from './split-patch.js'
export { filterTestFiles, isTestPath, matchesReferenceRule, type FilteredPatch } from './test-file-filter.js'
export { countPatchLines } from './patch-lines.js'
export { normalizeSubmittedPatch, universalNewlines } from './submitted-patch.js'
