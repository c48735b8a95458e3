import type { PairFolder } from '@cooperbench/results'

/** How long a row's pairs took: the median of their `duration_seconds` and the run's wall time. */
export interface RowTiming {
  /** Median of the finished pairs' `duration_seconds` (agents' run, not evaluation); null without one. */
  medianPairSeconds: number | null
  /** Earliest `started_at` to latest `ended_at`: not a sum (pairs run in parallel); a resumed run counts the pause. Null without times. */
  wallSeconds: number | null
}

export function rowTiming(pairs: PairFolder[]): RowTiming {
  const durations = pairs.map((p) => p.result?.duration_seconds).filter((d): d is number => typeof d === 'number' && Number.isFinite(d))
  const starts = pairs.map((p) => Date.parse(p.result?.started_at ?? '')).filter(Number.isFinite)
  const ends = pairs.map((p) => Date.parse(p.result?.ended_at ?? '')).filter(Number.isFinite)
  const wall = starts.length > 0 && ends.length > 0 ? (Math.max(...ends) - Math.min(...starts)) / 1000 : null
  return { medianPairSeconds: median(durations), wallSeconds: wall !== null && wall >= 0 ? wall : null }
}

/** The median of `values` (the mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
