import { errorMessage } from '@cooperbench/spec'

/** A template file's bytes as a JSON object of exactly `keys`, each a string (and maybe `optional` keys); `fail` makes the error. */
export function stringFields<K extends string>(
  bytes: Buffer,
  keys: readonly K[],
  fail: (why: string) => Error,
  optional: readonly string[] = [],
): Record<K, string> {
  let parsed: unknown
  try {
    parsed = JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    throw fail(`is not JSON (${errorMessage(error)})`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw fail('must hold a JSON object')
  const object = parsed as Record<string, unknown>
  const unknown = Object.keys(object).filter((key) => !(keys as readonly string[]).includes(key) && !optional.includes(key))
  if (unknown.length > 0) throw fail(`has unknown keys ${unknown.join(', ')}`)
  for (const key of keys) if (typeof object[key] !== 'string') throw fail(`needs "${key}" as a string`)
  return object as Record<K, string>
}
