import type { PairedComparison, ReportTools } from '@cooperbench/spec/report'
import { featureFlag, featuresOff, type TeamFeatureName } from './team-features.js'
import type { TeamRow } from './team-row.js'

/** One feature off against the baseline, on the pairs both runs judged: each pair its own control, so the interval and the test are paired. */
export interface TeamAblationRow extends PairedComparison {
  feature: TeamFeatureName
  /** The flag that turned it off (`--team-no-scratchpad`). */
  flag: string
  run: string
}

/** A baseline team run (every feature on) and the runs of the same configuration with one feature off. */
export interface TeamAblation {
  pairSize: number
  baseline: { run: string; passed: number; judged: number }
  rows: TeamAblationRow[]
  /** What the reader must know: no fingerprint to check limits and prompts, another baseline not used. */
  notes: string[]
}

/** A team run left out of every ablation, and why. */
export interface RefusedTeamAblation {
  pairSize: number
  run: string
  /** The baseline it was checked against, when there is one of its pair size. */
  baseline: string | null
  reasons: string[]
}

/**
 * Upstream's one-feature-off ablation (PR #58) plus what its table lacks: per flag, on pairs both runs judged, Newcombe's paired
 * interval and McNemar's exact test. A baseline of the same pair size must agree in fingerprint, communication and policy, else refused.
 */
export function buildTeamAblations(rows: TeamRow[], tools: ReportTools): { ablations: TeamAblation[]; refused: RefusedTeamAblation[] } {
  const refused: RefusedTeamAblation[] = []
  const baselines = rows
    .filter((r) => r.features !== null && !r.mixed && featuresOff(r.features).length === 0)
    .sort((a, b) => a.run.run.localeCompare(b.run.run))
  const variants = rows.filter((r) => !baselines.includes(r))
  if (variants.length === 0) return { ablations: [], refused }
  const members = new Map<TeamRow, TeamRow[]>(baselines.map((b) => [b, []]))
  for (const side of variants) {
    const off = side.features ? featuresOff(side.features) : []
    const head = { pairSize: side.run.pairSize, run: side.run.run }
    const candidates = baselines.filter((b) => b.run.pairSize === side.run.pairSize)
    const why = side.mixed
      ? 'its pairs were run with different team features (result.json team_features)'
      : side.features === null
        ? 'its team features are unknown (no team_features in result.json or config.json)'
        : off.length > 1
          ? `${off.length} features off (${off.join(', ')}): the table compares runs with exactly one off`
          : candidates.length === 0
            ? 'no baseline run (every team feature on) of the same pair size'
            : null
    if (why !== null) {
      refused.push({ ...head, baseline: null, reasons: [why] })
      continue
    }
    const checked = candidates.map((b) => ({ baseline: b, reasons: mismatch(b, side, tools) }))
    const match = checked.find((c) => c.reasons.length === 0)
    if (match) members.get(match.baseline)!.push(side)
    else refused.push({ ...head, baseline: checked[0]!.baseline.run.run, reasons: checked[0]!.reasons })
  }
  const ablations = [...members.entries()].filter(([, runs]) => runs.length > 0).map(([baseline, runs]) => measure(baseline, runs, baselines, tools))
  return { ablations, refused }
}

/** Why a run cannot be set against a baseline: the fingerprint's compared fields, the communication mode, the evaluation policy. */
function mismatch(baseline: TeamRow, side: TeamRow, tools: ReportTools): string[] {
  const reasons = tools.mismatch(baseline.run, side.run)
  const [a, b] = [baseline.run.communication, side.run.communication]
  if (a !== b) reasons.push(`communication: ${JSON.stringify(a)} → ${JSON.stringify(b)}`)
  const [p, q] = [policiesOf(baseline), policiesOf(side)]
  if (p !== q) reasons.push(`evaluation policy: ${JSON.stringify(p)} → ${JSON.stringify(q)}`)
  return reasons
}

/** The evaluation policies of a run's verdicts, joined (`cooperbench-0.0.16`); two means the run mixes them. */
function policiesOf(row: TeamRow): string {
  return row.run.policies
    .map((p) => p.policy)
    .sort()
    .join(' + ')
}

const FEATURE_ORDER: readonly TeamFeatureName[] = ['task_list', 'task_commands', 'scratchpad', 'mcp', 'auto_refresh', 'protocol']

function measure(baseline: TeamRow, runs: TeamRow[], allBaselines: TeamRow[], tools: ReportTools): TeamAblation {
  const rows = runs.map((side): TeamAblationRow => {
    const feature = featuresOff(side.features!)[0]!
    return { feature, flag: featureFlag(feature), run: side.run.run, ...tools.paired(baseline.run, side.run) }
  })
  rows.sort((a, b) => FEATURE_ORDER.indexOf(a.feature) - FEATURE_ORDER.indexOf(b.feature) || a.run.localeCompare(b.run))
  const notes: string[] = []
  const without = [baseline, ...runs].filter((s) => s.run.fingerprint === null).map((s) => s.run.run)
  if (without.length > 0) notes.push(`no config.json fingerprint for ${without.join(', ')}: only agent, model, communication and policy were compared`)
  const sameSize = allBaselines.filter((b) => b !== baseline && b.run.pairSize === baseline.run.pairSize)
  const others = sameSize.filter((b) => mismatch(baseline, b, tools).length === 0).map((b) => b.run.run)
  if (others.length > 0) notes.push(`${others.join(', ')} of the same configuration also had every feature on; the baseline here is ${baseline.run.run}`)
  const { run, passed, failed } = baseline.run
  return { pairSize: baseline.run.pairSize, baseline: { run, passed, judged: passed + failed }, rows, notes }
}
