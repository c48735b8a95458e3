import { countVerdicts, type PairFolder, recordAgents, verdictOf } from '@cooperbench/results'
import type { SettingReporter } from '@cooperbench/spec/report'
import type { StoredFingerprint } from '../readers/run-fingerprints.js'
import { wilsonInterval } from '../statistics/confidence.js'
import { evalErrorCauses } from './error-causes.js'
import { communicationOf } from './leaderboard.js'
import { policyRates } from './policy-rates.js'
import type { RateRow } from './rate-row.js'
import type { ReportRun, SettingReport, SettingReporters } from './report-types.js'
import { reportedRun } from './setting-sections.js'
import { passRateByMerge, strictRate } from './strict.js'
import { rowTiming } from './timing.js'

/** The order of a report's rows: the paper's baseline and its setting, then any other by name. */
const SETTING_ORDER: readonly string[] = ['solo', 'coop']

function settingRank(setting: string) {
  const known = SETTING_ORDER.indexOf(setting)
  return known < 0 ? SETTING_ORDER.length : known
}

function settingsIn(runs: readonly ReportRun[]) {
  const found = [...new Set(runs.flatMap((run) => run.pairs.map((p) => p.setting)))]
  return found.sort((a, b) => settingRank(a) - settingRank(b) || a.localeCompare(b))
}

/** A row per run, setting and pair size, never pooled: solo, coop, then other settings by name; smaller pairs first. */
export function settingRows(runs: readonly ReportRun[], reporters: SettingReporters): SettingReport[] {
  const rows: SettingReport[] = []
  const sizes = [...new Set(runs.flatMap((run) => run.pairs.map((p) => p.features.length)))].sort((a, b) => a - b)
  for (const setting of settingsIn(runs))
    for (const pairSize of sizes)
      for (const run of runs) {
        const pairs = run.pairs.filter((p) => p.setting === setting && p.features.length === pairSize && p.result)
        if (pairs.length > 0) rows.push(settingRow(run, setting, pairSize, pairs, reporters[setting]))
      }
  return rows
}

function settingRow(run: ReportRun, setting: string, pairSize: number, pairs: PairFolder[], reporter: SettingReporter | undefined): SettingReport {
  const repos = [...new Set(pairs.map((p) => p.repo))].sort()
  const fingerprint = run.fingerprints?.[setting]
  // Only merging settings (coop, the team) record a merge in their verdicts (solo and sequential judge one patch): they alone have merge outcomes and policies.
  const merged = pairs.some((p) => p.eval?.merge != null)
  const row: SettingReport = {
    setting,
    pairSize,
    runs: [run.name],
    ...agentAndModel(pairs, fingerprint),
    // Solo is the baseline every other setting is set against: one agent, no one to talk to.
    communication: setting !== 'solo' ? communicationOf(fingerprint ?? null) : null,
    interrupted: run.interrupted === true,
    subsetEntriesMissing: run.subsetMissing?.setting === setting ? [...run.subsetMissing.entries] : [],
    failures: countFailures(pairs),
    errorCauses: evalErrorCauses(pairs),
    cost: round6(pairs.reduce((sum, p) => sum + (p.result?.total_cost ?? 0), 0)),
    costUnknownPairs: pairs.filter((p) => run.unknownCost?.has(p.dir)).length,
    ...rateRow(pairs),
    merge: mergeCounts(pairs),
    strict: strictRate(pairs),
    byMerge: merged ? passRateByMerge(pairs) : [],
    timing: rowTiming(pairs),
    variant: null,
    perRepo: repos.map((repo) => ({ repo, ...rateRow(pairs.filter((p) => p.repo === repo)) })),
    policies: merged ? policyRates(pairs, run.rescored ?? {}) : [],
  }
  const variant = reporter?.variant?.(reportedRun(row, pairs, fingerprint ?? null))
  return variant === undefined ? row : { ...row, variant }
}

function mergeCounts(pairs: PairFolder[]): SettingReport['merge'] {
  const merge = { clean: 0, conflicts: 0, union: 0, missing_input: 0, error: 0 }
  for (const p of pairs) {
    const m = p.eval?.merge
    if (!m) continue
    // Identical patches (0.0.16) merge trivially: counted as clean, as the pass rate by merge outcome groups them.
    if (m.status === 'clean' || m.status === 'identical') merge.clean++
    else if (m.status === 'conflicts') merge.conflicts++
    else if (m.status === 'missing_input') merge.missing_input++
    else if (m.status === 'error') merge.error++
    if (m.strategy === 'union') merge.union++
  }
  return merge
}

function rateRow(pairs: PairFolder[]): RateRow {
  const { passed, failed, errors } = countVerdicts(pairs.map((p) => verdictOf(p.eval)))
  const n = passed + failed
  const rate = n ? passed / n : null
  return { pairs: pairs.length, evaluated: n + errors, passed, failed, errors, rate, ci: n ? wilsonInterval(passed, n) : null }
}

function agentAndModel(pairs: PairFolder[], fingerprint: StoredFingerprint | undefined) {
  const one = (fromFingerprint: unknown, field: 'agent_framework' | 'model') => {
    if (typeof fromFingerprint === 'string') return fromFingerprint
    const names = new Set(pairs.map((p) => p.result?.[field]))
    const [only] = names
    return names.size === 1 && typeof only === 'string' ? only : null
  }
  // An agent that calls no model records `model: null` (config.json first); a missing or mixed model is unknown instead.
  const callsNoModel = fingerprint?.model !== undefined ? fingerprint.model === null : pairs.length > 0 && pairs.every((p) => p.result?.model === null)
  const agent = withSeats(one(fingerprint?.agent, 'agent_framework'), fingerprint, 'agent')
  return { agent, model: callsNoModel ? null : withSeats(one(fingerprint?.model, 'model'), fingerprint, 'model'), usesModel: !callsNoModel }
}

/** `openai/gpt-5 (worker: openai/gpt-5-mini)`: the run's agent or model, then each seat role's own (`seats.<role>`) where it differs. */
function withSeats(runs: string | null, fingerprint: StoredFingerprint | undefined, field: 'agent' | 'model') {
  const seats = fingerprint?.seats
  if (runs === null || typeof seats !== 'object' || seats === null) return runs
  const own = Object.entries(seats as Record<string, Record<string, unknown>>)
    .filter(([, seat]) => seat[field] !== runs)
    .map(([role, seat]) => `${role}: ${seat[field] ?? 'none'}`)
  return own.length === 0 ? runs : `${runs} (${own.join(', ')})`
}

/** `x` rounded to 6 decimals: costs and CSV numbers without float noise. */
export function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6
}

function countFailures(pairs: PairFolder[]): SettingReport['failures'] {
  const counts = { infra: 0, dataset: 0, agent: 0 }
  // Files from other tools may lack the agent records: count what is there.
  for (const [, agent] of pairs.flatMap((p) => (p.result ? recordAgents(p.result) : []))) {
    if (agent.status === 'Submitted') continue
    // A dataset defect is not the agent's failure (the record says whose; none: the agent's, as before the key existed).
    counts[agent.failure === 'infra' || agent.failure === 'dataset' ? agent.failure : 'agent']++
  }
  return counts
}
