/** Text as Python's `json.dumps` writes it, for what the reference's tools write and its readers (or agents told the layout) read byte for byte. */
export interface PythonJsonOptions {
  /** `indent=2`: one item a line, `","` between items; without it, one line with `", "` and `": "`. */
  indent?: number
  /** Keys whose numbers the reference holds as Python floats (`time.time()`): `100.0` when integral, as Python writes, not JSON.stringify's `100`. */
  floatKeys?: ReadonlySet<string>
}

/**
 * `json.dumps(value)` / `json.dumps(value, indent=N)`: keys in insertion order, `ensure_ascii` (all outside space..`~` as lowercase
 * `\uxxxx`, UTF-16 units), no trailing newline; undefined members left out, as JSON.stringify does.
 */
export function pythonJsonDumps(value: unknown, options: PythonJsonOptions = {}): string {
  return dump(value, null, options, '')
}

function dump(value: unknown, key: string | null, options: PythonJsonOptions, indented: string): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'string') return pythonString(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') return pythonNumber(value, key !== null && options.floatKeys?.has(key) === true)
  if (typeof value !== 'object') return pythonString(String(value))
  const inner = options.indent === undefined ? '' : `${indented}${' '.repeat(options.indent)}`
  const [open, close] = Array.isArray(value) ? '[]' : '{}'
  const items = Array.isArray(value)
    ? value.map((item) => dump(item, null, options, inner))
    : Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .map(([name, item]) => `${pythonString(name)}: ${dump(item, name, options, inner)}`)
  // On one line, or one item a line indented one level deeper.
  if (items.length === 0) return `${open}${close}`
  if (options.indent === undefined) return `${open}${items.join(', ')}${close}`
  return `${open}\n${inner}${items.join(`,\n${inner}`)}\n${indented}${close}`
}

/** `str(x)` of a Python float: `100.0` when integral (the reference's `str(time.time())` in its Redis hashes). */
export function pythonFloat(value: number): string {
  return pythonNumber(value, true)
}

function pythonNumber(value: number, float: boolean): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'
  return float && Number.isInteger(value) ? `${value}.0` : String(value)
}

function pythonString(text: string): string {
  return JSON.stringify(text).replace(/[^ -~]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
