/** The last instant stamped in this process, in microseconds since the epoch. */
let lastMicros = 0

/**
 * A bus message's send time: ISO 8601 local time with microseconds (as the reference) and offset, `2026-05-15T14:03:11.482001+02:00`.
 * Strictly increasing within a process, so messages sort in send order even within one millisecond (the wall clock gives milliseconds).
 */
export function busTimestamp(): string {
  let micros = Date.now() * 1000
  if (micros <= lastMicros) micros = lastMicros + 1
  lastMicros = micros
  return isoFromMicros(micros)
}

/** ISO 8601 local time with microseconds and offset for an instant in microseconds since the epoch. */
export function isoFromMicros(micros: number): string {
  const whole = Math.floor(micros)
  return localIsoTime(new Date(Math.floor(whole / 1000)), String(((whole % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0'))
}

/** `date` as ISO 8601 local time with an explicit offset, `fraction` the digits after the seconds' point. */
export function localIsoTime(date: Date, fraction: string): string {
  const offsetMinutes = -date.getTimezoneOffset()
  const sign = offsetMinutes >= 0 ? '+' : '-'
  const abs = Math.abs(offsetMinutes)
  const pad = (n: number) => String(n).padStart(2, '0')
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${fraction}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  )
}

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}(?::?\d{2})?)?$/i

/**
 * A message timestamp as microseconds since the epoch, for ordering; null when unreadable. Accepts every form of reference messages:
 * ISO 8601 with or without offset (without: local time, as the reference's default agent writes it), epoch seconds as a number.
 */
export function timestampMicros(timestamp: unknown): number | null {
  if (typeof timestamp === 'number') return Number.isFinite(timestamp) ? Math.round(timestamp * 1_000_000) : null
  if (typeof timestamp !== 'string') return null
  const match = ISO_8601.exec(timestamp.trim())
  if (!match) return null
  const [, y, mo, d, h, mi, s, fraction = '', zone] = match
  const micros = Number(fraction.padEnd(6, '0').slice(0, 6))
  const parts = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)] as const
  const millis = zone === undefined ? new Date(...parts).getTime() : Date.UTC(...parts) - offsetMinutes(zone) * 60_000
  return Number.isNaN(millis) ? null : millis * 1000 + micros
}

/** A zone's offset east of UTC in minutes: `Z` 0, `+02:00`, `-0530`, `+02`. */
function offsetMinutes(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0
  const digits = zone.slice(1).replace(':', '')
  return (zone.startsWith('-') ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'))
}
