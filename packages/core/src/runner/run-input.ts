import type { Logger, Pair } from '@cooperbench/spec'
import type { Scope } from '../plugin/container.js'
import type { PluginRegistry } from '../plugin/registry.js'
import type { RunSummaryRecord } from '@cooperbench/results'
import type { RunEvents } from './events.js'
import type { RunPlan } from './plan.js'

/** What `runBenchmark` takes and returns. */
export interface RunInput {
  plan: RunPlan
  pairs: Pair[]
  /** Entries of the subset the dataset lacks (`repo/id`, `repo/id/a,b`), skipped: summary.json records them. */
  subsetMissing?: string[]
  registry: PluginRegistry
  scope: Scope
  logger: Logger
  events?: RunEvents
  signal: AbortSignal
}

export interface RunOutcome {
  summary: RunSummaryRecord
  interrupted: boolean
  /** Why summary.json or eval_summary.json could not be written (a full disk); the run still ended cleanly. */
  unwritten?: unknown
}
