/** Values as the Python server renders them: timestamps, `json.dumps`, reprs, `exclude_none`, UUIDs. */
import type { JsonObject } from './json.js'

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** `datetime.isoformat()` of a naive local datetime (microseconds omitted when 0, as Python does). */
export function pyLocalIso(micros: number): string {
  const d = new Date(Math.floor(micros / 1000))
  const us = ((micros % 1_000_000) + 1_000_000) % 1_000_000
  const base = `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  return us === 0 ? base : `${base}.${pad(us, 6)}`
}

let lastEventMicros = 0
/**
 * Event timestamps as sdk/event/base.py stamps them (`datetime.now().isoformat()`: naive, server
 * local time, microseconds), made strictly increasing so `timestamp >= t` filters are exact.
 */
export function nextEventTimestamp(): string {
  let micros = Date.now() * 1000
  if (micros <= lastEventMicros) micros = lastEventMicros + 1
  lastEventMicros = micros
  return pyLocalIso(micros)
}

/** An aware UTC datetime as pydantic dumps it in JSON mode (`…Z`), e.g. `created_at`. */
export function utcIso(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
}

/**
 * Parses a datetime query parameter as pydantic does (ISO 8601, optional offset, or a unix
 * timestamp) and normalizes it as event_router.normalize_datetime_to_server_timezone: aware
 * values converted to server local time, naive ones kept. Returns its `isoformat()`, or null.
 */
export function normalizeDatetimeParam(raw: string): string | null {
  const text = raw.trim()
  if (/^-?\d+(\.\d+)?$/.test(text)) {
    let seconds = Number(text)
    if (Math.abs(seconds) > 2e10) seconds /= 1000
    return pyLocalIso(Math.round(seconds * 1_000_000))
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text)
  if (m === null) return null
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', tz] = m
  const us = Number((frac + '000000').slice(0, 6))
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null
  if (tz === undefined) {
    const base = `${y}-${mo}-${d}T${h}:${mi}:${s}`
    return us === 0 ? base : `${base}.${pad(us, 6)}`
  }
  let offsetMinutes = 0
  if (tz !== 'Z' && tz !== 'z') {
    const sign = tz.startsWith('-') ? -1 : 1
    const digits = tz.slice(1).replace(':', '')
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'))
  }
  const utcMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetMinutes * 60_000
  return pyLocalIso(utcMs * 1000 + us)
}

/** Python's `json.dumps` with default separators and `ensure_ascii=True`. */
export function pyJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null'
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : JSON.stringify(value)
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`
  if (typeof value === 'object')
    return `{${Object.entries(value as JsonObject)
      .map(([k, v]) => `${pyJsonDumps(k)}: ${pyJsonDumps(v)}`)
      .join(', ')}}`
  return 'null'
}

/** Python's `repr` of a list of strings, e.g. `['terminal', 'finish']`. */
export const pyListRepr = (items: string[]): string => `[${items.map((item) => `'${item.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`

/** A copy without the keys whose value is null or undefined (`exclude_none=True` on one model). */
export function compact(object: JsonObject): JsonObject {
  const out: JsonObject = {}
  for (const [key, value] of Object.entries(object)) if (value !== null && value !== undefined) out[key] = value
  return out
}

const UUID_RE = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i
/** A conversation id in the dashed form `ConversationInfo.id` (a plain UUID) serializes to. */
export function normalizeUuid(raw: string): string | null {
  const text = raw
    .trim()
    .replace(/^urn:uuid:/i, '')
    .replace(/^\{(.*)\}$/, '$1')
  if (!UUID_RE.test(text)) return null
  const hex = text.replace(/-/g, '').toLowerCase()
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
