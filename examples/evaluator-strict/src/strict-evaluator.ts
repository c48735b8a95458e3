import type { EvalRecord, Evaluator } from '@cooperbench/spec'

/** Why a record was refused, kept in the record's additive `strict` key. */
export const UNION_REFUSED = 'the patches merge only with the union fallback (the plain git merge conflicts); strict evaluation counts that as a failure'

export interface StrictOptions {
  /** Also refuse a pair whose patch failed to apply on its branch (merge status `missing_input`). Default true. */
  refuseMissingInput?: boolean
}

/**
 * The reference evaluation, judged strictly: a coop pair whose patches conflict under a plain
 * `git merge` fails even when the union-merged tree passes every test (real teammates must hand
 * in work that merges), and by default so does a pair one of whose patches did not apply. Solo
 * records are left as the default evaluator writes them. Test runs are not repeated: the
 * default evaluator's per-feature results stay in the record, so both verdicts can be compared.
 * `inner` is the host's reference evaluator (`FactoryContext.defaultEvaluator`).
 */
export function createStrictEvaluator(inner: Evaluator, options: StrictOptions = {}): Evaluator {
  const refuseMissingInput = options.refuseMissingInput ?? true
  return {
    specificationVersion: 'evaluator-v1',
    name: 'strict',
    async evaluate(input, signal) {
      const record = await inner.evaluate(input, signal)
      const reason = refusal(record, refuseMissingInput)
      if (reason === null) return record
      return { ...record, both_passed: false, strict: { refused: reason, tests_passed_after_union: record.both_passed } } as EvalRecord
    },
  }
}

function refusal(record: EvalRecord, refuseMissingInput: boolean): string | null {
  if (record.setting !== 'coop' || record.error !== null || !record.merge) return null
  if (record.merge.status === 'conflicts') return UNION_REFUSED
  if (refuseMissingInput && record.merge.status === 'missing_input') return 'a patch did not apply on its branch (merge status missing_input)'
  return null
}
