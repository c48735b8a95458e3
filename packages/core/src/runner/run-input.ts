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
  /**
   * Entries of the selection's subset that the dataset lacks (`repo/id`, `repo/id/a,b`), skipped
   * when the pairs were selected: summary.json records them, since the run covers fewer pairs than its subset.
   */
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
  /**
   * Why summary.json or eval_summary.json could not be written (a full disk: a FILESYSTEM
   * error), when it could not: the run still ended cleanly and `summary` says what it did.
   */
  unwritten?: unknown
}
