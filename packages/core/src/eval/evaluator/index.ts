export { createDefaultEvaluator, UNION_FAILED_ERROR, BASE_COMMIT_ERROR } from './default-evaluator.js'
export {
  evalErrorRecord,
  evalSuccessRecord,
  featureEvalRecord,
  emptyFeatureEvalRecord,
  featureVerdicts,
  MERGE_DIFF_MAX_CHARS,
  type EvalRecordContext,
  type EvalRecordExtras,
  type CoopOutcome,
} from './records.js'
