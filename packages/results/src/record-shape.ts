import { isObject, pairLabel } from '@cooperbench/spec-utils'

/** The pair a pair folder holds, from its path (`<repo>/<task id>/f<a>_f<b>`): what its records must name. */
export interface PairIdentity {
  repo: string
  taskId: number
  /** Ascending, each once. */
  features: readonly number[]
}

/** One lacking the least a record holds (another tool's, a hand edit, a torn copy) is unreadable: a guess could show a pass as a fail. */
export function resultShapeProblem(value: unknown): string | null {
  if (!isObject(value)) return `is not a result record (a JSON ${jsonKind(value)}, not an object)`
  if (value['setting'] !== undefined && (typeof value['setting'] !== 'string' || value['setting'] === '')) {
    return `is not a result record (setting ${JSON.stringify(value['setting'])} is not a setting's name)`
  }
  const identity = identityProblem(value)
  if (identity) return `is not a result record (${identity})`
  for (const key of ['agents', 'agent'] as const) {
    // Files of other tools may lack the agent records; one that is there must be an object.
    if (value[key] !== undefined && !isObject(value[key])) return `is not a result record (${key} is not an object)`
  }
  // The totals reports add up: a string or null there would be summed as text, or guessed as 0.
  const notNumber = RESULT_TOTALS.find((key) => value[key] !== undefined && (typeof value[key] !== 'number' || !Number.isFinite(value[key])))
  return notNumber ? `is not a result record (${notNumber} ${JSON.stringify(value[notNumber])} is not a number)` : null
}

const RESULT_TOTALS = ['total_cost', 'total_steps', 'duration_seconds', 'messages_sent'] as const

/** {@link resultShapeProblem} of eval.json: an error, or a verdict its feature verdicts (`feature1`, … with `passed`) bear out; naming its pair. */
export function evalShapeProblem(value: unknown): string | null {
  if (!isObject(value)) return `is not an eval record (a JSON ${jsonKind(value)}, not an object)`
  const problem = verdictProblem(value) ?? identityProblem(value)
  return problem === null ? null : `is not an eval record (${problem})`
}

function verdictProblem(value: Record<string, unknown>): string | null {
  const error = value['error']
  if (error !== undefined && error !== null && typeof error !== 'string') return 'error is neither a string nor null'
  if (typeof error === 'string') {
    // An error is no verdict: every writer (ours, the reference's, upstream's team eval) gives it both_passed false or none.
    return value['both_passed'] === true ? 'it has an error, so no verdict, yet both_passed is true' : null
  }
  if (typeof value['both_passed'] !== 'boolean') return 'both_passed is not true or false, and there is no error'
  const features = Object.keys(value)
    .filter((key) => /^feature\d+$/.test(key))
    .map((key) => ({ key, verdict: value[key] }))
  if (!features.every(({ verdict }) => isObject(verdict) && typeof verdict['passed'] === 'boolean')) {
    return 'a feature verdict has no passed: true or false'
  }
  // Every pair has two features at least, and every writer records each one's verdict.
  if (value['feature1'] === undefined || value['feature2'] === undefined) return 'a verdict without its feature verdicts feature1 and feature2'
  return value['both_passed'] === true ? passContradiction(value, features) : null
}

/** Every writer (ours, the reference's single and batch eval, upstream's team runner) names `repo`, integer `task_id` and ≥2 `features`. */
function identityProblem(value: Record<string, unknown>): string | null {
  if (typeof value['repo'] !== 'string' || value['repo'] === '') return 'it names no repo'
  const taskId = value['task_id']
  if (taskId === undefined) return 'it has no task_id'
  if (!Number.isInteger(taskId)) return `task_id ${JSON.stringify(taskId)} is not an integer`
  const features = value['features']
  if (features === undefined) return 'it has no features'
  if (!Array.isArray(features) || features.length < 2 || !features.every((id) => Number.isInteger(id))) {
    return `features ${JSON.stringify(features)} is not a list of two or more feature ids`
  }
  return null
}

/** A record copied from another pair would give its outcome; features compare as a set (the reference records them in the order asked). */
export function otherPairProblem(value: unknown, folder: PairIdentity): string | null {
  const record = value as { repo: string; task_id: number; features: number[] }
  const features = [...new Set(record.features)].sort((a, b) => a - b)
  const same = record.repo === folder.repo && record.task_id === folder.taskId && features.join() === folder.features.join()
  return same
    ? null
    : `names another pair (${pairLabel(record.repo, record.task_id, record.features)}, not its folder's ${pairLabel(folder.repo, folder.taskId, folder.features)})`
}

/**
 * both_passed with a feature (or `all_passed`/`features_result`) that did not pass is unreadable. Not conversely: a stricter evaluator
 * (examples/evaluator-strict) fails pairs whose features all passed, keeping their runs and `all_passed`.
 */
function passContradiction(value: Record<string, unknown>, features: Array<{ key: string; verdict: unknown }>): string | null {
  const failed = features.find(({ verdict }) => (verdict as { passed: boolean }).passed === false)
  if (failed) return `both_passed is true but ${failed.key} did not pass`
  if (value['all_passed'] === false) return 'both_passed is true but all_passed is false'
  const byId = isObject(value['features_result']) ? Object.entries(value['features_result']) : []
  const failedId = byId.find(([, verdict]) => isObject(verdict) && verdict['passed'] === false)
  return failedId ? `both_passed is true but features_result says feature ${failedId[0]} did not pass` : null
}

function jsonKind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}
