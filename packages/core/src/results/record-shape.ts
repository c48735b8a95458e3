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

/** As {@link resultShapeProblem}, for eval.json: an error, or a verdict (`both_passed`, and feature verdicts with `passed`). */
export function evalShapeProblem(value: unknown): string | null {
  if (!isObject(value)) return `is not an eval record (a JSON ${jsonKind(value)}, not an object)`
  const error = value['error']
  if (error !== undefined && error !== null && typeof error !== 'string') return 'is not an eval record (error is neither a string nor null)'
  if (typeof error === 'string') return null
  if (typeof value['both_passed'] !== 'boolean') return 'is not an eval record (both_passed is not true or false, and there is no error)'
  const features = Object.keys(value)
    .filter((key) => /^feature\d+$/.test(key))
    .map((key) => value[key])
  // Files of other tools may carry the pair's verdict only; feature verdicts that are there must be verdicts.
  if (features.length === 0) return null
  if (!features.every((f) => isObject(f) && typeof f['passed'] === 'boolean')) {
    return 'is not an eval record (a feature verdict has no passed: true or false)'
  }
  // Whether both_passed agrees with the features is the evaluator's business: a stricter one
  // (a plugin, a merge policy) may fail a pair whose features all passed.
  return null
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function jsonKind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}
