import { REDACTED, redactUrlCredentials } from '@cooperbench/spec-utils'
import { isPlainObject } from './objects.js'

export { REDACTED, redactUrlCredentials } from '@cooperbench/spec-utils'

/** Keys whose values are secrets. Deliberately broad: over-redacting a log file costs nothing. */
const SECRET_KEY = /(key|token|secret|password|credential|auth)/i

/**
 * A deep copy for files others read (`config.json`): a key matching /(key|token|secret|password|credential|auth)/i gets `"[redacted]"`
 * unless a number, a list of numbers, boolean or null (`maxTokens: 4096`, `prompt_token_ids: [1, 2]`); URLs lose credentials (`redis://user:[redacted]@host`, `https://[redacted]@host`).
 */
export function redactSecrets<T>(value: T): T {
  return redact(value) as T
}

function redact(value: unknown): unknown {
  if (typeof value === 'string') return redactUrlCredentials(value)
  if (Array.isArray(value)) return value.map(redact)
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) copy[key] = SECRET_KEY.test(key) && isSecretLike(item) ? REDACTED : redact(item)
    return copy
  }
  return value
}

/** Numbers are counts, not secrets: a list of them too (`prompt_token_ids`, `completion_token_ids` of capture_token_ids). */
function isSecretLike(value: unknown) {
  if (Array.isArray(value) && value.every((item) => typeof item === 'number')) return false
  return value !== null && value !== undefined && typeof value !== 'number' && typeof value !== 'boolean'
}
