/**
 * `@cooperbench/core/evaluator`: the default evaluator and its parts — patch preprocessing,
 * test-output parsers, eval.json record builders — the gold conflict check and the gold tests check.
 */
export * from './eval/evaluator/index.js'
export * from './eval/conflicts/index.js'
export * from './eval/gold-tests/index.js'
export * from './eval/parsers/index.js'
export * from './eval/patch/index.js'
