/**
 * `@cooperbench/spec-utils/records`: eval.json builders (docs/reference-compatibility.md#run-folder), success and error shapes, keys in
 * the reference's order and additive keys last. The host writes the error shape when an evaluator fails; evaluators build both.
 */
import type { ApplyStatus, EvalRecord, EvaluationPolicy, FeatureEvalRecord } from '@cooperbench/spec'
import { localIsoTime } from './bus-clock.js'

/** `merge.diff` holds at most this many characters of the tested merged diff. */
export const MERGE_DIFF_MAX_CHARS = 5000

/** What every record copies from the evaluated pair, and whether its patches are merged (its setting's `judged` rule). */
export type EvalRecordContext = Pick<EvalRecord, 'repo' | 'task_id' | 'features' | 'setting'> & { merged: boolean }

/** Additive keys; each is written only when known. */
export interface EvalRecordExtras {
  patch_filter?: Record<string, string[]> | undefined
  base_commit?: string | null | undefined
  timings?: Record<string, number> | undefined
  /** The evaluation policy the verdict was made under. */
  policy?: EvaluationPolicy | undefined
  /** Error records only: whose defect the missing verdict is. */
  error_cause?: EvalRecord['error_cause'] | undefined
}

export interface CoopOutcome {
  /** Per branch: `agent1`, `agent2`, … */
  apply_status: Record<string, ApplyStatus>
  merge: NonNullable<EvalRecord['merge']>
}

/** The verdict of one test run. */
export function featureEvalRecord(
  featureId: number,
  run: { exitCode: number | null; testsPassed: number; testsFailed: number; output: string; passed: boolean },
): FeatureEvalRecord {
  return {
    feature_id: featureId,
    passed: run.passed,
    exit_code: run.exitCode,
    tests_passed: run.testsPassed,
    tests_failed: run.testsFailed,
    test_output: run.output,
  }
}

/** The feature object of an error record: no verdict, no id. */
export function emptyFeatureEvalRecord(): FeatureEvalRecord {
  return { feature_id: null, passed: false, exit_code: null, tests_passed: 0, tests_failed: 0, test_output: '' }
}

/**
 * A verdict; `features` holds one test run per feature, in order: `feature1`, `feature2` (`feature3`,
 * … for pairs of more features, with `all_passed`).
 */
export function evalSuccessRecord(
  ctx: EvalRecordContext,
  coop: CoopOutcome | null,
  features: readonly FeatureEvalRecord[],
  evaluatedAt: string,
  extras: EvalRecordExtras = {},
): EvalRecord {
  const passed = features.length > 0 && features.every((f) => f.passed)
  // Whether the patches were merged (`coop`), not the setting's name: a team's or a plugin's setting is judged as coop.
  const merged = coop && {
    apply_status: { ...coop.apply_status },
    merge: { ...coop.merge, diff: truncateChars(coop.merge.diff, MERGE_DIFF_MAX_CHARS) },
  }
  return evalRecord(ctx, merged, verdictKeys(features, passed, null, evaluatedAt, features), extras)
}

/**
 * The error shape: no verdict. Merged patches (coop's, a team's) get `apply_status` unknown,
 * `merge.status` `error`; a single patch (solo's) `merge: null`. Solo feature objects carry every
 * key too (the reference wrote only `passed` and `test_output`; the rest is additive). Pairs of more
 * than two features get one empty feature object and one unknown apply status per agent.
 */
export function evalErrorRecord(ctx: EvalRecordContext, error: string, evaluatedAt: string, extras: EvalRecordExtras = {}): EvalRecord {
  const size = Math.max(2, ctx.features.length)
  const merged: CoopOutcome | null = ctx.merged
    ? {
        apply_status: Object.fromEntries(Array.from({ length: size }, (_, i) => [`agent${i + 1}`, 'unknown' as const])),
        merge: { status: 'error', strategy: null, diff: '' },
      }
    : null
  const empty = Array.from({ length: size }, emptyFeatureEvalRecord)
  const results = ctx.features.map((id) => ({ ...emptyFeatureEvalRecord(), feature_id: id }))
  return evalRecord(ctx, merged, verdictKeys(empty, false, error, evaluatedAt, results), extras)
}

/**
 * The verdict's keys, in the reference's order: `feature<n>` per test run, `both_passed`
 * (`all_passed` after it for more than two features), `error`, `evaluated_at`, then the additive
 * keys; `results` gives `features_result`.
 */
function verdictKeys(
  features: readonly FeatureEvalRecord[],
  passed: boolean,
  error: string | null,
  evaluatedAt: string,
  results: readonly FeatureEvalRecord[],
) {
  return {
    ...featureKeys(features),
    both_passed: passed,
    ...(features.length > 2 ? { all_passed: passed } : {}),
    error,
    evaluated_at: evaluatedAt,
    // Upstream's N-agent keys (PR #75), for every pair size; a pair's after the reference's keys.
    ...(features.length > 2 ? {} : { all_passed: passed }),
    features_result: featuresResult(results),
  }
}

/**
 * A record: the pair's keys, the merge's (`merge: null` for a single patch), the verdict, then each
 * extra that is known.
 */
function evalRecord(ctx: EvalRecordContext, merged: CoopOutcome | null, verdict: ReturnType<typeof verdictKeys>, extras: EvalRecordExtras): EvalRecord {
  const record: EvalRecord = {
    repo: ctx.repo,
    task_id: ctx.task_id,
    features: [...ctx.features],
    setting: ctx.setting,
    ...(merged ?? { merge: null }),
    ...verdict,
  }
  if (extras.patch_filter !== undefined) record.patch_filter = extras.patch_filter
  if (extras.base_commit !== undefined) record.base_commit = extras.base_commit
  if (extras.timings !== undefined) record.timings = extras.timings
  if (extras.policy !== undefined) record.policy = extras.policy
  if (extras.error_cause !== undefined && record.error !== null) record.error_cause = extras.error_cause
  return record
}

/** `{ feature1, feature2, … }` in order. */
function featureKeys(features: readonly FeatureEvalRecord[]) {
  return Object.fromEntries(features.map((feature, i) => [`feature${i + 1}`, feature])) as Pick<EvalRecord, 'feature1' | 'feature2'> &
    Record<`feature${number}`, FeatureEvalRecord>
}

/** Upstream's `features_result` (PR #75): feature id → verdict, without `test_output` (in `feature<n>` already: a copy would double the record). */
function featuresResult(features: readonly FeatureEvalRecord[]): NonNullable<EvalRecord['features_result']> {
  const map: NonNullable<EvalRecord['features_result']> = {}
  for (const { test_output: _output, ...verdict } of features) if (verdict.feature_id !== null) map[String(verdict.feature_id)] = verdict
  return map
}

/** A record's feature verdicts in order: `feature1`, `feature2`, … as many as it has. */
export function featureVerdicts(record: EvalRecord): FeatureEvalRecord[] {
  const verdicts: FeatureEvalRecord[] = []
  for (let n = 1; record[`feature${n}`] !== undefined; n++) verdicts.push(record[`feature${n}`]!)
  return verdicts
}

/** The first `max` characters (code points, as Python slices) of `text`. */
export function truncateChars(text: string, max: number): string {
  if (text.length <= max) return text
  // The first `max` code points lie within the first 2 × `max` UTF-16 units.
  return Array.from(text.slice(0, 2 * max))
    .slice(0, max)
    .join('')
}

/** ISO 8601 local time with an explicit offset, as records' timestamps are written: `2026-05-15T14:03:11.482+02:00`. */
export function isoNow(date: Date = new Date()): string {
  return localIsoTime(date, String(date.getMilliseconds()).padStart(3, '0'))
}
