export { createDefaultEvaluator, UNION_FAILED_ERROR, BASE_COMMIT_ERROR } from './default-evaluator.js'
