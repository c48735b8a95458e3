/**
 * `@cooperbench/evaluator-default`: the reference evaluation (evaluator `default`) and its parts —
 * the shell scripts it runs in the sandbox, agent-patch preprocessing, test-output parsers — with
 * the dataset checks built on them: the gold conflict check (`dataset conflicts`) and the gold
 * tests check (`dataset validate`). The eval.json builders and the patch rules it shares with
 * the host are in `@cooperbench/spec-utils/records` and `@cooperbench/spec-utils/patch`.
 */
export { BASE_COMMIT_ERROR, createDefaultEvaluator, UNION_FAILED_ERROR } from './evaluator/default-evaluator.js'
export { checkGoldConflicts, type CheckGoldConflictsOptions } from './conflicts/check-gold-conflicts.js'
export {
  buildGoldConflictReport,
  formatConflictRate,
  goldConflictOutcome,
  goldTeam,
  type GoldConflictReport,
  type GoldConflictResult,
  type GoldConflictSummary,
  type GoldConflictTaskSummary,
} from './conflicts/report.js'
export { type CheckGoldTestsOptions, checkGoldTests, failingLines, type GoldTestResult, goldTestPairs } from './gold-tests/check-gold-tests.js'
export * from './parsers/index.js'
export { normalizePatch, repairShellQuotes } from './evaluator/sanitize.js'
