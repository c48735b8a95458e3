import { type PairFolder, policyOf, verdictOf } from '@cooperbench/core/results'
import type { TeamFeatures } from '@cooperbench/spec/team'
import { fingerprintMismatch } from '../readers/run-fingerprints.js'
import { agreementTable, mcnemarExact, newcombePairedInterval } from '../statistics/paired-statistics.js'
import { type ComparedSide, judgedByKey, recordMismatch } from './deficit.js'
import { communicationOf } from './leaderboard.js'
import { featureFlag, featuresOff, type TeamFeatureName } from './team-features.js'

/** One team row of a run, as the one-feature-off ablation reads it. */
export interface TeamAblationSide extends ComparedSide {
  features: TeamFeatures | null
  featuresMixed: boolean
}

/**
 * One feature off against the baseline, on the pairs both runs judged (pass or fail): each pair
 * is its own control, so the interval and the test are paired.
 */
export interface TeamAblationRow {
  feature: TeamFeatureName
  /** The flag that turned it off (`--team-no-scratchpad`). */
  flag: string
  run: string
  /** Pairs judged in both this run and the baseline: the denominator of every number of the row. */
  pairs: number
  /** Pairs judged in one of the two runs only, or finished in one only: left out. */
  dropped: number
  baselinePassed: number
  passed: number
  /** (passed − baselinePassed) / pairs: negative when turning the feature off cost passes. */
  delta: number
  /** Newcombe's paired 95% interval of `delta` (method 10). */
  low: number
  high: number
  /** Pairs passed by both, by the baseline only, by this run only, by neither. */
  agreement: { bothPass: number; baselineOnly: number; ablatedOnly: number; neither: number }
  mcnemar: { discordant: number; pValue: number; method: 'exact binomial' }
}

/** A baseline team run (every feature on) and the runs of the same configuration with one feature off. */
export interface TeamAblation {
  teamSize: number
  baseline: { run: string; passed: number; judged: number }
  rows: TeamAblationRow[]
  /** What the reader must know: no fingerprint to check limits and prompts, another baseline not used. */
  notes: string[]
}

/** A team run left out of every ablation, and why. */
export interface RefusedTeamAblation {
  teamSize: number
  run: string
  /** The baseline it was checked against, when there is one of its team size. */
  baseline: string | null
  reasons: string[]
}

/**
 * The one-feature-off ablation of upstream's team study (PR #58: a baseline with every feature on
 * and a run per feature off), with what upstream's table lacks: per flag, on the pairs both runs
 * judged, Newcombe's paired interval of the difference and McNemar's exact test. A run is compared
 * with a baseline of its team size only when agent, model, limits and prompts (the fingerprint),
 * the communication mode and the evaluation policy agree; otherwise it is refused with why.
 */
export function buildTeamAblations(sides: TeamAblationSide[]): { ablations: TeamAblation[]; refused: RefusedTeamAblation[] } {
  const refused: RefusedTeamAblation[] = []
  const baselines = sides
    .filter((s) => s.features !== null && !s.featuresMixed && featuresOff(s.features).length === 0)
    .sort((a, b) => a.run.localeCompare(b.run))
  const variants = sides.filter((s) => !baselines.includes(s))
  if (variants.length === 0) return { ablations: [], refused }
  const members = new Map<TeamAblationSide, TeamAblationSide[]>(baselines.map((b) => [b, []]))
  for (const side of variants) {
    const off = side.features ? featuresOff(side.features) : []
    const head = { teamSize: side.teamSize, run: side.run }
    if (side.featuresMixed) {
      refused.push({ ...head, baseline: null, reasons: ['its pairs were run with different team features (result.json team_features)'] })
      continue
    }
    if (side.features === null) {
      refused.push({ ...head, baseline: null, reasons: ['its team features are unknown (no team_features in result.json or config.json)'] })
      continue
    }
    if (off.length > 1) {
      refused.push({ ...head, baseline: null, reasons: [`${off.length} features off (${off.join(', ')}): the table compares runs with exactly one off`] })
      continue
    }
    const candidates = baselines.filter((b) => b.teamSize === side.teamSize)
    if (candidates.length === 0) {
      refused.push({ ...head, baseline: null, reasons: ['no baseline run (every team feature on) of the same team size'] })
      continue
    }
    const checked = candidates.map((b) => ({ baseline: b, reasons: mismatch(b, side) }))
    const match = checked.find((c) => c.reasons.length === 0)
    if (match) members.get(match.baseline)!.push(side)
    else refused.push({ ...head, baseline: checked[0]!.baseline.run, reasons: checked[0]!.reasons })
  }
  const ablations = [...members.entries()].filter(([, runs]) => runs.length > 0).map(([baseline, runs]) => measure(baseline, runs, baselines))
  return { ablations, refused }
}

/** Why a run cannot be set against a baseline: the fingerprint's compared fields, the communication mode, the evaluation policy. */
function mismatch(baseline: TeamAblationSide, side: TeamAblationSide): string[] {
  const reasons =
    baseline.fingerprint && side.fingerprint ? fingerprintMismatch(baseline.fingerprint, side.fingerprint) : recordMismatch(baseline.pairs, side.pairs)
  const [a, b] = [communicationOf(baseline.fingerprint), communicationOf(side.fingerprint)]
  if (a !== b) reasons.push(`communication: ${JSON.stringify(a)} → ${JSON.stringify(b)}`)
  const [p, q] = [policiesOf(baseline.pairs), policiesOf(side.pairs)]
  if (p !== q) reasons.push(`evaluation policy: ${JSON.stringify(p)} → ${JSON.stringify(q)}`)
  return reasons
}

/** The evaluation policies of a run's verdicts, joined (`cooperbench-0.0.16`); two means the run mixes them. */
function policiesOf(pairs: PairFolder[]): string {
  return [...new Set(pairs.flatMap((p) => (p.eval ? [policyOf(p.eval)] : [])))].sort().join(' + ')
}

function measure(baseline: TeamAblationSide, runs: TeamAblationSide[], allBaselines: TeamAblationSide[]): TeamAblation {
  const base = judgedByKey(baseline.pairs)
  const finished = (pairs: PairFolder[]) => new Set(pairs.filter((p) => p.result).map((p) => `${p.repo}/${p.taskId}/${p.features.join('_')}`))
  const baseFinished = finished(baseline.pairs)
  const rows = runs.map((side): TeamAblationRow => {
    const other = judgedByKey(side.pairs)
    const common = [...base.keys()].filter((key) => other.has(key))
    const outcomes = common.map((key) => ({ solo: verdictOf(base.get(key)!.eval) === 'pass', coop: verdictOf(other.get(key)!.eval) === 'pass' }))
    const table = agreementTable(outcomes)
    // The paired statistics are written as first − second: the baseline first, so the difference is negated.
    const interval = newcombePairedInterval(table)
    const seen = new Set([...baseFinished, ...finished(side.pairs)])
    const feature = featuresOff(side.features!)[0]!
    const baselinePassed = table.bothPass + table.soloOnly
    const passed = table.bothPass + table.coopOnly
    return {
      feature,
      flag: featureFlag(feature),
      run: side.run,
      pairs: common.length,
      dropped: seen.size - common.length,
      baselinePassed,
      passed,
      delta: common.length === 0 ? 0 : (passed - baselinePassed) / common.length,
      low: common.length === 0 ? -1 : -interval.high,
      high: common.length === 0 ? 1 : -interval.low,
      agreement: { bothPass: table.bothPass, baselineOnly: table.soloOnly, ablatedOnly: table.coopOnly, neither: table.neither },
      mcnemar: mcnemarExact(table),
    }
  })
  const order = (f: TeamFeatureName) => ['task_list', 'scratchpad', 'mcp', 'auto_refresh', 'protocol'].indexOf(f)
  rows.sort((a, b) => order(a.feature) - order(b.feature) || a.run.localeCompare(b.run))
  const notes: string[] = []
  const without = [baseline, ...runs].filter((s) => s.fingerprint === null).map((s) => s.run)
  if (without.length > 0) notes.push(`no config.json fingerprint for ${without.join(', ')}: only agent, model, communication and policy were compared`)
  const others = allBaselines.filter((b) => b !== baseline && b.teamSize === baseline.teamSize && mismatch(baseline, b).length === 0).map((b) => b.run)
  if (others.length > 0) notes.push(`${others.join(', ')} of the same configuration also had every feature on; the baseline here is ${baseline.run}`)
  const judgedBase = [...base.values()]
  return {
    teamSize: baseline.teamSize,
    baseline: { run: baseline.run, passed: judgedBase.filter((p) => verdictOf(p.eval) === 'pass').length, judged: judgedBase.length },
    rows,
    notes,
  }
}
