/**
 * `@cooperbench/evaluator-default`: the reference evaluation, its test-output parser, and the
 * dataset checks built on it (`dataset conflicts`, `dataset validate`). The eval.json builders and
 * patch rules shared with the host are in `@cooperbench/spec-utils/records` and `/patch`.
 */
export { createDefaultEvaluator, UNION_FAILED_ERROR } from './evaluator/default-evaluator.js'
export { checkGoldConflicts } from './conflicts/check-gold-conflicts.js'
export { goldConflictOutcome, goldTeam, type GoldConflictReport, type GoldConflictResult } from './conflicts/report.js'
export { checkGoldTests, type GoldTestResult } from './gold-tests/check-gold-tests.js'
export { parseTestOutput } from './parsers/index.js'
