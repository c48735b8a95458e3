import { pythonJsonDumps } from '@cooperbench/spec-utils/host'

/** Python's views of JSON-like values as Jinja2 renders them: `str()`, `repr()` in containers, `len()` and slices in code points, `==`, `tojson`. */

export type PyValue = null | boolean | number | string | PyValue[] | { [key: string]: PyValue }

/** A template construct or value that has no exact Python equivalent here. */
export class PythonSemanticsError extends Error {
  override name = 'PythonSemanticsError'
}

const isDict = (value: unknown): value is Record<string, PyValue> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** `str(value)`. */
export function pyStr(value: PyValue): string {
  return typeof value === 'string' ? value : pyRepr(value)
}

/** `repr(value)`. */
export function pyRepr(value: PyValue): string {
  if (value === null) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (typeof value === 'number') return pyNumber(value)
  if (typeof value === 'string') return reprString(value)
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`
  return `{${Object.entries(value)
    .map(([k, v]) => `${reprString(k)}: ${pyRepr(v)}`)
    .join(', ')}}`
}

/** An integer as Python prints it; other numbers as `float.__repr__` does (shortest round trip, Python's exponent rules). */
const pyNumber = (value: number): string => (Number.isInteger(value) ? BigInt(value).toString() : pyFloat(value))

/** `float.__repr__`: shortest digits; exponent form below 1e-4 and from 1e16 on (`1e-05`, `1e+16`). */
export function pyFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0'
  const [mantissa = '', exp = '0'] = value.toExponential().split('e')
  const exponent = Number(exp)
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`
  }
  const text = value.toFixed(Math.max(0, (mantissa.split('.')[1]?.length ?? 0) - exponent))
  return text.includes('.') ? text : `${text}.0`
}

/** Python's `repr` of a str: single quotes unless only they occur, escapes for what `str.isprintable` rejects. */
function reprString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    if (ch === '\\' || ch === quote) out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (ch !== ' ' && /[\p{C}\p{Z}]/u.test(ch)) {
      out += code < 0x100 ? `\\x${hex(code, 2)}` : code < 0x10000 ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`
    } else out += ch
  }
  return out + quote
}

const hex = (code: number, width: number) => code.toString(16).padStart(width, '0')

/** `len(value)`: code points of a str, items of a list, keys of a dict. */
export function pyLen(value: PyValue): number {
  if (typeof value === 'string') return codePoints(value).length
  if (Array.isArray(value)) return value.length
  if (isDict(value)) return Object.keys(value).length
  throw new PythonSemanticsError(`object of type '${pyTypeName(value)}' has no len()`)
}

const codePoints = (text: string): string[] => Array.from(text)

/** `value[start:stop:step]` of a str (by code point) or a list; null bounds as in Python. */
export function pySlice(value: PyValue, start: number | null, stop: number | null, step: number | null): PyValue {
  const items = typeof value === 'string' ? codePoints(value) : Array.isArray(value) ? value : null
  if (items === null) throw new PythonSemanticsError(`'${pyTypeName(value)}' object is not subscriptable`)
  const picked = sliceIndices(items.length, start, stop, step ?? 1).map((i) => items[i]!)
  return typeof value === 'string' ? (picked as string[]).join('') : (picked as PyValue[])
}

/** The indices `slice(start, stop, step).indices(length)` walks. */
function sliceIndices(length: number, start: number | null, stop: number | null, step: number): number[] {
  if (step === 0) throw new PythonSemanticsError('slice step cannot be zero')
  const clamp = (bound: number | null, whenNull: number, low: number, high: number) => {
    if (bound === null) return whenNull
    const b = bound < 0 ? bound + length : bound
    return Math.min(Math.max(b, low), high)
  }
  const out: number[] = []
  if (step > 0) {
    for (let i = clamp(start, 0, 0, length), end = clamp(stop, length, 0, length); i < end; i += step) out.push(i)
  } else {
    for (let i = clamp(start, length - 1, -1, length - 1), end = clamp(stop, -1, -1, length - 1); i > end; i += step) out.push(i)
  }
  return out
}

/** `value[key]`: list and str items by (negative) index, dict items by key. */
export function pyGetItem(value: PyValue, key: PyValue): PyValue {
  if ((typeof value === 'string' || Array.isArray(value)) && typeof key === 'number' && Number.isInteger(key)) {
    const items = typeof value === 'string' ? codePoints(value) : value
    const index = key < 0 ? key + items.length : key
    if (index < 0 || index >= items.length) throw new PythonSemanticsError(`${pyTypeName(value)} index out of range`)
    return items[index]!
  }
  if (isDict(value) && typeof key === 'string' && Object.hasOwn(value, key)) return value[key]!
  throw new PythonSemanticsError(`${pyTypeName(value)} has no item ${pyRepr(key)}`)
}

/** Python's `==` between JSON-like values (1 == 1.0; True == 1, as in Python). */
export function pyEquals(a: PyValue, b: PyValue): boolean {
  const num = (v: PyValue) => (typeof v === 'boolean' ? Number(v) : v)
  if ((typeof a === 'number' || typeof a === 'boolean') && (typeof b === 'number' || typeof b === 'boolean')) return num(a) === num(b)
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => pyEquals(v, b[i]!))
  if (isDict(a) && isDict(b)) {
    const keys = Object.keys(a)
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && pyEquals(a[k]!, b[k]!))
  }
  return a === b
}

/** Python's truth value. */
export function pyTruthy(value: PyValue): boolean {
  if (value === null || value === false || value === 0 || value === '') return false
  if (Array.isArray(value)) return value.length > 0
  if (isDict(value)) return Object.keys(value).length > 0
  return true
}

/** Jinja2's `tojson`: `json.dumps(value, sort_keys=True)`, then `<`, `>`, `&` and `'` as `\u003c`, `\u003e`, `\u0026`, `\u0027`. */
export function jinjaToJson(value: PyValue): string {
  return pyJsonDumps(value).replace(/[<>&']/g, (ch) => `\\u00${hex(ch.charCodeAt(0), 2)}`)
}

function pyJsonDumps(value: PyValue): string {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') return Number.isFinite(value) ? pyNumber(value) : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'
  // A str as `json.dumps` writes it with `ensure_ascii` (everything outside space..`~` as `\uxxxx`).
  if (typeof value === 'string') return pythonJsonDumps(value)
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`
  const keys = Object.keys(value).sort(comparePyStrings)
  return `{${keys.map((k) => `${pythonJsonDumps(k)}: ${pyJsonDumps(value[k]!)}`).join(', ')}}`
}

/** Python orders str by code point; JS's default sort compares UTF-16 units. */
function comparePyStrings(a: string, b: string): number {
  const x = codePoints(a)
  const y = codePoints(b)
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!
    if (d !== 0) return d
  }
  return x.length - y.length
}

function pyTypeName(value: PyValue): string {
  if (value === null) return 'NoneType'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  if (typeof value === 'string') return 'str'
  return Array.isArray(value) ? 'list' : 'dict'
}
