import type { EvalRecord, EvaluationPolicy } from '@cooperbench/spec'
import { pairLabel } from '@cooperbench/spec-utils'
import { isoNow } from '@cooperbench/spec-utils/records'
import type { PairFolder } from './scan-run.js'

export type EvalVerdict = 'pass' | 'fail' | 'error' | 'not_evaluated'

export interface EvalCounts {
  total_runs: number
  passed: number
  failed: number
  errors: number
  not_evaluated: number
  pass_rate: number
  pass_rate_with_errors: number
}

export interface EvalSummaryRecord extends EvalCounts {
  run_name: string
  evaluated_at: string
  skipped: number
  results: Array<{ run: string; setting: string; status: EvalVerdict | 'skip'; error?: string; cause?: EvalRecord['error_cause'] }>
  by_setting: Record<string, EvalCounts>
  /** The evaluation policy of the verdicts it counts (absent in summaries written before policies existed). */
  policy?: EvaluationPolicy
  /** Additive, when some error records name their cause: how many of `errors` were `dataset`, `infra`, `agent`. */
  error_causes?: ErrorCauses
  /** Present (true) when the invocation that wrote it was interrupted: verdicts it did not reach are earlier ones (`skipped`) or missing. */
  interrupted?: true
}

/** Error records by their `error_cause`; records without one are not counted here. */
export type ErrorCauses = Partial<Record<NonNullable<EvalRecord['error_cause']>, number>>

/** How many of these records are errors of each known cause, or undefined when none names one. */
export function errorCausesOf(records: ReadonlyArray<EvalRecord | null>): ErrorCauses | undefined {
  const causes: ErrorCauses = {}
  for (const record of records) {
    const cause = verdictOf(record) === 'error' ? record?.error_cause : undefined
    if (cause !== undefined) causes[cause] = (causes[cause] ?? 0) + 1
  }
  return Object.keys(causes).length > 0 ? causes : undefined
}

/** `errors 3 (2 dataset)`: the count, with the causes the records name. */
export function errorsText(errors: number, causes: ErrorCauses | undefined): string {
  const named = Object.entries(causes ?? {}).map(([cause, n]) => `${n} ${cause}`)
  return named.length > 0 ? `errors ${errors} (${named.join(', ')})` : `errors ${errors}`
}

/** pass / fail / error of one eval.json; error wins over the verdict (docs/reference-compatibility.md#run-folder). */
export function verdictOf(record: EvalRecord | null): EvalVerdict {
  if (!record) return 'not_evaluated'
  if (record.error !== null && record.error !== undefined) return 'error'
  return record.both_passed ? 'pass' : 'fail'
}

export function countVerdicts(verdicts: EvalVerdict[]): EvalCounts {
  const count = (v: EvalVerdict) => verdicts.filter((x) => x === v).length
  const passed = count('pass')
  const failed = count('fail')
  const errors = count('error')
  return {
    total_runs: verdicts.length,
    passed,
    failed,
    errors,
    not_evaluated: count('not_evaluated'),
    pass_rate: round4(passed / Math.max(passed + failed, 1)),
    pass_rate_with_errors: round4(passed / Math.max(passed + failed + errors, 1)),
  }
}

/** The whole run's evaluation summary: every pair with a result.json, every setting, any invocation; `reused`: eval.json files kept. */
export function buildEvalSummary(runName: string, pairs: PairFolder[], reused: ReadonlySet<string> = new Set()): EvalSummaryRecord {
  const withResults = pairs.filter((p) => p.result !== null)
  const verdicts = withResults.map((p) => verdictOf(p.eval))
  const bySetting: Record<string, EvalCounts> = {}
  for (const setting of [...new Set(withResults.map((p) => p.setting))].sort()) {
    bySetting[setting] = countVerdicts(withResults.flatMap((p, i) => (p.setting === setting ? [verdicts[i]!] : [])))
  }
  return {
    run_name: runName,
    evaluated_at: isoNow(),
    ...countVerdicts(verdicts),
    skipped: withResults.filter((p) => reused.has(p.dir)).length,
    results: withResults.map((p, i) => {
      const status = verdicts[i]!
      const entry: EvalSummaryRecord['results'][number] = {
        run: pairLabel(p.repo, p.taskId, p.features),
        setting: p.setting,
        status,
      }
      if (status === 'error') entry.error = p.eval?.error ?? undefined
      if (status === 'error' && p.eval?.error_cause !== undefined) entry.cause = p.eval.error_cause
      return entry
    }),
    by_setting: bySetting,
    ...((causes) => (causes ? { error_causes: causes } : {}))(errorCausesOf(withResults.map((p) => p.eval))),
  }
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000
}
