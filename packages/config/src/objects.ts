/** Plain object: `{}` or `Object.create(null)`, not an array, Date, class instance or module namespace. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const prototype = Object.getPrototypeOf(value) as unknown
  return prototype === Object.prototype || prototype === null
}

/** Deep copy of plain objects and arrays; anything else is kept by reference, so a TypeScript config's options may hold callbacks. */
export function clonePlain<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => clonePlain(item)) as T
  if (isPlainObject(value)) {
    const copy: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) copy[key] = clonePlain(item)
    return copy as T
  }
  return value
}

/** `over` merged onto `base`, neither modified: plain objects key by key, anything else (arrays too) replaces, `undefined` keeps. */
export function mergeDeep(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const result = clonePlain(base)
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue
    const existing = result[key]
    result[key] = isPlainObject(existing) && isPlainObject(value) ? mergeDeep(existing, value) : clonePlain(value)
  }
  return result
}
