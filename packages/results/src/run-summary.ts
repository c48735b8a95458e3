import { pairLabel } from '@cooperbench/spec-utils'
import { isoNow } from '@cooperbench/spec-utils/records'
import { countVerdicts, type ErrorCauses, errorCausesOf, type EvalVerdict, verdictOf } from './eval-summary.js'
import { recordsUnknownCost } from './record-agents.js'
import type { PairFolder } from './scan-run.js'

/** What this invocation did with one pair. */
export type PairOutcome = { status: 'done' } | { status: 'skip' } | { status: 'failed'; error: string } | { status: 'error'; error: string }

/** A pair this invocation selected: its folder, and what the invocation did with it (null: not reached). */
export interface InvocationPair extends Pick<PairFolder, 'setting' | 'repo' | 'taskId' | 'features' | 'dir'> {
  outcome: PairOutcome | null
}

export interface RunSummaryRecord {
  run_name: string
  setting: string
  completed_at: string
  interrupted: boolean
  pass_rate: number | null
  total_tasks: number
  completed: number
  skipped: number
  failed: number
  total_cost: number
  total_time_seconds: number
  results: Array<{
    task: string
    setting: string
    status: 'done' | 'skip' | 'failed' | 'error'
    cost?: number
    /** Additive, when an agent's cost is unknown (a model call without a price): `cost` is a lower bound. */
    cost_unknown?: true
    error?: string
    eval?: EvalVerdict | null
  }>
  eval?: { total_evaluated: number; passed: number; failed: number; errors: number; skipped: number; pass_rate: number; error_causes?: ErrorCauses }
  /** What the backend measured of its platform during this invocation (e.g. `vm_seconds`); additive. */
  backend_usage?: Record<string, number>
  /** Additive, when any: the subset's entries the dataset lacks, skipped (`repo/id`, or `repo/id/a,b` naming a missing feature). */
  subset_entries_missing?: string[]
}

/**
 * One invocation of one setting (docs/reference-compatibility.md#run-folder): as the reference, an entry per pair it selected, run or
 * found finished; others are eval_summary.json's. `completed`: now; `skipped`: earlier; `failed`: no result.json, or one of now whose
 * agents all ended in Error. Subset entries the dataset lacks are listed apart (`subset_entries_missing`), not counted.
 */
export function buildRunSummary(input: {
  runName: string
  setting: string
  onDisk: PairFolder[]
  invocation: InvocationPair[]
  interrupted: boolean
  totalTimeSeconds: number
  autoEval: boolean
  reusedEvals: ReadonlySet<string>
  /** Entries of the selection's subset the dataset lacks (`subset_entries_missing`); none when absent. */
  subsetMissing?: readonly string[]
}): RunSummaryRecord {
  // Only this invocation's pairs: the folder may also hold other selections' pairs and the other setting's.
  const selected = input.invocation.filter((p) => p.setting === input.setting)
  const selectedDirs = new Set(selected.map((p) => p.dir))
  const onDisk = input.onDisk.filter((p) => selectedDirs.has(p.dir))
  const byDir = new Map(onDisk.map((p) => [p.dir, p]))

  const results: RunSummaryRecord['results'] = []
  let totalCost = 0
  for (const now of selected) {
    const disk = byDir.get(now.dir)
    const entry: RunSummaryRecord['results'][number] = { task: pairLabel(now.repo, now.taskId, now.features), setting: now.setting, status: 'done' }
    const { outcome } = now
    if (disk?.result) {
      const cost = disk.result.total_cost ?? 0
      // A result.json of this invocation whose agents all ended in Error is a failed pair, not a completed one.
      if (outcome?.status === 'error' || outcome?.status === 'failed') {
        entry.status = outcome.status
        entry.error = outcome.error
      } else entry.status = outcome?.status === 'done' ? 'done' : 'skip'
      entry.cost = cost
      if (recordsUnknownCost(disk.result)) entry.cost_unknown = true
      totalCost += cost
    } else {
      entry.status = outcome?.status === 'error' ? 'error' : 'failed'
      entry.error = outcome && 'error' in outcome ? outcome.error : 'interrupted before the pair finished'
    }
    if (input.autoEval) entry.eval = disk?.result ? nullIfNotEvaluated(verdictOf(disk.eval)) : null
    results.push(entry)
  }

  const summary: RunSummaryRecord = {
    run_name: input.runName,
    setting: input.setting,
    completed_at: isoNow(),
    interrupted: input.interrupted,
    pass_rate: null,
    total_tasks: results.length,
    completed: results.filter((r) => r.status === 'done').length,
    skipped: results.filter((r) => r.status === 'skip').length,
    failed: results.filter((r) => r.status === 'failed' || r.status === 'error').length,
    total_cost: Math.round(totalCost * 1e6) / 1e6,
    total_time_seconds: Math.round(input.totalTimeSeconds * 10) / 10,
    results,
  }
  if (input.autoEval) {
    const judged = onDisk.filter((p) => p.result && p.eval)
    const { passed, failed, errors, pass_rate } = countVerdicts(judged.map((p) => verdictOf(p.eval)))
    const skipped = onDisk.filter((p) => input.reusedEvals.has(p.dir)).length
    summary.eval = { total_evaluated: passed + failed + errors, passed, failed, errors, skipped, pass_rate }
    const causes = errorCausesOf(judged.map((p) => p.eval))
    if (causes !== undefined) summary.eval.error_causes = causes
    summary.pass_rate = pass_rate
  }
  if (input.subsetMissing !== undefined && input.subsetMissing.length > 0) summary.subset_entries_missing = [...input.subsetMissing]
  return summary
}

function nullIfNotEvaluated(v: EvalVerdict): EvalVerdict | null {
  return v === 'not_evaluated' ? null : v
}
