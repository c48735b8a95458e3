import { join } from 'node:path'
import type { Pair } from '@cooperbench/spec'
import { buildEvalSummary, RunFiles, buildRunSummary, type InvocationPair, type PairOutcome, writeJsonAtomic } from '@cooperbench/results'
import type { RunPlan } from './plan.js'
import type { RunOutcome } from './run-input.js'
import type { OpenedRun } from './run-scope.js'

/** What an invocation of the run did, for its summaries. */
export interface FinishedRun {
  /** The run's results sinks, its folder's records (kept current by this invocation's writes) and its backend. */
  opened: Pick<OpenedRun, 'sinks' | 'records' | 'backend'>
  folder: string
  plan: RunPlan
  pairs: Pair[]
  /** Entries of the selection's subset the dataset lacks, skipped (`RunInput.subsetMissing`). */
  subsetMissing: string[]
  dirOf(pair: Pair): string
  outcomes: Map<string, PairOutcome>
  /** Folders whose earlier verdict this invocation kept. */
  reusedEvals: Set<string>
  interrupted: boolean
  /** `Date.now()` when the invocation started. */
  started: number
}

/** summary.json (this invocation's pairs), eval_summary.json (the folder's), told to sinks; a full disk still returns it (`unwritten`). */
export async function writeRunSummaries(run: FinishedRun): Promise<RunOutcome> {
  const { plan, folder, interrupted } = run
  const onDisk = run.opened.records.pairs()
  const summary = buildRunSummary({
    runName: plan.runName,
    setting: plan.setting,
    onDisk,
    invocation: invocationOf(run),
    interrupted,
    totalTimeSeconds: (Date.now() - run.started) / 1000,
    autoEval: plan.autoEval,
    reusedEvals: run.reusedEvals,
    subsetMissing: run.subsetMissing,
  })
  const usage = run.opened.backend.usage?.()
  if (usage) summary.backend_usage = usage
  const evalSummary = buildEvalSummary(plan.runName, onDisk, run.reusedEvals)
  if (interrupted) evalSummary.interrupted = true
  try {
    await writeJsonAtomic(join(folder, RunFiles.summary), summary)
    await writeJsonAtomic(join(folder, RunFiles.evalSummary), evalSummary)
  } catch (unwritten) {
    return { summary, interrupted, unwritten }
  }
  await run.opened.sinks.notify((sink) => sink.summaryWritten, { folder, summary: { ...summary }, evalSummary: { ...evalSummary } })
  return { summary, interrupted }
}

function invocationOf({ plan, pairs, dirOf, outcomes }: FinishedRun): InvocationPair[] {
  return pairs.map((pair) => ({
    setting: plan.setting,
    repo: pair.task.repo,
    taskId: pair.task.taskId,
    features: pair.features,
    dir: dirOf(pair),
    outcome: outcomes.get(dirOf(pair)) ?? null,
  }))
}
