import type { CategoryShare } from '../readers/run-analysis.js'
import type { StoredFingerprint } from '../readers/run-fingerprints.js'
import { wilsonInterval } from '../statistics/confidence.js'
import type { RelativeDeficitEstimate } from '../statistics/relative-deficit.js'
import type { Deficit, ComparedSetting } from './deficit.js'
import type { StrategyMix } from './policy-rates.js'

/** A rate with its Wilson 95% interval. */
export interface RateWithInterval {
  rate: number
  low: number
  high: number
}

/** What the leaderboard needs of each run's coop (or team) row besides its deficits. */
export interface LeaderboardRun {
  name: string
  /** The multi-agent side's setting: coop, team, …. */
  setting: ComparedSetting
  /** What tells its run apart from its setting's others (the team's `all features`, `no scratchpad` …); null when its setting names none. */
  variant: string | null
  agent: string | null
  model: string | null
  /** False when the coop run's agent calls no model (the oracle): `model` is null by design, not unknown. */
  usesModel: boolean
  coopFingerprint: StoredFingerprint | null
  /** The coop run's failure categories (cooperbench analyze), when it has an analysis. */
  analysis: { judged: number; categories: CategoryShare[] } | null
  /** The evaluation policy of its own verdicts (eval.json; null without any): runs of two policies are two rows. */
  policy: string | null
}

/** An agent × model row from one comparable solo × coop (or team) pair of runs on their common judged pairs; `coop*` is the multi-agent side. */
export interface LeaderboardRow extends Omit<LeaderboardRun, 'name' | 'coopFingerprint'> {
  pairSize: number
  /** How the coop agents could talk: `messaging`, `git`, `messaging + git` or `none` (null without a fingerprint). */
  communication: string | null
  soloRun: string
  coopRun: string
  /** Common judged pairs: the denominator of every rate of the row. */
  pairs: number
  solo: RateWithInterval
  coop: RateWithInterval
  relative: RelativeDeficitEstimate
  /** The coop run's strict rate (clean merge and every feature passing) on the common pairs. */
  strict: RateWithInterval
  /** How the coop (team) run's passes on the common pairs were made: under 0.0.16 many are agent1's patch alone; null when it merges nothing. */
  passesBy: StrategyMix | null
  /** Other comparable solo × coop combinations of the same row key, not shown (the row uses the one with most common pairs). */
  otherComparisons: number
}

/**
 * Comparable run pairs only (the deficits): a row per agent × model × pair size × setting × communication (× variant) × policy,
 * the one with most common pairs; sorted by agent, model, pair size, setting name. Runs are never pooled (no pair counted twice).
 */
export function buildLeaderboard(deficits: readonly Deficit[], runs: readonly LeaderboardRun[]): LeaderboardRow[] {
  const groups = new Map<string, Deficit[]>()
  const runOf = (d: Deficit) => runs.find((r) => r.name === d.coopRun && r.setting === d.setting)
  const keyOf = (d: Deficit) => {
    const coop = runOf(d)
    const key = [coop?.agent ?? null, coop?.model ?? null, coop?.usesModel ?? true, d.setting, d.pairSize, communicationOf(coop?.coopFingerprint ?? null)]
    return JSON.stringify([...key, coop?.variant ?? null, coop?.policy ?? null])
  }
  for (const d of deficits) groups.set(keyOf(d), [...(groups.get(keyOf(d)) ?? []), d])
  const rows: LeaderboardRow[] = []
  for (const members of groups.values()) {
    const d = [...members].sort((a, b) => b.pairs - a.pairs || a.soloRun.localeCompare(b.soloRun) || a.coopRun.localeCompare(b.coopRun))[0]!
    const coop = runOf(d)
    const rate = (passed: number): RateWithInterval => ({ rate: passed / d.pairs, ...wilsonInterval(passed, d.pairs) })
    const a = d.agreement
    rows.push({
      setting: d.setting,
      variant: coop?.variant ?? null,
      agent: coop?.agent ?? null,
      model: coop?.model ?? null,
      usesModel: coop?.usesModel ?? true,
      pairSize: d.pairSize,
      communication: communicationOf(coop?.coopFingerprint ?? null),
      policy: coop?.policy ?? null,
      soloRun: d.soloRun,
      coopRun: d.coopRun,
      pairs: d.pairs,
      solo: rate(a.bothPass + a.soloOnly),
      coop: rate(a.bothPass + a.coopOnly),
      relative: d.relative,
      strict: rate(Math.round(d.strict.coop * d.pairs)),
      passesBy: d.passesBy,
      analysis: coop?.analysis ?? null,
      otherComparisons: members.length - 1,
    })
  }
  const text = (v: string | null) => v ?? '\uffff'
  return rows.sort(
    (x, y) =>
      text(x.agent).localeCompare(text(y.agent)) ||
      text(x.model).localeCompare(text(y.model)) ||
      x.pairSize - y.pairSize ||
      x.setting.localeCompare(y.setting) ||
      text(x.variant).localeCompare(text(y.variant)) ||
      text(x.communication).localeCompare(text(y.communication)) ||
      text(x.policy).localeCompare(text(y.policy)),
  )
}

/** `messaging`, `git`, `messaging + git` or `none`, from a coop fingerprint; null without one. */
export function communicationOf(fingerprint: StoredFingerprint | null): string | null {
  if (!fingerprint) return null
  const parts = [fingerprint.messaging_enabled === true ? 'messaging' : null, fingerprint.git_enabled === true ? 'git' : null].filter(Boolean)
  return parts.length ? parts.join(' + ') : 'none'
}
