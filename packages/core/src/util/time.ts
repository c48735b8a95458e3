/** ISO 8601 local time with an explicit offset, e.g. `2026-05-15T14:03:11.482+02:00`. */
export function isoNow(date: Date = new Date()): string {
  const offsetMinutes = -date.getTimezoneOffset()
  const sign = offsetMinutes >= 0 ? '+' : '-'
  const abs = Math.abs(offsetMinutes)
  const pad = (n: number, width = 2) => String(n).padStart(width, '0')
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
  )
}

/** Seconds between two instants, rounded to 2 decimals. */
export function secondsBetween(start: Date, end: Date): number {
  return Math.round((end.getTime() - start.getTime()) / 10) / 100
}

/** A record's `started_at`, `ended_at` (now) and `duration_seconds`. */
export function timesSince(startedAt: Date, endedAt: Date = new Date()): { started_at: string; ended_at: string; duration_seconds: number } {
  return { started_at: isoNow(startedAt), ended_at: isoNow(endedAt), duration_seconds: secondsBetween(startedAt, endedAt) }
}
