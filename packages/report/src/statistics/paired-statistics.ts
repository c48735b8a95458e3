import { wilsonInterval } from './confidence.js'

/** The 2×2 agreement table of solo and coop runs on the same pairs: each pair once, by whether each side passed it. */
export interface AgreementTable {
  bothPass: number
  soloOnly: number
  coopOnly: number
  neither: number
}

/** One pair judged in both runs: did solo pass it, did coop pass it. */
export interface PairedOutcome {
  solo: boolean
  coop: boolean
}

export function agreementTable(outcomes: readonly PairedOutcome[]): AgreementTable {
  const table = { bothPass: 0, soloOnly: 0, coopOnly: 0, neither: 0 }
  for (const o of outcomes) {
    if (o.solo && o.coop) table.bothPass++
    else if (o.solo) table.soloOnly++
    else if (o.coop) table.coopOnly++
    else table.neither++
  }
  return table
}

function tableTotal(t: AgreementTable) {
  return t.bothPass + t.soloOnly + t.coopOnly + t.neither
}

/**
 * Newcombe's square-and-add interval for solo − coop paired rates: method 10 of Newcombe (1998), "Improved confidence intervals for
 * the difference between binomial proportions based on paired data". Combines the marginal Wilson intervals with their correlation
 * φ, a positive ad − bc first reduced by n/2 (down to 0). Never leaves [−1, 1].
 */
export function newcombePairedInterval(t: AgreementTable): { difference: number; low: number; high: number } {
  const n = tableTotal(t)
  if (n === 0) return { difference: 0, low: -1, high: 1 }
  const soloPassed = t.bothPass + t.soloOnly
  const coopPassed = t.bothPass + t.coopOnly
  const p1 = soloPassed / n
  const p2 = coopPassed / n
  const w1 = wilsonInterval(soloPassed, n)
  const w2 = wilsonInterval(coopPassed, n)
  const phi = pairedCorrelation(t)
  const d = p1 - p2
  const below = Math.sqrt(Math.max(0, (p1 - w1.low) ** 2 - 2 * phi * (p1 - w1.low) * (w2.high - p2) + (w2.high - p2) ** 2))
  const above = Math.sqrt(Math.max(0, (p2 - w2.low) ** 2 - 2 * phi * (p2 - w2.low) * (w1.high - p1) + (w1.high - p1) ** 2))
  return { difference: d, low: Math.max(-1, d - below), high: Math.min(1, d + above) }
}

/** φ of Newcombe's method 10: 0 when a margin is empty; a positive ad − bc is reduced by n/2 first. */
function pairedCorrelation(t: AgreementTable) {
  const n = tableTotal(t)
  const margins = [t.bothPass + t.soloOnly, t.coopOnly + t.neither, t.bothPass + t.coopOnly, t.soloOnly + t.neither]
  if (margins.some((m) => m === 0)) return 0
  const product = margins.reduce((a, b) => a * b, 1)
  const cross = t.bothPass * t.neither - t.soloOnly * t.coopOnly
  const corrected = cross > n / 2 ? cross - n / 2 : cross >= 0 ? 0 : cross
  return corrected / Math.sqrt(product)
}

/**
 * McNemar's exact test of "solo and coop pass equally often": under the null each of the b + c discordant pairs is solo-only with
 * probability ½, so p is twice the smaller binomial tail (capped at 1), exact at every count (no χ² switch); 1 with none discordant.
 */
export function mcnemarExact(t: AgreementTable): { discordant: number; pValue: number; method: 'exact binomial' } {
  const b = t.soloOnly
  const c = t.coopOnly
  const m = b + c
  return { discordant: m, pValue: m === 0 ? 1 : Math.min(1, 2 * binomialHalfCdf(Math.min(b, c), m)), method: 'exact binomial' }
}

/** P(X ≤ k) for X ~ Binomial(m, ½), summed in log space so large m neither overflows nor underflows. */
export function binomialHalfCdf(k: number, m: number): number {
  if (k >= m) return 1
  let logTerm = -m * Math.LN2 // log C(m, 0) / 2^m
  let sum = Math.exp(logTerm)
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((m - i + 1) / i)
    sum += Math.exp(logTerm)
  }
  return Math.min(1, sum)
}
