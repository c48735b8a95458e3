/** z for a two-sided 95% interval. */
const Z95 = 1.959964

/** Wilson score interval: well-behaved at 0%, 100% and small n, where the normal approximation is not. */
export function wilsonInterval(successes: number, n: number): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 }
  const z = Z95
  const p = successes / n
  const denominator = 1 + (z * z) / n
  const centre = (p + (z * z) / (2 * n)) / denominator
  const margin = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator
  return { low: Math.max(0, centre - margin), high: Math.min(1, centre + margin) }
}
