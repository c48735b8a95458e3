/** z for a two-sided 95% interval. */
const Z95 = 1.959964

/**
 * Wilson score interval of a proportion: well-behaved at 0%, 100% and small n, where the
 * normal approximation is not.
 */
export function wilsonInterval(successes: number, n: number, z = Z95): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 }
  const p = successes / n
  const denominator = 1 + (z * z) / n
  const centre = (p + (z * z) / (2 * n)) / denominator
  const margin = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator
  return { low: Math.max(0, centre - margin), high: Math.min(1, centre + margin) }
}

/**
 * Newcombe's hybrid score interval for p1 − p2 of independent samples, built from the two Wilson
 * intervals. Not for solo vs coop on the same pairs: that difference is paired
 * (`newcombePairedInterval`).
 */
export function differenceInterval(s1: number, n1: number, s2: number, n2: number): { difference: number; low: number; high: number } {
  const p1 = n1 ? s1 / n1 : 0
  const p2 = n2 ? s2 / n2 : 0
  const a = wilsonInterval(s1, n1)
  const b = wilsonInterval(s2, n2)
  const d = p1 - p2
  return {
    difference: d,
    low: d - Math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2),
    high: d + Math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2),
  }
}
