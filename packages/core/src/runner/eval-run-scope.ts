import type { Backend, Evaluator, Task } from '@cooperbench/spec'
import { openScopeFor, type Scope } from '../plugin/container.js'
import { optional } from '../plugin/provide.js'
import { Tokens } from '../plugin/tokens.js'
import type { PairFolder } from '@cooperbench/results'
import { createBackend, ensureTasksSupported, reapLeftovers } from './backend-setup.js'
import type { EvalRunInput } from './eval-run-input.js'
import { type EvalPlan, imageNaming } from './plan.js'
import { provideRunnerServices, RunnerTokens } from './scope-services.js'
import type { ScopeSinks } from './services.js'

/** The scope of `cooperbench eval`, with its backend and evaluator when there is something to evaluate. */
export interface OpenedEvalRun {
  scope: Scope
  /** The run scope's results sinks. */
  sinks: ScopeSinks
  /** What the pending pairs are judged with; absent with nothing to evaluate. */
  judging?: {
    /** The backend and the evaluator created for them, */
    backend: Backend
    evaluator: Evaluator
    /** and the evaluator and the plan as the scope has them (a plugin's run service may replace the evaluator), for a batch. */
    inScope: { evaluator: Evaluator; plan: EvalPlan }
  }
}

/** `eval`'s run scope: backend (checked against `pending`'s tasks; none when nothing is pending, sinks still told), evaluator, services. */
export async function openEvalScope(input: EvalRunInput, pending: PairFolder[], taskOf: Map<string, Task>): Promise<OpenedEvalRun> {
  const { plan, logger, signal } = input
  let created: { backend: Backend; evaluator: Evaluator } | undefined
  const needs = { sinks: RunnerTokens.Sinks, evaluator: optional(Tokens.Evaluator), plan: optional(Tokens.EvalPlan) }
  const { scope, services } = await openScopeFor(
    input.scope,
    'run',
    async (scope) => {
      provideRunnerServices(scope)
      if (pending.length === 0) return []
      const backend = await createBackend(input.registry, scope, plan.backend, plan.backendOptions, logger, signal, imageNaming(plan))
      await reapLeftovers(backend, plan.runName, logger)
      const known = pending.map((p) => taskOf.get(`${p.repo}/${p.taskId}`)).filter((t): t is Task => t !== undefined)
      await ensureTasksSupported(backend, known)
      const evaluator = await input.registry.create('evaluator', plan.evaluator, { options: plan.evaluatorOptions, logger })
      created = { backend, evaluator }
      return [
        [Tokens.EvalPlan, plan],
        [Tokens.Backend, backend],
        [Tokens.Evaluator, evaluator],
      ]
    },
    needs,
  )
  const { sinks, evaluator, plan: scopePlan } = services
  const judging = created && evaluator && scopePlan ? { ...created, inScope: { evaluator, plan: scopePlan } } : undefined
  return { scope, sinks, ...(judging ? { judging } : {}) }
}
