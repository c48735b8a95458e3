/**
 * `@cooperbench/evaluator-default`: the reference evaluation (evaluator `default`), its test-output
 * parser, and the dataset checks built on it: the gold conflict check (`dataset conflicts`) and the
 * gold tests check (`dataset validate`). The eval.json builders and the patch rules it shares with
 * the host are in `@cooperbench/spec-utils/records` and `@cooperbench/spec-utils/patch`.
 */
export { createDefaultEvaluator, UNION_FAILED_ERROR } from './evaluator/default-evaluator.js'
export { checkGoldConflicts } from './conflicts/check-gold-conflicts.js'
export { goldConflictOutcome, goldTeam, type GoldConflictReport, type GoldConflictResult } from './conflicts/report.js'
export { checkGoldTests, type GoldTestResult } from './gold-tests/check-gold-tests.js'
export { parseTestOutput } from './parsers/index.js'
