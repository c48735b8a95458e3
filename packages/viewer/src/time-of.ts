/** Epoch seconds from a record's time: seconds, milliseconds or an ISO string; null otherwise. */
export function timeOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value > 1e12 ? value / 1000 : value
  if (typeof value === 'string') {
    const parsed = Date.parse(value)
    return Number.isNaN(parsed) ? null : parsed / 1000
  }
  return null
}
