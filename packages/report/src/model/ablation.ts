import { verdictOf } from '@cooperbench/results'
import { analysedPairKey, type StoredAnalysis } from '../readers/run-analysis.js'
import { fingerprintMismatch, type StoredFingerprint } from '../readers/run-fingerprints.js'
import { wilsonInterval } from '../statistics/confidence.js'
import { type ComparedSide, judgedByKey } from './deficit.js'

/** How coop agents could coordinate: messages, the shared git remote, both, or neither. */
export type CommunicationMode = 'messaging' | 'no messaging' | 'git' | 'git, no messaging'

/** A count over the ablation's common pairs, with its Wilson 95% interval. */
export interface AblationRate {
  count: number
  rate: number
  ci: { low: number; high: number }
}

/** One coop run of an ablation, measured on the pairs every run of the ablation judged. */
export interface AblationVariant {
  run: string
  mode: CommunicationMode
  /** Both features passed. */
  success: AblationRate
  /** The naive merge of the patches conflicted (whatever the union merge then did). */
  conflicts: AblationRate
  /** Mean share of steps sending or reading messages over the common pairs analysis.json covers; null when it covers none. */
  messagingShare: number | null
  /** Common pairs whose messaging share analysis.json gives (the mean's denominator). */
  messagingSharePairs: number
}

/** Coop runs of one configuration differing only in communication (`--no-messaging`, `--git`): "communication reduces conflicts, not failures". */
export interface Ablation {
  pairSize: number
  /** Pairs judged (passed or failed) in every run: the denominator of every rate. */
  pairs: number
  /** Pairs judged in some runs of the ablation but not in all, left out. */
  dropped: number
  variants: AblationVariant[]
}

/** Coop runs of different modes that are not compared, and why (their configurations differ). */
export interface RefusedAblation {
  pairSize: number
  runs: [string, string]
  reasons: string[]
}

/** One coop row of a run, as the ablation reads it. */
export interface AblationSide extends ComparedSide {
  analysis: StoredAnalysis | null
}

/** The communication mode a coop fingerprint records, or null for a fingerprint without it (an older run). */
export function communicationMode(fingerprint: StoredFingerprint | null): CommunicationMode | null {
  const messaging = fingerprint?.messaging_enabled
  const git = fingerprint?.git_enabled
  if (typeof messaging !== 'boolean') return null
  if (git === true) return messaging ? 'git' : 'git, no messaging'
  return messaging ? 'messaging' : 'no messaging'
}

/** Coop rows comparable as the deficit's (`fingerprintMismatch`) grouped: a group of several modes is an ablation; the rest refused with why. */
export function buildAblations(sides: AblationSide[]): { ablations: Ablation[]; refused: RefusedAblation[] } {
  const groups: Array<Array<AblationSide & { mode: CommunicationMode; fingerprint: StoredFingerprint }>> = []
  const refused: RefusedAblation[] = []
  for (const side of sides) {
    const mode = communicationMode(side.fingerprint)
    if (mode === null || side.fingerprint === null) continue
    const member = { ...side, mode, fingerprint: side.fingerprint }
    const group = groups.find((g) => g[0]!.pairSize === side.pairSize && fingerprintMismatch(g[0]!.fingerprint, member.fingerprint).length === 0)
    if (group) group.push(member)
    else groups.push([member])
  }
  for (const [i, a] of groups.entries()) {
    for (const b of groups.slice(i + 1)) {
      const [first, other] = [a[0]!, b[0]!]
      if (first.pairSize !== other.pairSize || a.every((x) => b.every((y) => x.mode === y.mode))) continue
      refused.push({ pairSize: first.pairSize, runs: [first.run, other.run], reasons: fingerprintMismatch(first.fingerprint, other.fingerprint) })
    }
  }
  const ablations = groups.filter((g) => new Set(g.map((m) => m.mode)).size > 1).map(measure)
  return { ablations, refused }
}

function measure(group: Array<AblationSide & { mode: CommunicationMode }>): Ablation {
  const judged = group.map((side) => judgedByKey(side.pairs))
  const seen = new Set(judged.flatMap((byKey) => [...byKey.keys()]))
  const common = [...seen].filter((key) => judged.every((byKey) => byKey.has(key)))
  const variants = group.map((side, i): AblationVariant => {
    const pairs = common.map((key) => judged[i]!.get(key)!)
    const shares = new Map((side.analysis?.pairs ?? []).map((p) => [analysedPairKey(p), p.signals.messaging_step_share]))
    const known = common.map((key) => shares.get(key)).filter((share) => typeof share === 'number')
    return {
      run: side.run,
      mode: side.mode,
      success: rate(pairs.filter((p) => verdictOf(p.eval) === 'pass').length, pairs.length),
      conflicts: rate(pairs.filter((p) => p.eval?.merge?.status === 'conflicts').length, pairs.length),
      messagingShare: known.length === 0 ? null : known.reduce((sum, x) => sum + x, 0) / known.length,
      messagingSharePairs: known.length,
    }
  })
  return { pairSize: group[0]!.pairSize, pairs: common.length, dropped: seen.size - common.length, variants }
}

function rate(count: number, n: number): AblationRate {
  return { count, rate: n === 0 ? 0 : count / n, ci: wilsonInterval(count, n) }
}
