import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { SANDBOX_LABELS } from '../contracts/backend.js'
import type { EvalPatches } from '../contracts/evaluator.js'
import type { EvalRecord } from '../contracts/records.js'
import type { Setting, Task } from '../contracts/task.js'
import { createChildScope } from '../plugin/container.js'
import { PairFiles } from '../results/layout.js'
import { writeJsonAtomic } from '../util/atomic-write.js'
import type { RunPlan } from './plan.js'
import { createOwnedSandbox, type RunServices } from './services.js'

export type EvalServices = Pick<RunServices, 'backend' | 'evaluator' | 'logger' | 'scope'> & {
  plan: Pick<RunPlan, 'runName' | 'imageTemplate' | 'imageNamespace' | 'testTimeoutMs'>
}

export interface PairToEvaluate {
  setting: Setting
  task: Task
  features: number[]
  dir: string
}

/**
 * Evaluates one finished pair folder and writes eval.json atomically. The evaluation's sandbox
 * lives in its own scope. Interrupted evaluations write nothing.
 */
export async function evaluatePairFolder(services: EvalServices, pair: PairToEvaluate, signal: AbortSignal): Promise<EvalRecord> {
  const scope = createChildScope(services.scope)
  try {
    const patches = await readPatches(pair)
    const record = await services.evaluator.evaluate(
      {
        task: pair.task,
        features: pair.features,
        setting: pair.setting,
        patches,
        testTimeoutMs: services.plan.testTimeoutMs,
        createSandbox: () =>
          createOwnedSandbox(services, scope, pair.task, 'eval', {
            [SANDBOX_LABELS.pair]: `${pair.task.repo}/${pair.task.taskId}/${pair.features.join(',')}`,
          }, signal),
      },
      signal,
    )
    if (signal.aborted) throw signal.reason ?? new Error('interrupted')
    if (services.evaluator.name !== DEFAULT_EVALUATOR && record.evaluator === undefined) record.evaluator = services.evaluator.name
    await writeJsonAtomic(join(pair.dir, PairFiles.eval), record)
    return record
  } finally {
    await scope.dispose()
  }
}

const DEFAULT_EVALUATOR = 'default'

/** The evaluator that wrote an eval.json: its `evaluator` key, absent for the default one. */
export function evaluatorOf(record: EvalRecord): string {
  return typeof record.evaluator === 'string' ? record.evaluator : DEFAULT_EVALUATOR
}

async function readPatches(pair: PairToEvaluate): Promise<EvalPatches> {
  const read = (name: string) => readFile(join(pair.dir, name), 'utf8').catch(() => '')
  if (pair.setting === 'solo') return { setting: 'solo', solo: await read(PairFiles.soloPatch) }
  return { setting: 'coop', agents: await Promise.all(pair.features.map((id) => read(PairFiles.agentPatch(id)))) }
}
