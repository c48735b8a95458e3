export { createStrictEvaluator, type StrictOptions, UNION_REFUSED } from './strict-evaluator.js'
export { default as strictEvaluatorPlugin } from './register.js'
