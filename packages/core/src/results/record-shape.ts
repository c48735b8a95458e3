import { SETTINGS } from './layout.js'

/**
 * The least a result.json or eval.json must hold to be read at all. A file that parses but lacks
 * these (another tool's file, a hand edit, a torn copy) is unreadable, named with why: a reader
 * that guessed would show a passing pair as failed, or a finished one as running.
 */
export function resultShapeProblem(value: unknown): string | null {
  if (!isObject(value)) return `is not a result record (a JSON ${jsonKind(value)}, not an object)`
  if (value['setting'] !== undefined && !(SETTINGS as readonly unknown[]).includes(value['setting'])) {
    return `is not a result record (setting ${JSON.stringify(value['setting'])} is not one of ${SETTINGS.map((s) => `"${s}"`).join(', ')})`
  }
  if (typeof value['repo'] !== 'string') return 'is not a result record (it names no repo)'
  for (const key of ['agents', 'agent'] as const) {
    // Files of other tools may lack the agent records; one that is there must be an object.
    if (value[key] !== undefined && !isObject(value[key])) return `is not a result record (${key} is not an object)`
  }
  return null
}

/**
 * As {@link resultShapeProblem}, for eval.json: an error (no verdict), or a verdict whose
 * `both_passed` its own feature verdicts (`feature1`, `feature2`, …, each with `passed`) bear out.
 */
export function evalShapeProblem(value: unknown): string | null {
  if (!isObject(value)) return `is not an eval record (a JSON ${jsonKind(value)}, not an object)`
  const error = value['error']
  if (error !== undefined && error !== null && typeof error !== 'string') return 'is not an eval record (error is neither a string nor null)'
  if (typeof error === 'string') {
    // An error is no verdict: every writer (ours, the reference's, upstream's team eval) gives it both_passed false or none.
    return value['both_passed'] === true ? 'is not an eval record (it has an error, so no verdict, yet both_passed is true)' : null
  }
  if (typeof value['both_passed'] !== 'boolean') return 'is not an eval record (both_passed is not true or false, and there is no error)'
  const features = Object.keys(value)
    .filter((key) => /^feature\d+$/.test(key))
    .map((key) => ({ key, verdict: value[key] }))
  if (!features.every(({ verdict }) => isObject(verdict) && typeof verdict['passed'] === 'boolean')) {
    return 'is not an eval record (a feature verdict has no passed: true or false)'
  }
  // Every pair has two features at least, and every writer records each one's verdict.
  if (value['feature1'] === undefined || value['feature2'] === undefined)
    return 'is not an eval record (a verdict without its feature verdicts feature1 and feature2)'
  return value['both_passed'] === true ? passContradiction(value, features) : null
}

/**
 * Why a pass contradicts the record's own verdicts, or null: both_passed true says every feature
 * passed, so a feature that did not (or `all_passed`/`features_result` saying so) makes the record
 * unreadable. The converse is no contradiction: a stricter evaluator (examples/evaluator-strict)
 * fails a pair whose features all passed, keeping their runs and `all_passed` as the tests said.
 */
function passContradiction(value: Record<string, unknown>, features: Array<{ key: string; verdict: unknown }>): string | null {
  const failed = features.find(({ verdict }) => (verdict as { passed: boolean }).passed === false)
  if (failed) return `is not an eval record (both_passed is true but ${failed.key} did not pass)`
  if (value['all_passed'] === false) return 'is not an eval record (both_passed is true but all_passed is false)'
  const byId = isObject(value['features_result']) ? Object.entries(value['features_result']) : []
  const failedId = byId.find(([, verdict]) => isObject(verdict) && verdict['passed'] === false)
  return failedId ? `is not an eval record (both_passed is true but features_result says feature ${failedId[0]} did not pass)` : null
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function jsonKind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}
