import type { RerunEvidence } from '../api/rerun/rerun-evidence.js'

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`

/**
 * `verify --rerun`'s block: the draw (its seed, to draw it again), agreement, each pair that
 * disagreed or failed to rerun, and the bundle's rate against the reruns' interval.
 */
export function rerunEvidenceLines(evidence: RerunEvidence): string[] {
  const { seed, asked, pairs, agree, disagree, errors, rerunRate, claimedRate, interval, bundleRate, bundleRateInside } = evidence
  const fewer = pairs.length < asked ? ` (${asked} asked; the bundle has ${pairs.length} judged pairs)` : ''
  const lines = [`reran ${pairs.length} pair(s) drawn with --seed ${seed}${fewer} under the bundle's claim:`]
  lines.push(`  ${agree} of ${pairs.length} agree with the bundle's verdicts, ${disagree} disagree, ${errors} could not be rerun (errors count neither way)`)
  for (const pair of pairs) {
    if (pair.rerun === 'error') lines.push(`  error  ${pair.pair}: ${pair.error}`)
    else if (pair.rerun !== pair.bundled) lines.push(`  differs ${pair.pair}: ${pair.bundled} in the bundle, ${pair.rerun} when rerun`)
  }
  if (rerunRate === null || claimedRate === null) return [...lines, '  no rerun gave a verdict: nothing to compare the rate with']
  lines.push(
    `  reruns pass ${percent(rerunRate)} (95% Wilson interval ${percent(interval.low)}–${percent(interval.high)}), the bundle ${percent(claimedRate)} on the same pairs`,
  )
  if (bundleRate !== null)
    lines.push(`  the bundle's rate over all its judged pairs, ${percent(bundleRate)}, is ${bundleRateInside ? 'inside' : 'OUTSIDE'} the reruns' interval`)
  return lines
}
