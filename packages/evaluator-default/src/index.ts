/**
 * `@cooperbench/evaluator-default`: the reference evaluation (evaluator `default`) and its parts —
 * the shell scripts it runs in the sandbox, agent-patch preprocessing, test-output parsers — with
 * the dataset checks built on them: the gold conflict check (`dataset conflicts`) and the gold
 * tests check (`dataset validate`). The eval.json builders and the patch rules it shares with
 * the host are in `@cooperbench/spec/records` and `@cooperbench/spec/patch`.
 */
export * from './evaluator/index.js'
export * from './conflicts/index.js'
export * from './gold-tests/index.js'
export * from './parsers/index.js'
export { normalizePatch, repairShellQuotes } from './evaluator/sanitize.js'
