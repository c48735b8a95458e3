import type { ReportedRun } from '@cooperbench/spec/report'
import { hasTeamMetrics, type TeamFeatures, type TeamMetrics } from '../team-types.js'
import { recordedFeatures } from './team-features.js'

/** What a team run adds to its row: who led, which features the team had, and the task board's metrics. */
export interface TeamRow {
  run: ReportedRun
  /** The lead's agent id when every pair names the same one (upstream: `agent1`), else null. */
  lead: string | null
  /** The features of the run's pairs (result.json, else config.json); null when unknown or mixed. */
  features: TeamFeatures | null
  /** The pairs disagree on their features: the row is shown, never put in an ablation. */
  mixed: boolean
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

export function teamRowOf(run: ReportedRun): TeamRow {
  const leads = new Set(run.pairs.map((p) => p.result.lead_agent))
  const [lead] = leads
  const metrics = run.pairs.flatMap((p) => (hasTeamMetrics(p.result.metrics) ? [p.result.metrics] : []))
  const sum = (values: Record<string, number> | undefined) => Object.values(values ?? {}).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0)
  const total = (of: (m: TeamMetrics) => number) => metrics.reduce((a, m) => a + of(m), 0)
  const firstClaims = metrics.map((m) => m.time_to_first_claim_seconds).filter((s): s is number => typeof s === 'number')
  return {
    run,
    lead: leads.size === 1 && typeof lead === 'string' ? lead : null,
    ...recordedFeatures(run),
    metrics: {
      pairs: metrics.length,
      tasksTotal: total((m) => m.tasks_total ?? 0),
      tasksDone: total((m) => m.tasks_done ?? 0),
      unownedAtEnd: total((m) => m.unowned_at_end ?? 0),
      medianSecondsToFirstClaim: median(firstClaims),
      pairsWithoutClaim: metrics.length - firstClaims.length,
      claims: total((m) => sum(m.claims_per_agent)),
      updates: total((m) => sum(m.updates_per_agent)),
    },
  }
}

/** The median of `values` (the mean of the middle two for an even count); null for none. */
function median(values: readonly number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
