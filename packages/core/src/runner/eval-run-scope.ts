import type { Backend, Evaluator, Task } from '@cooperbench/spec'
import { openScope, type Scope } from '../plugin/container.js'
import { Tokens } from '../plugin/tokens.js'
import type { PairFolder } from '../results/scan-run.js'
import { createBackend, ensureTasksSupported } from './backend-setup.js'
import type { EvalRunInput } from './eval-run-input.js'
import { imageNaming } from './plan.js'

/** The scope of `cooperbench eval`, with its backend and evaluator when there is something to evaluate. */
export interface OpenedEvalRun {
  scope: Scope
  backend?: Backend
  evaluator?: Evaluator
}

/**
 * Opens the run scope of `cooperbench eval`: the backend (checked against the tasks of the
 * `pending` pairs) and the evaluator. With nothing to evaluate the scope has no backend, but
 * plugins' sinks still hear of the summary.
 */
export async function openEvalScope(input: EvalRunInput, pending: PairFolder[], taskOf: Map<string, Task>): Promise<OpenedEvalRun> {
  const { plan, logger, signal } = input
  const opened: { backend?: Backend; evaluator?: Evaluator } = {}
  const scope = await openScope(input.scope, 'run', async (scope) => {
    if (pending.length === 0) return []
    const backend = await createBackend(input.registry, scope, plan.backend, plan.backendOptions, logger, signal, imageNaming(plan))
    const known = pending.map((p) => taskOf.get(`${p.repo}/${p.taskId}`)).filter((t): t is Task => t !== undefined)
    await ensureTasksSupported(backend, known)
    const evaluator = await input.registry.create('evaluator', plan.evaluator, { options: plan.evaluatorOptions, logger })
    Object.assign(opened, { backend, evaluator })
    return [
      [Tokens.EvalPlan, plan],
      [Tokens.Backend, backend],
      [Tokens.Evaluator, evaluator],
    ]
  })
  return { scope, ...opened }
}
