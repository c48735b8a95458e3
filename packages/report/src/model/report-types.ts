/** The report's records: what `buildReport` computes, and what every format, `--json` and the viewer read. */
import type { PairFolder } from '@cooperbench/results'
import type { EvaluationPolicy, SettingName as Setting } from '@cooperbench/spec'
import type { ReportSection, SettingReporter } from '@cooperbench/spec/report'
import type { PolicyRate } from './policy-rates.js'
import type { AnalysisSignalsSummary, CategoryShare, StoredAnalysis } from '../readers/run-analysis.js'
import type { StoredFingerprint } from '../readers/run-fingerprints.js'
import type { Ablation, RefusedAblation } from './ablation.js'
import type { Deficit, RefusedComparison } from './deficit.js'
import type { EvalErrorCauses } from './error-causes.js'
import type { LeaderboardRow } from './leaderboard.js'
import type { MergeOutcomeRate } from './strict.js'
import type { RowTiming } from './timing.js'
import type { RateRow } from './rate-row.js'

export type { RateRow } from './rate-row.js'

export interface SettingReport extends RateRow {
  setting: Setting
  /** Features per pair; rates of different pair sizes are never pooled. */
  pairSize: number
  /** The run was interrupted (its summary says so): the rates cover its finished pairs only. */
  interrupted: boolean
  /** Subset entries the dataset lacked and the run skipped (summary.json's `subset_entries_missing`, last invocation's setting). */
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
  /** False when the records say the agent calls no model (`model: null` in config.json or every result.json: the oracle): `model` null by design. */
  usesModel: boolean
  /** Summed from result.json; a lower bound when `costUnknownPairs` > 0, and meaningless when every pair's cost is unknown. */
  cost: number
  /** Pairs whose agents called a model without a known price (`pairsWithUnknownCost`): their cost is unknown, not $0. */
  costUnknownPairs: number
  merge: { clean: number; conflicts: number; union: number; missing_input: number; error: number }
  /** Strict success (clean merge and every feature passing) over the same judged pairs as `rate`. */
  strict: { passed: number; rate: number | null; ci: { low: number; high: number } | null }
  /** A setting whose verdicts record a merge (coop, team; empty for solo and sequential): the reference-compatible pass rate of judged pairs per merge outcome. */
  byMerge: MergeOutcomeRate[]
  /** Median time per pair and the run's wall time (from result.json's times). */
  timing: RowTiming
  /** What tells the run apart from its setting's other runs, as its setting names it (the team's `no scratchpad`); null when it names none. */
  variant: string | null
  perRepo: Array<RateRow & { repo: string }>
  /** Merging settings only (empty for solo, sequential): the rate under each policy with verdicts, own (eval.json, `rate`) first, then re-scores. */
  policies: PolicyRate[]
}

export interface RunReport {
  /** One per run, setting and pair size (solo, coop, team; smaller pairs first), never pooled: a pair counted twice narrows intervals falsely. */
  settings: SettingReport[]
  /** Pair files that cannot be read, with why; their pairs count nowhere (an unreadable `eval.<policy>.json`: not in that policy's rate). */
  unreadable: Array<{ run: string; dir: string; problem: string }>
  /** Of the runs named by `solo`/`coop`, else the first comparable solo × coop (smallest pair size first), else solo × team. */
  deficit: Deficit | null
  /** The deficit of every comparable solo row and coop (or team) row of the same pair size (or of the named runs). */
  deficits: Deficit[]
  /** Solo × coop (and solo × team) combinations of the same pair size that are not compared, with the fields that differ. */
  refused: RefusedComparison[]
  /** Per coop run with an analysis.json: the failure categories with intervals and the signals beside them. */
  analyses: RunAnalysisReport[]
  /** Coop runs of one configuration with and without messaging or git, side by side on their common pairs. */
  ablations: Ablation[]
  /** Coop runs of different communication modes whose configurations differ: not compared, with why. */
  refusedAblations: RefusedAblation[]
  /** The settings' own sections (their registration's `report`: the team's runs and one-feature-off ablations), in the order of the rows. */
  settingSections: ReportSection[]
  /** One row per agent × model (× pair size × setting × communication mode × variant), from comparable solo × other-setting runs only. */
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
  fingerprints?: Record<Setting, StoredFingerprint>
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

/** Each installed setting's part of the report, by setting name (`registry.list('setting')`'s `report`). */
export type SettingReporters = Readonly<Record<string, SettingReporter>>
