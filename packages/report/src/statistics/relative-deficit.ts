import type { AgreementTable } from './paired-statistics.js'
import { mulberry32 } from './seeded-random.js'

/** The relative deficit, 1 − coop rate / solo rate on paired outcomes, with its 95% interval or why it has none. */
export interface RelativeDeficitEstimate {
  /** (solo passes − coop passes) / solo passes; null when it is not estimable. */
  value: number | null
  /** Bounds of the 95% equal-tailed posterior interval; null when `value` is null. The lower bound may be below −1 (coop passing more than twice as often). */
  low: number | null
  high: number | null
  /** Why there is no value (solo passed no pair), else null. */
  notEstimable: string | null
  method: 'jeffreys-dirichlet'
  /** Monte Carlo draws of the posterior and the seed that makes them repeatable. */
  draws: number
  seed: number
}

const DRAWS = 40_000
const SEED = 20_260_101

/**
 * (b − c) / (a + b) of an agreement table (a both, b solo only, c coop only) with a Jeffreys-prior interval: the 2.5% and 97.5% quantiles of
 * (π_b − π_c) / (π_a + π_b) over seeded draws from the Dirichlet(a + ½, b + ½, c + ½, d + ½) posterior. Unlike a bootstrap it has width when
 * all pairs agree (b = c = 0) and with few pairs (the posterior allows unseen discordant pairs); unlike a normal approximation it needs no
 * large counts. When coop passed none (a = c = 0) the estimate 1 is the boundary, so the upper bound is 1 (as the Jeffreys binomial at x = 0).
 */
export function relativeDeficitInterval(t: AgreementTable, seed = SEED): RelativeDeficitEstimate {
  const head = { method: 'jeffreys-dirichlet' as const, draws: DRAWS, seed }
  const soloPassed = t.bothPass + t.soloOnly
  if (soloPassed === 0) return { value: null, low: null, high: null, notEstimable: 'solo passed no pair: the ratio has no denominator', ...head }
  const value = (t.soloOnly - t.coopOnly) / soloPassed
  const key = `${t.bothPass},${t.soloOnly},${t.coopOnly},${seed}`
  const known = computed.get(key)
  if (known) return { value, ...known, notEstimable: null, ...head }
  const random = mulberry32(seed)
  // The ratio does not depend on the "neither" cell: the Dirichlet's normalisation cancels.
  const samples = new Float64Array(DRAWS)
  for (let i = 0; i < DRAWS; i++) {
    const a = gamma(t.bothPass + 0.5, random)
    const b = gamma(t.soloOnly + 0.5, random)
    const c = gamma(t.coopOnly + 0.5, random)
    samples[i] = (b - c) / (a + b)
  }
  samples.sort()
  const coopPassed = t.bothPass + t.coopOnly
  const bounds = { low: quantile(samples, 0.025), high: coopPassed === 0 ? 1 : quantile(samples, 0.975) }
  // A viewer re-reads its runs every few seconds: the same tables need not be sampled again.
  if (computed.size >= MEMO_SIZE) computed.delete(computed.keys().next().value!)
  computed.set(key, bounds)
  return { value, ...bounds, notEstimable: null, ...head }
}

/** Bounds already sampled, by table and seed (the draws are seeded, so they are the same every time). */
const computed = new Map<string, { low: number | null; high: number | null }>()
const MEMO_SIZE = 2000

/** Linear interpolation between order statistics (R's type 7) of an ascending array. */
export function quantile(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null
  const h = (sorted.length - 1) * q
  const lo = Math.floor(h)
  const hi = Math.min(sorted.length - 1, lo + 1)
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!)
}

/** A Gamma(shape, 1) draw: Marsaglia and Tsang (2000), with the U^(1/shape) boost below shape 1. */
function gamma(shape: number, random: () => number): number {
  if (shape < 1) return gamma(shape + 1, random) * (1 - random()) ** (1 / shape)
  const d = shape - 1 / 3
  const c = 1 / Math.sqrt(9 * d)
  for (;;) {
    const x = normal(random)
    const v = (1 + c * x) ** 3
    if (v <= 0) continue
    const u = 1 - random()
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v
  }
}

/** A standard normal draw (Box–Muller). */
function normal(random: () => number) {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}
