import { REDACTED, redactUrlCredentials } from '@cooperbench/spec-utils'
import { isPlainObject } from './objects.js'

export { REDACTED, redactUrlCredentials } from '@cooperbench/spec-utils'

/** Keys whose values are secrets. Deliberately broad: over-redacting a log file costs nothing. */
const SECRET_KEY = /(key|token|secret|password|credential|auth)/i

/**
 * A deep copy for files others read (`config.json`): a key matching /(key|token|secret|password|credential|auth)/i gets `"[redacted]"`
 * unless a number, boolean or null (`maxTokens: 4096`); URLs lose credentials (`redis://user:[redacted]@host`, `https://[redacted]@host`).
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

function isSecretLike(value: unknown) {
  return value !== null && value !== undefined && typeof value !== 'number' && typeof value !== 'boolean'
}
