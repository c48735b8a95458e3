import { type PairFolder, verdictOf } from '@cooperbench/core/results'
import { type EvaluationPolicy, type Setting, CooperbenchError } from '@cooperbench/spec'
import { type PolicyRate, policyNotes, policyRates } from './policy-rates.js'
import type { AnalysisSignalsSummary, CategoryShare, StoredAnalysis } from '../readers/run-analysis.js'
import type { StoredFingerprint } from '../readers/run-fingerprints.js'
import { wilsonInterval } from '../statistics/confidence.js'
import { type Ablation, buildAblations, type RefusedAblation } from './ablation.js'
import { compareSides, type Deficit, isDeficit, type RefusedComparison } from './deficit.js'
import { type EvalErrorCauses, evalErrorCauses } from './error-causes.js'
import { buildLeaderboard, communicationOf, type LeaderboardRow } from './leaderboard.js'
import { type MergeOutcomeRate, passRateByMerge, strictRate } from './strict.js'
import { buildTeamAblations, type RefusedTeamAblation, type TeamAblation } from './team-ablation.js'
import { featuresText } from './team-features.js'
import { type TeamRowReport, teamRowOf } from './team-row.js'
import { type RowTiming, rowTiming } from './timing.js'
import type { RateRow } from './rate-row.js'

export type { RateRow } from './rate-row.js'

export interface SettingReport extends RateRow {
  setting: Setting
  /** Features per pair (team); rates of different team sizes are never pooled. */
  teamSize: number
  /** The run was interrupted (its summary says so): the rates cover its finished pairs only. */
  interrupted: boolean
  /**
   * Entries of the run's subset its dataset lacked, which it skipped (its summary.json's
   * `subset_entries_missing`, for the setting of its last invocation): the run covers fewer pairs than its subset.
   */
  subsetEntriesMissing: string[]
  /** Agents that did not submit, by whose failure it was (`infra` is worth a rerun; `dataset`: a defective task). */
  failures: { infra: number; dataset: number; agent: number }
  /** The row's evaluation errors (`errors`: no verdict, not fails) by the cause their eval.json names. */
  errorCauses: EvalErrorCauses
  runs: string[]
  /** Coop and team: how the agents could talk (`messaging`, `git`, `messaging + git`, `none`), from the fingerprint; null for solo or without one. */
  communication: string | null
  /** Agent and model of the run, from its fingerprint, else from its result.json files (null when unknown or mixed). */
  agent: string | null
  model: string | null
  /**
   * False when the run's records say its agent calls no model (`model: null` in config.json or in
   * every result.json: the oracle): `model` is then null by design, not unknown.
   */
  usesModel: boolean
  /** Summed from result.json; a lower bound when `costUnknownPairs` > 0, and meaningless when every pair's cost is unknown. */
  cost: number
  /** Pairs whose agents called a model without a known price (`pairsWithUnknownCost`): their cost is unknown, not $0. */
  costUnknownPairs: number
  merge: { clean: number; conflicts: number; union: number; missing_input: number; error: number }
  /** Strict success (clean merge and every feature passing) over the same judged pairs as `rate`. */
  strict: { passed: number; rate: number | null; ci: { low: number; high: number } | null }
  /** Coop and team (empty for solo): the reference-compatible pass rate of judged pairs per merge outcome. */
  byMerge: MergeOutcomeRate[]
  /** Median time per pair and the run's wall time (from result.json's times). */
  timing: RowTiming
  /** Team rows only: the lead, the features and the task board's metrics; null for solo and coop. */
  team: TeamRowReport | null
  perRepo: Array<RateRow & { repo: string }>
  /**
   * Coop and team (empty for solo, which every policy judges alike): the rate under each evaluation
   * policy the run has verdicts for, its own (eval.json, the rate above) first, then re-scores.
   */
  policies: PolicyRate[]
}

export interface RunReport {
  /**
   * One entry per run, setting and team size: solo, coop, then team; smaller teams first. Two runs are
   * never pooled: the same pair counted twice would make an interval falsely narrow.
   */
  settings: SettingReport[]
  /**
   * Files of pair folders that exist but cannot be read (not JSON, or not of their record's shape),
   * one entry per file with the pair's folder and why. Their pairs are left out of every count; a
   * re-score's `eval.<policy>.json`, of that policy's rate.
   */
  unreadable: Array<{ run: string; dir: string; problem: string }>
  /**
   * The headline deficit: of the runs named by `solo`/`coop` when given, else the first comparable
   * solo × coop combination of pairs (else of the smallest team size that has one; a solo × team
   * one only when no solo × coop combination is comparable).
   */
  deficit: Deficit | null
  /** The deficit of every comparable solo row and coop (or team) row of the same team size (or of the named runs). */
  deficits: Deficit[]
  /** Solo × coop (and solo × team) combinations of the same team size that are not compared, with the fields that differ. */
  refused: RefusedComparison[]
  /** Per coop run with an analysis.json: the failure categories with intervals and the signals beside them. */
  analyses: RunAnalysisReport[]
  /** Coop runs of one configuration with and without messaging or git, side by side on their common pairs. */
  ablations: Ablation[]
  /** Coop runs of different communication modes whose configurations differ: not compared, with why. */
  refusedAblations: RefusedAblation[]
  /** Team runs: a baseline (every feature on) and the runs of its configuration with one feature off, paired per flag. */
  teamAblations: TeamAblation[]
  /** Team runs with features off that no baseline could be set against, with why. */
  refusedTeamAblations: RefusedTeamAblation[]
  /** One row per agent × model (× team size × setting × communication mode × team features), from comparable solo × coop and solo × team runs only. */
  leaderboard: LeaderboardRow[]
  /** Said wherever coop rates of different evaluation policies meet in one report (`policyNotes`). */
  policyNotes: string[]
}

/** What a coop run's analysis.json says, as the report shows it. */
export interface RunAnalysisReport {
  run: string
  analyzedAt: string | null
  /** The judge behind the categories; null when only the signals were computed. */
  judge: { model: string; prompt_version: string } | null
  /** Coop pairs analysis.json covers, and finished coop pairs the run has now (more: the analysis is older than the run). */
  pairsAnalyzed: number
  coopPairs: number
  failed: number
  judged: number
  /** Share of judged failed pairs per category with Wilson 95% intervals: a model's judgement, not ground truth. */
  categories: CategoryShare[]
  /** Means over the analysed evaluated pairs, computed without a model. */
  signals: AnalysisSignalsSummary
}

/** One run as `buildReport` reads it. */
export interface ReportRun {
  name: string
  pairs: PairFolder[]
  interrupted?: boolean
  /** The subset entries the run's last invocation skipped because its dataset lacked them, and that invocation's setting (summary.json). */
  subsetMissing?: { setting: Setting; entries: string[] }
  /** Each setting's fingerprint from the run's config.json (`readRunFingerprints`). */
  fingerprints?: Partial<Record<Setting, StoredFingerprint>>
  /** Folders of pairs whose cost is unknown (`pairsWithUnknownCost`). */
  unknownCost?: ReadonlySet<string>
  /** The run's analysis.json (`readRunAnalysis`), when it has one. */
  analysis?: StoredAnalysis | null
  /** Verdicts of `eval --policy` re-scores (`eval.<policy>.json`), by policy. */
  rescored?: Partial<Record<EvaluationPolicy, PairFolder[]>>
}

/** Which runs to compare: both names, or neither (then every comparable combination). */
export interface ReportSelection {
  solo?: string
  coop?: string
}

/** Everything `cooperbench report` prints, computed from the pair folders of one or more runs. */
export function buildReport(allRuns: ReportRun[], selection: ReportSelection = {}): RunReport {
  // A pair whose result.json or eval.json cannot be read is named, and counted nowhere else: as
  // failed, not evaluated or running it would be a guess.
  const unreadable = allRuns.flatMap(unreadableFiles)
  const runs = allRuns.map((run) => ({ ...run, pairs: run.pairs.filter((p) => p.unreadable.length === 0) }))
  const settings: SettingReport[] = []
  const sizes = [...new Set(runs.flatMap((run) => run.pairs.map((p) => p.features.length)))].sort((a, b) => a - b)
  for (const setting of SETTING_ORDER)
    for (const teamSize of sizes)
      for (const run of runs) {
        const members = run.pairs.filter((p) => p.setting === setting && p.features.length === teamSize && p.result).map((p) => ({ run: run.name, pair: p }))
        if (members.length === 0) continue
        const pairs = members.map((m) => m.pair)
        const merge = { clean: 0, conflicts: 0, union: 0, missing_input: 0, error: 0 }
        for (const p of pairs) {
          const m = p.eval?.merge
          if (!m) continue
          if (m.status === 'clean') merge.clean++
          else if (m.status === 'conflicts') merge.conflicts++
          else if (m.status === 'missing_input') merge.missing_input++
          else if (m.status === 'error') merge.error++
          if (m.strategy === 'union') merge.union++
        }
        const repos = [...new Set(pairs.map((p) => p.repo))].sort()
        const fingerprint = run.fingerprints?.[setting]
        const multi = setting !== 'solo'
        settings.push({
          setting,
          teamSize,
          runs: [run.name],
          ...agentAndModel(pairs, fingerprint),
          communication: multi ? communicationOf(fingerprint ?? null) : null,
          interrupted: run.interrupted === true,
          subsetEntriesMissing: run.subsetMissing?.setting === setting ? [...run.subsetMissing.entries] : [],
          failures: countFailures(pairs),
          errorCauses: evalErrorCauses(pairs),
          cost: round6(pairs.reduce((sum, p) => sum + (p.result?.total_cost ?? 0), 0)),
          costUnknownPairs: pairs.filter((p) => run.unknownCost?.has(p.dir)).length,
          ...rateRow(pairs),
          merge,
          strict: strictRate(pairs),
          byMerge: multi ? passRateByMerge(pairs) : [],
          timing: rowTiming(pairs),
          team: setting === 'team' ? teamRowOf(pairs, fingerprint) : null,
          perRepo: repos.map((repo) => ({ repo, ...rateRow(pairs.filter((p) => p.repo === repo)) })),
          policies: multi ? policyRates(pairs, run.rescored ?? {}) : [],
        })
      }
  // Settings sort solo, coop, team; within a setting, smaller teams first.
  settings.sort((a, b) => SETTING_ORDER.indexOf(a.setting) - SETTING_ORDER.indexOf(b.setting) || a.teamSize - b.teamSize)
  const { deficits, refused } = compareSettings(runs, settings, selection)
  const coopSides = settings
    .filter((row) => row.setting === 'coop')
    .map((row) => {
      const run = runs.find((r) => r.name === row.runs[0])!
      const pairs = run.pairs.filter((p) => p.setting === 'coop' && p.features.length === row.teamSize)
      return { run: run.name, teamSize: row.teamSize, pairs, fingerprint: run.fingerprints?.coop ?? null, analysis: run.analysis ?? null }
    })
  const { ablations, refused: refusedAblations } = buildAblations(coopSides)
  const teamSides = settings
    .filter((row) => row.setting === 'team')
    .map((row) => {
      const run = runs.find((r) => r.name === row.runs[0])!
      const pairs = run.pairs.filter((p) => p.setting === 'team' && p.features.length === row.teamSize)
      const team = row.team!
      return {
        run: run.name,
        teamSize: row.teamSize,
        pairs,
        fingerprint: run.fingerprints?.team ?? null,
        features: team.features,
        featuresMixed: team.featuresMixed,
      }
    })
  const { ablations: teamAblations, refused: refusedTeamAblations } = buildTeamAblations(teamSides)
  return {
    settings,
    unreadable,
    deficit: headlineDeficit(deficits),
    deficits,
    refused,
    analyses: runs.flatMap((run) => (run.analysis ? [analysisReport(run, run.analysis)] : [])),
    ablations,
    refusedAblations,
    teamAblations,
    refusedTeamAblations,
    policyNotes: policyNotes(
      settings
        .filter((row) => row.setting !== 'solo')
        .map((row) => ({ run: `${row.runs.join(', ')}${row.setting === 'team' ? ' (team)' : ''}`, policies: row.policies })),
    ),
    leaderboard: buildLeaderboard(
      deficits,
      runs.flatMap((run) =>
        (['coop', 'team'] as const).map((setting) => {
          const row = settings.find((r) => r.setting === setting && r.runs[0] === run.name)
          return {
            name: run.name,
            setting,
            features: row?.team ? featuresText(row.team.features, row.team.featuresMixed) : null,
            agent: row?.agent ?? null,
            model: row?.model ?? null,
            usesModel: row?.usesModel ?? true,
            coopFingerprint: run.fingerprints?.[setting] ?? null,
            // analysis.json judges coop pairs only.
            analysis: setting === 'coop' && run.analysis ? { judged: run.analysis.judged, categories: run.analysis.categories } : null,
          }
        }),
      ),
    ),
  }
}

/** Every file of a run's pair folders that cannot be read, its re-scores' verdicts included, each once. */
function unreadableFiles(run: ReportRun): RunReport['unreadable'] {
  const seen = new Set<string>()
  const found: RunReport['unreadable'] = []
  for (const pairs of [run.pairs, ...Object.values(run.rescored ?? {})])
    for (const p of pairs)
      for (const problem of p.unreadable) {
        if (seen.has(problem)) continue
        seen.add(problem)
        found.push({ run: run.name, dir: p.dir, problem })
      }
  return found
}

/** Solo × coop first (the paper's deficit), pairs before larger teams; a solo × team deficit only when there is no coop one. */
function headlineDeficit(deficits: Deficit[]): Deficit | null {
  const coop = deficits.filter((d) => d.setting === 'coop')
  return coop.find((d) => d.teamSize === 2) ?? coop[0] ?? deficits.find((d) => d.teamSize === 2) ?? deficits[0] ?? null
}

function analysisReport(run: ReportRun, analysis: StoredAnalysis): RunAnalysisReport {
  return {
    run: run.name,
    analyzedAt: analysis.analyzedAt,
    judge: analysis.judge,
    pairsAnalyzed: analysis.pairs.length,
    coopPairs: run.pairs.filter((p) => p.setting === 'coop' && p.result).length,
    failed: analysis.failed,
    judged: analysis.judged,
    categories: analysis.categories,
    signals: analysis.signals,
  }
}

/** The order of a report's rows: the settings as the paper and upstream's team study list them. */
const SETTING_ORDER = ['solo', 'coop', 'team'] as const

/**
 * Every solo row against every coop row and every team row of the same team size, or only the
 * named runs' (the named solo run is still set against every team row). Naming runs whose
 * fingerprints differ is an error; unnamed mismatches are listed as refused.
 */
function compareSettings(runs: ReportRun[], settings: SettingReport[], selection: ReportSelection) {
  const named = selection.solo !== undefined || selection.coop !== undefined
  if (named && (selection.solo === undefined || selection.coop === undefined)) {
    throw new CooperbenchError('USAGE', 'name both runs to compare, or neither', { hint: 'e.g. --solo solo-run --coop coop-run' })
  }
  const side = (row: SettingReport) => {
    const run = runs.find((r) => r.name === row.runs[0])!
    const pairs = run.pairs.filter((p) => p.setting === row.setting && p.features.length === row.teamSize)
    return { run: run.name, teamSize: row.teamSize, pairs, fingerprint: run.fingerprints?.[row.setting] ?? null }
  }
  const solos = settings.filter((s) => s.setting === 'solo' && (!named || s.runs[0] === selection.solo))
  const coops = settings.filter((s) => s.setting === 'coop' && (!named || s.runs[0] === selection.coop))
  const teams = settings.filter((s) => s.setting === 'team')
  if (named && (solos.length === 0 || coops.length === 0)) {
    const missing = solos.length === 0 ? `solo results in run "${selection.solo}"` : `coop results in run "${selection.coop}"`
    throw new CooperbenchError('USAGE', `no ${missing}`, { hint: 'Name a run that holds that setting, and include it with -n.' })
  }
  const deficits: Deficit[] = []
  const refused: RefusedComparison[] = []
  for (const solo of solos) {
    for (const other of [...coops, ...teams].filter((c) => c.teamSize === solo.teamSize)) {
      const compared = compareSides(side(solo), side(other), other.setting === 'team' ? 'team' : 'coop')
      if (isDeficit(compared)) deficits.push(compared)
      else refused.push(compared)
    }
  }
  if (named && !deficits.some((d) => d.setting === 'coop')) {
    const reasons = refused.filter((r) => r.setting === 'coop').flatMap((r) => r.reasons)
    throw new CooperbenchError('RUN_CONFIG_MISMATCH', `runs "${selection.solo}" (solo) and "${selection.coop}" (coop) cannot be compared`, {
      details: reasons,
      hint: 'A deficit compares runs of the same agent, model, limits and prompt profile on common pairs; rerun one of them to match.',
    })
  }
  return { deficits, refused }
}

function rateRow(pairs: PairFolder[]): RateRow {
  const verdicts = pairs.map((p) => verdictOf(p.eval))
  const passed = verdicts.filter((v) => v === 'pass').length
  const failed = verdicts.filter((v) => v === 'fail').length
  const errors = verdicts.filter((v) => v === 'error').length
  const n = passed + failed
  return {
    pairs: pairs.length,
    evaluated: passed + failed + errors,
    passed,
    failed,
    errors,
    rate: n ? passed / n : null,
    ci: n ? wilsonInterval(passed, n) : null,
  }
}

function agentAndModel(pairs: PairFolder[], fingerprint: StoredFingerprint | undefined): { agent: string | null; model: string | null; usesModel: boolean } {
  const one = (fromFingerprint: unknown, field: 'agent_framework' | 'model') => {
    if (typeof fromFingerprint === 'string') return fromFingerprint
    const names = new Set(pairs.map((p) => p.result?.[field]))
    const [only] = names
    return names.size === 1 && typeof only === 'string' ? only : null
  }
  // An agent that calls no model records `model: null` (config.json first); a missing or mixed model is unknown instead.
  const callsNoModel = fingerprint?.model !== undefined ? fingerprint.model === null : pairs.length > 0 && pairs.every((p) => p.result?.model === null)
  return { agent: one(fingerprint?.agent, 'agent_framework'), model: callsNoModel ? null : one(fingerprint?.model, 'model'), usesModel: !callsNoModel }
}

/** `x` rounded to 6 decimals: costs and CSV numbers without float noise. */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6
}

function countFailures(pairs: PairFolder[]): SettingReport['failures'] {
  const counts = { infra: 0, dataset: 0, agent: 0 }
  for (const p of pairs) {
    const result = p.result
    if (!result) continue
    // Files from other tools may lack the agent records: count what is there.
    const agents = result.setting === 'solo' ? (result.agent ? [result.agent] : []) : Object.values(result.agents ?? {})
    for (const agent of agents) {
      if (agent.status === 'Submitted') continue
      // A dataset defect is not the agent's failure (the record says whose; none: the agent's, as before the key existed).
      counts[agent.failure === 'infra' || agent.failure === 'dataset' ? agent.failure : 'agent']++
    }
  }
  return counts
}
