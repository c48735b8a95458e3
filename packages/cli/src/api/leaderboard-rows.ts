import type { Deficit, RunClaim, RunReport, SettingClaim, SettingReport } from '@cooperbench/report'
import type { SubmissionDeficit, SubmissionRow } from '@cooperbench/viewer'

/** A run of a verified bundle as the folder-wide report names it (runs of two bundles may share a name). */
export interface PooledRun {
  /** Its folder in the report's log dir. */
  name: string
  bundle: string
  run: string
  claim: RunClaim
}

/**
 * The rows of each bundle from one report over the runs of every verified bundle: its rates are
 * `cooperbench report`'s, and a multi-agent row's deficit is the report's against the solo run (of
 * any bundle) with most common judged pairs, so a coop submission is held against a solo one on the
 * same pairs. Keyed by bundle file name; each bundle's rows in the report's order.
 */
export function submissionRows(report: RunReport, runs: readonly PooledRun[]): Map<string, SubmissionRow[]> {
  const byName = new Map(runs.map((r) => [r.name, r]))
  const rows = new Map<string, SubmissionRow[]>()
  for (const s of report.settings) {
    const pooled = byName.get(s.runs[0] ?? '')
    if (pooled === undefined) continue
    const claim = pooled.claim.settings.find((c) => c.setting === s.setting)
    const row: SubmissionRow = {
      run: pooled.run,
      setting: s.setting,
      pairSize: s.pairSize,
      variant: s.variant,
      agent: claim ? perSeat(claim, 'agent') : (s.agent ?? '?'),
      model: claim ? perSeat(claim, 'model') : (s.model ?? (s.usesModel ? '?' : 'none')),
      judged: s.passed + s.failed,
      passed: s.passed,
      rate: s.rate,
      ci: s.ci,
      deficit: s.setting === 'solo' ? null : deficitOf(s, report.deficits, byName),
      rerunAgreement: null,
    }
    rows.set(pooled.bundle, [...(rows.get(pooled.bundle) ?? []), row])
  }
  return rows
}

/** The comparison with most common pairs of this row's run against any solo run; null when none is comparable. */
function deficitOf(s: SettingReport, deficits: readonly Deficit[], byName: Map<string, PooledRun>): SubmissionDeficit | null {
  const mine = deficits.filter((d) => d.coopRun === s.runs[0] && d.setting === s.setting && d.pairSize === s.pairSize)
  const best = [...mine].sort((a, b) => b.pairs - a.pairs || a.soloRun.localeCompare(b.soloRun))[0]
  const solo = best && byName.get(best.soloRun)
  if (!best || !solo) return null
  return { soloBundle: solo.bundle, soloRun: solo.run, pairs: best.pairs, relative: best.relative }
}

/**
 * The agent (or model) the claim states, and each seat role's own where it differs:
 * `openai/gpt-5 (reviewer: anthropic/claude-opus-9)`. An agent that calls no model: `none`.
 */
function perSeat(claim: SettingClaim, field: 'agent' | 'model'): string {
  const name = (value: string | null) => value ?? 'none'
  const others = Object.entries(claim.seats ?? {}).filter(([, seat]) => seat[field] !== claim[field])
  const seats = others.map(([role, seat]) => `${role}: ${name(seat[field])}`).join(', ')
  return others.length === 0 ? name(claim[field]) : `${name(claim[field])} (${seats})`
}
