import { wilsonInterval } from '@cooperbench/report'

/** A bundled verdict the reruns are compared with: errors are left out of the draw (nothing to agree with). */
export type BundledVerdict = 'pass' | 'fail'

/** What a rerun gave: a verdict, or an error (infrastructure, the dataset, no verdict), never counted as agreeing or not. */
export type RerunVerdict = BundledVerdict | 'error'

export interface RerunPair {
  /** `<run>/<setting>/<repo>/<task>/<pair>`, as the bundle files it. */
  pair: string
  bundled: BundledVerdict
  rerun: RerunVerdict
  /** Why the rerun is an error. */
  error?: string
}

/** `verify --rerun`: the drawn pairs run again under the claim, and what they say of the bundle's rate. */
export interface RerunEvidence {
  /** The seed the pairs were drawn with (`--seed` draws them again). */
  seed: number
  /** Pairs asked for; fewer are drawn when the bundle has fewer judged pairs. */
  asked: number
  pairs: RerunPair[]
  /** Reruns whose verdict is the bundle's, and whose is not; errors are neither. */
  agree: number
  disagree: number
  errors: number
  /** Over the reruns with a verdict: their pass rate, the bundle's on the same pairs, the Wilson 95 % interval of the reruns'. */
  rerunRate: number | null
  claimedRate: number | null
  interval: { low: number; high: number }
  /** The bundle's pass rate over all its judged pairs, and whether the reruns' interval holds it. */
  bundleRate: number | null
  bundleRateInside: boolean | null
}

/** The evidence of reruns: agreement pair by pair, and the bundle's rate against the reruns' binomial interval. */
export function rerunEvidence(draw: { seed: number; asked: number }, pairs: RerunPair[], bundle: { passed: number; judged: number }): RerunEvidence {
  const judged = pairs.filter((p) => p.rerun !== 'error')
  const agree = judged.filter((p) => p.rerun === p.bundled).length
  const rerunPasses = judged.filter((p) => p.rerun === 'pass').length
  const rate = (passed: number, n: number) => (n === 0 ? null : passed / n)
  const interval = wilsonInterval(rerunPasses, judged.length)
  const bundleRate = rate(bundle.passed, bundle.judged)
  return {
    ...draw,
    pairs,
    agree,
    disagree: judged.length - agree,
    errors: pairs.length - judged.length,
    rerunRate: rate(rerunPasses, judged.length),
    claimedRate: rate(judged.filter((p) => p.bundled === 'pass').length, judged.length),
    interval,
    // Without a rerun verdict the interval is all of [0, 1] and says nothing: no answer, not "inside".
    bundleRateInside: bundleRate === null || judged.length === 0 ? null : within(bundleRate, interval),
    bundleRate,
  }
}

/** Wilson's bounds of all passes (or none) are 1 (or 0) up to rounding: a rate on the bound is inside. */
function within(rate: number, interval: { low: number; high: number }) {
  const slack = 1e-9
  return rate >= interval.low - slack && rate <= interval.high + slack
}
