import { type PairFolder, verdictOf } from '@cooperbench/results'
import { wilsonInterval } from '../statistics/confidence.js'

/**
 * Strict success, what agents are told success is: every feature passes *and* the changes merged cleanly. The reference verdict
 * (`both_passed`) also credits union-merge-resolved conflicts and a patch not applying. A single patch (solo): strict = its verdict.
 */
export function strictPass(pair: PairFolder): boolean {
  if (verdictOf(pair.eval) !== 'pass') return false
  const merge = pair.eval?.merge
  // Nothing merged (solo's one patch, or any setting judging one patch against every feature): nothing conflicted.
  if (!merge) return true
  // Identical patches (cooperbench-0.0.16) had nothing to merge: no conflict either.
  return (merge.status === 'clean' || merge.status === 'identical') && merge.strategy !== 'union'
}

/** How a judged coop pair's patches were combined (`lead_alone`: it conflicted and, under cooperbench-0.0.16, agent1's patch alone was judged, no union). */
export type MergeOutcomeClass = 'clean' | 'union' | 'lead_alone' | 'missing_input'

export interface MergeOutcomeRate {
  outcome: MergeOutcomeClass
  /** Judged pairs (passed or failed) with this merge outcome. */
  pairs: number
  passed: number
  rate: number | null
}

/** Strict rate of the judged pairs: the same denominator as the reference-compatible rate. */
export function strictRate(pairs: PairFolder[]): { passed: number; rate: number | null; ci: { low: number; high: number } | null } {
  const judged = pairs.filter(isJudged)
  const passed = judged.filter(strictPass).length
  return { passed, rate: judged.length ? passed / judged.length : null, ci: judged.length ? wilsonInterval(passed, judged.length) : null }
}

/** Pass rate (reference-compatible) per merge outcome, over judged coop pairs; evaluation errors are not judged. */
export function passRateByMerge(pairs: PairFolder[]): MergeOutcomeRate[] {
  const rows: MergeOutcomeRate[] = []
  for (const outcome of ['clean', 'union', 'lead_alone', 'missing_input'] as const) {
    const members = pairs.filter((p) => isJudged(p) && mergeOutcomeOf(p) === outcome)
    const passed = members.filter((p) => verdictOf(p.eval) === 'pass').length
    // Only cooperbench-0.0.16 judges conflicts by agent1 alone: that row is shown when it has pairs.
    if (outcome === 'lead_alone' && members.length === 0) continue
    rows.push({ outcome, pairs: members.length, passed, rate: members.length ? passed / members.length : null })
  }
  return rows
}

function mergeOutcomeOf(pair: PairFolder): MergeOutcomeClass | null {
  const merge = pair.eval?.merge
  if (!merge) return null
  if (merge.status === 'missing_input') return 'missing_input'
  if (merge.strategy === 'union') return 'union'
  if (merge.status === 'conflicts') return 'lead_alone'
  return merge.status === 'clean' || merge.status === 'identical' ? 'clean' : null
}

/** A pair with a result and a pass or fail verdict (an evaluation error is no verdict). */
export function isJudged(pair: PairFolder): boolean {
  const verdict = verdictOf(pair.eval)
  return pair.result !== null && (verdict === 'pass' || verdict === 'fail')
}
