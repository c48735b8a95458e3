import type { PairFolder } from '@cooperbench/core/results'
import { hasTeamMetrics, type TeamFeatures } from '@cooperbench/spec/team'
import type { StoredFingerprint } from '../readers/run-fingerprints.js'
import { teamFeaturesOf } from './team-features.js'
import { median } from './timing.js'

/** What a team row adds to a setting row: who led, which features the team had, and the task board's metrics. */
export interface TeamRowReport {
  /** The lead's agent id when every pair names the same one (upstream: `agent1`), else null. */
  lead: string | null
  /** The features of the run's pairs (result.json, else config.json); null when unknown or mixed. */
  features: TeamFeatures | null
  /** The pairs disagree on their features: the row is shown, never put in an ablation. */
  featuresMixed: boolean
  /** Summed over the pairs whose result.json has `metrics` with counts (`{}` or none when the task list was off). */
  metrics: {
    pairs: number
    tasksTotal: number
    tasksDone: number
    unownedAtEnd: number
    /** Median over the pairs where someone claimed a task; `pairsWithoutClaim` had no claim at all. */
    medianSecondsToFirstClaim: number | null
    pairsWithoutClaim: number
    claims: number
    updates: number
  }
}

export function teamRowOf(pairs: PairFolder[], fingerprint: StoredFingerprint | null | undefined): TeamRowReport {
  const records = pairs.flatMap((p) => (p.result?.setting === 'team' ? [p.result] : []))
  const leads = new Set(records.map((r) => r.lead_agent))
  const [lead] = leads
  const metrics = records.flatMap((r) => (hasTeamMetrics(r.metrics) ? [r.metrics] : []))
  const sum = (values: Record<string, number> | undefined) => Object.values(values ?? {}).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0)
  const firstClaims = metrics.map((m) => m.time_to_first_claim_seconds).filter((s): s is number => typeof s === 'number')
  const { features, mixed } = teamFeaturesOf(pairs, fingerprint)
  return {
    lead: leads.size === 1 && typeof lead === 'string' ? lead : null,
    features,
    featuresMixed: mixed,
    metrics: {
      pairs: metrics.length,
      tasksTotal: metrics.reduce((a, m) => a + (m.tasks_total ?? 0), 0),
      tasksDone: metrics.reduce((a, m) => a + (m.tasks_done ?? 0), 0),
      unownedAtEnd: metrics.reduce((a, m) => a + (m.unowned_at_end ?? 0), 0),
      medianSecondsToFirstClaim: median(firstClaims),
      pairsWithoutClaim: metrics.length - firstClaims.length,
      claims: metrics.reduce((a, m) => a + sum(m.claims_per_agent), 0),
      updates: metrics.reduce((a, m) => a + sum(m.updates_per_agent), 0),
    },
  }
}
