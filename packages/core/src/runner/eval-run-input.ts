import type { EvalRecord, Logger, Task } from '@cooperbench/spec'
import type { EvalVerdict, PairFolder } from '@cooperbench/results'
import type { Scope } from '../plugin/container.js'
import type { PluginRegistry } from '../plugin/registry.js'
import type { RunPlan } from './plan.js'

export interface EvalRunInput {
  plan: Pick<
    RunPlan,
    | 'runName'
    | 'logDir'
    | 'backend'
    | 'backendOptions'
    | 'evaluator'
    | 'evaluatorOptions'
    | 'testTimeoutMs'
    | 'imageTemplate'
    | 'imageNamespace'
    | 'concurrency'
    | 'force'
  > &
    Partial<Pick<RunPlan, 'policy'>>
  tasks: Task[]
  /** Keeps only the pair folders the filters select. */
  select(pair: PairFolder): boolean
  registry: PluginRegistry
  scope: Scope
  logger: Logger
  signal: AbortSignal
  events?: {
    planned?(info: { total: number; toEvaluate: number; reused: number }): void
    evalFinished?(pair: PairFolder, verdict: EvalVerdict, record: EvalRecord): void
    /** Batch backends only: evaluations per state as the platform reports them. */
    batchProgress?(counts: Record<string, number>): void
  }
}
