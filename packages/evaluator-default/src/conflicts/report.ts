/**
 * `gold_conflict_report.json` (docs/reference-compatibility.md#gold-conflicts): the reference's keys and types, plus the
 * `apply_failed` counts (pairs whose gold patch did not apply are no longer counted as clean).
 */

/** One pair's outcome; with `error` set, the flags are null. Larger pairs add `f3`, … and `patch3_apply_failed`, …, in the same order. */
export interface GoldConflictResult {
  repo: string
  task_id: number
  f1: number
  f2: number
  [feature: `f${number}`]: number
  has_conflict: boolean | null
  patch1_apply_failed: boolean | null
  patch2_apply_failed: boolean | null
  [applyFailed: `patch${number}_apply_failed`]: boolean | null
  error: string | null
}

/** The feature ids of a result's pair, in order: `f1`, `f2`, … */
export function goldTeam(r: GoldConflictResult): number[] {
  const ids: number[] = []
  for (let n = 1; typeof r[`f${n}`] === 'number'; n++) ids.push(r[`f${n}`]!)
  return ids
}

/** A result in the reference's key order, extended to the pair's size. */
export function goldConflictResult(
  head: { repo: string; task_id: number; features: readonly number[] },
  outcome: { has_conflict: boolean | null; apply_failed: readonly (boolean | null)[] | null; error: string | null },
): GoldConflictResult {
  const record: Record<string, unknown> = { repo: head.repo, task_id: head.task_id }
  head.features.forEach((id, i) => (record[`f${i + 1}`] = id))
  record.has_conflict = outcome.has_conflict
  head.features.forEach((_, i) => (record[`patch${i + 1}_apply_failed`] = outcome.apply_failed?.[i] ?? null))
  record.error = outcome.error
  return record as unknown as GoldConflictResult
}

interface GoldConflictSummary {
  total_pairs: number
  conflicts: number
  clean_merges: number
  errors: number
  /** Additive: pairs that merged without conflict but whose gold patch failed to apply. */
  apply_failed: number
  /** One decimal and `%`, or `"N/A"` without pairs. */
  conflict_rate: string
  elapsed_seconds: number
}

type GoldConflictTaskSummary = Record<'total' | 'conflicts' | 'clean' | 'errors' | 'apply_failed', number>

export interface GoldConflictReport {
  summary: GoldConflictSummary
  /** Keyed `<repo>/task<id>`. */
  per_task: Record<string, GoldConflictTaskSummary>
  /** `f3`, … too for larger pairs. */
  conflict_pairs: Array<{ repo: string; task_id: number; f1: number; f2: number; [feature: `f${number}`]: number }>
  all_results: GoldConflictResult[]
}

/** How a result counts: an error, a conflict, an apply failure (merged cleanly), or clean. */
export function goldConflictOutcome(r: GoldConflictResult): 'errors' | 'conflicts' | 'apply_failed' | 'clean' {
  if (r.error !== null) return 'errors'
  if (r.has_conflict === true) return 'conflicts'
  if (goldTeam(r).some((_, i) => r[`patch${i + 1}_apply_failed`] === true)) return 'apply_failed'
  return 'clean'
}

/** `"76.5%"`, or `"N/A"` when there are no pairs. */
export function formatConflictRate(conflicts: number, total: number): string {
  return total === 0 ? 'N/A' : `${((conflicts / total) * 100).toFixed(1)}%`
}

/** The report of `results`, which are in discovery order (the order of the checked pairs). */
export function buildGoldConflictReport(results: readonly GoldConflictResult[], elapsedSeconds: number): GoldConflictReport {
  const summary: GoldConflictSummary = {
    total_pairs: results.length,
    conflicts: 0,
    clean_merges: 0,
    errors: 0,
    apply_failed: 0,
    conflict_rate: 'N/A',
    elapsed_seconds: Math.round(elapsedSeconds * 10) / 10,
  }
  const perTask: Record<string, GoldConflictTaskSummary> = {}
  for (const r of results) {
    const key = `${r.repo}/task${r.task_id}`
    const task = (perTask[key] ??= { total: 0, conflicts: 0, clean: 0, errors: 0, apply_failed: 0 })
    task.total++
    const outcome = goldConflictOutcome(r)
    task[outcome]++
    summary[outcome === 'clean' ? 'clean_merges' : outcome]++
  }
  summary.conflict_rate = formatConflictRate(summary.conflicts, summary.total_pairs)
  return {
    summary,
    per_task: perTask,
    conflict_pairs: results
      .filter((r) => r.error === null && r.has_conflict === true)
      .map((r) => {
        const team = Object.fromEntries(goldTeam(r).map((id, i) => [`f${i + 1}`, id]))
        return { repo: r.repo, task_id: r.task_id, ...team } as GoldConflictReport['conflict_pairs'][number]
      }),
    // Explicit key order: the reference's.
    all_results: results.map((r) =>
      goldConflictResult(
        { repo: r.repo, task_id: r.task_id, features: goldTeam(r) },
        { has_conflict: r.has_conflict, apply_failed: goldTeam(r).map((_, i) => r[`patch${i + 1}_apply_failed`] ?? null), error: r.error },
      ),
    ),
  }
}
