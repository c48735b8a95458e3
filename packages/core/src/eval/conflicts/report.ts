/**
 * `gold_conflict_report.json` (docs/reference-compatibility.md#gold-conflicts): the reference's keys and types, plus the
 * `apply_failed` counts (pairs whose gold patch did not apply are no longer counted as clean).
 */

/** One pair's outcome. With `error` set, the three flags are null. */
export interface GoldConflictResult {
  repo: string
  task_id: number
  f1: number
  f2: number
  has_conflict: boolean | null
  patch1_apply_failed: boolean | null
  patch2_apply_failed: boolean | null
  error: string | null
}

export interface GoldConflictSummary {
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

export interface GoldConflictTaskSummary {
  total: number
  conflicts: number
  clean: number
  errors: number
  apply_failed: number
}

export interface GoldConflictReport {
  summary: GoldConflictSummary
  /** Keyed `<repo>/task<id>`. */
  per_task: Record<string, GoldConflictTaskSummary>
  conflict_pairs: { repo: string; task_id: number; f1: number; f2: number }[]
  all_results: GoldConflictResult[]
}

/** How a result counts: an error, a conflict, an apply failure (merged cleanly), or clean. */
export function goldConflictOutcome(r: GoldConflictResult): 'errors' | 'conflicts' | 'apply_failed' | 'clean' {
  if (r.error !== null) return 'errors'
  if (r.has_conflict === true) return 'conflicts'
  if (r.patch1_apply_failed === true || r.patch2_apply_failed === true) return 'apply_failed'
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
      .map(({ repo, task_id, f1, f2 }) => ({ repo, task_id, f1, f2 })),
    // Explicit key order: the reference's.
    all_results: results.map((r) => ({
      repo: r.repo,
      task_id: r.task_id,
      f1: r.f1,
      f2: r.f2,
      has_conflict: r.has_conflict,
      patch1_apply_failed: r.patch1_apply_failed,
      patch2_apply_failed: r.patch2_apply_failed,
      error: r.error,
    })),
  }
}
