import { isoNow } from '@cooperbench/spec-utils/records'

/** Seconds between two instants, rounded to 2 decimals. */
function secondsBetween(start: Date, end: Date): number {
  return Math.round((end.getTime() - start.getTime()) / 10) / 100
}

/** A record's `started_at`, `ended_at` (now) and `duration_seconds`. */
export function timesSince(startedAt: Date, endedAt: Date = new Date()): { started_at: string; ended_at: string; duration_seconds: number } {
  return { started_at: isoNow(startedAt), ended_at: isoNow(endedAt), duration_seconds: secondsBetween(startedAt, endedAt) }
}
