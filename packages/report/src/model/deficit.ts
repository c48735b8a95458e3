import { type PairFolder, verdictOf } from '@cooperbench/results'
import { fingerprintMismatch, servedElsewhere, type StoredFingerprint, upstreamFilesNote } from '../readers/run-fingerprints.js'
import { type AgreementTable, agreementTable, mcnemarExact, newcombePairedInterval } from '../statistics/paired-statistics.js'
import { type RelativeDeficitEstimate, relativeDeficitInterval } from '../statistics/relative-deficit.js'
import { strategyMix, type StrategyMix } from './policy-rates.js'
import { isJudged, strictPass } from './strict.js'

/** The setting a solo run is compared with (`coop`, `team`, any other but solo). */
export type ComparedSetting = string

/** Solo vs coop (or team) on the pairs both judged, each pair its own control; `coop*` fields hold the multi-agent side. */
export interface Deficit {
  pairSize: number
  /** The setting of the other side: `coop`, `team`, `sequential`, …. */
  setting: ComparedSetting
  soloRun: string
  coopRun: string
  /** Pairs judged in both runs: the denominator of every number below. */
  pairs: number
  /** Pairs left out: finished in one run only, or in both but not judged in both (an evaluation error or no eval.json in one). */
  dropped: { soloOnly: number; coopOnly: number; notJudgedInBoth: number }
  /** Solo and coop rates on the common pairs. */
  solo: number
  coop: number
  agreement: AgreementTable
  /** The headline: (solo − coop) / solo with a Jeffreys (Dirichlet posterior) 95% interval; not estimable when solo passed no pair. */
  relative: RelativeDeficitEstimate
  /** Solo rate minus coop rate in proportion points, with Newcombe's paired 95% interval (method 10). */
  difference: number
  low: number
  high: number
  mcnemar: { discordant: number; pValue: number; method: 'exact binomial' }
  /** How the multi-agent side's common passes were made (naive merge, identical patches, lead alone…); null when it merges nothing. */
  passesBy: StrategyMix | null
  /** The same comparison with strict success (clean merge and every feature passing). */
  strict: { solo: number; coop: number; relative: RelativeDeficitEstimate; difference: number; low: number; high: number }
  /** What could not be checked (e.g. a run without a config.json fingerprint). */
  notes: string[]
}

/** A solo × coop (or team) combination that is not compared, and why. */
export interface RefusedComparison extends Pick<Deficit, 'pairSize' | 'setting' | 'soloRun' | 'coopRun'> {
  reasons: string[]
}

export interface ComparedSide {
  run: string
  pairSize: number
  pairs: PairFolder[]
  /** The setting's fingerprint from the run's config.json, when there is one. */
  fingerprint: StoredFingerprint | null
}

/** The paired deficit of two sides, or why they cannot be compared (fingerprint fields that differ, no common judged pair). */
export function compareSides(solo: ComparedSide, coop: ComparedSide, setting: ComparedSetting = 'coop'): Deficit | RefusedComparison {
  const head = { pairSize: solo.pairSize, setting, soloRun: solo.run, coopRun: coop.run }
  const notes: string[] = []
  let reasons: string[]
  if (solo.fingerprint && coop.fingerprint) {
    reasons = fingerprintMismatch(solo.fingerprint, coop.fingerprint, { upstreamFilePerSetting: true })
    for (const note of [servedElsewhere(solo.fingerprint, coop.fingerprint), upstreamFilesNote(solo.fingerprint, coop.fingerprint)]) if (note) notes.push(note)
  } else {
    reasons = recordMismatch(solo.pairs, coop.pairs)
    const without = [solo.fingerprint ? null : `${solo.run} (solo)`, coop.fingerprint ? null : `${coop.run} (${setting})`].filter(Boolean)
    notes.push(`no config.json fingerprint for ${without.join(' and ')}: only agent and model were compared, not limits or prompts`)
  }
  if (reasons.length > 0) return { ...head, reasons }

  const { matched, dropped: left } = judgedInBoth(solo.pairs, coop.pairs)
  const dropped = { soloOnly: left.firstOnly, coopOnly: left.secondOnly, notJudgedInBoth: left.notJudgedInBoth }
  if (matched.length === 0) return { ...head, reasons: ['no pair was judged (passed or failed) in both runs'] }

  const agreement = agreementTable(matched.map((m) => ({ solo: verdictOf(m.first.eval) === 'pass', coop: verdictOf(m.second.eval) === 'pass' })))
  const strictTable = agreementTable(matched.map((m) => ({ solo: strictPass(m.first), coop: strictPass(m.second) })))
  const n = matched.length
  return {
    ...head,
    pairs: n,
    dropped,
    solo: (agreement.bothPass + agreement.soloOnly) / n,
    coop: (agreement.bothPass + agreement.coopOnly) / n,
    agreement,
    relative: relativeDeficitInterval(agreement),
    ...newcombePairedInterval(agreement),
    mcnemar: mcnemarExact(agreement),
    passesBy: matched.some((m) => m.second.eval?.merge != null) ? strategyMix(matched.map((m) => m.second)) : null,
    strict: {
      solo: (strictTable.bothPass + strictTable.soloOnly) / n,
      coop: (strictTable.bothPass + strictTable.coopOnly) / n,
      relative: relativeDeficitInterval(strictTable),
      ...newcombePairedInterval(strictTable),
    },
    notes,
  }
}

export function isDeficit(c: Deficit | RefusedComparison): c is Deficit {
  return !('reasons' in c)
}

/** The pairs two runs both judged (pass or fail), matched by `pairKey`, and the pairs left out: finished in one only, or not judged in both. */
export function judgedInBoth(first: PairFolder[], second: PairFolder[]) {
  const secondByKey = judgedByKey(second)
  const matched = [...judgedByKey(first)].flatMap(([key, p]) => (secondByKey.has(key) ? [{ first: p, second: secondByKey.get(key)! }] : []))
  const firstKeys = new Set(first.filter((p) => p.result).map(pairKey))
  const secondKeys = new Set(second.filter((p) => p.result).map(pairKey))
  const common = [...firstKeys].filter((k) => secondKeys.has(k)).length
  const dropped = { firstOnly: firstKeys.size - common, secondOnly: secondKeys.size - common, notJudgedInBoth: common - matched.length }
  return { matched, dropped }
}

/** `repo/task/f1_f2`: the identity of a pair across runs. */
export function pairKey(p: Pick<PairFolder, 'repo' | 'taskId' | 'features'>): string {
  return `${p.repo}/${p.taskId}/${p.features.join('_')}`
}

/** The pairs of a run judged (passed or failed), by `pairKey`. */
export function judgedByKey(pairs: PairFolder[]): Map<string, PairFolder> {
  return new Map(pairs.filter(isJudged).map((p) => [pairKey(p), p]))
}

/** Agent and model as the result.json files name them, when a run has no fingerprint to compare. */
export function recordMismatch(solo: PairFolder[], coop: PairFolder[]): string[] {
  const names = (pairs: PairFolder[], field: 'agent_framework' | 'model') =>
    [...new Set(pairs.map((p) => p.result?.[field]).filter((v) => typeof v === 'string'))].sort()
  const lines: string[] = []
  for (const [label, field] of [
    ['agent', 'agent_framework'],
    ['model', 'model'],
  ] as const) {
    const a = names(solo, field)
    const b = names(coop, field)
    if (a.join('\n') !== b.join('\n')) lines.push(`${label}: ${JSON.stringify(a.join(', '))} → ${JSON.stringify(b.join(', '))}`)
  }
  return lines
}
