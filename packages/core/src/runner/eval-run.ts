import { join } from 'node:path'
import type { Backend, Evaluator, Logger } from '@cooperbench/spec'
import type { EvalRecord } from '@cooperbench/spec'
import type { Task } from '@cooperbench/spec'
import { CooperbenchError, errorMessage } from '@cooperbench/spec'
import { openScope, type Scope } from '../plugin/container.js'
import { Tokens } from '../plugin/tokens.js'
import type { PluginRegistry } from '../plugin/registry.js'
import { buildEvalSummary, type EvalSummaryRecord, type EvalVerdict, verdictOf } from '../results/eval-summary.js'
import { PairFiles, RunFiles, runDir } from '../results/layout.js'
import { type PairFolder, scanRun } from '../results/scan-run.js'
import { writeJsonAtomic } from '../util/atomic-write.js'
import { forEachConcurrent } from '@cooperbench/backend-kit'
import { isoNow } from '../util/time.js'
import { evalErrorRecord } from '@cooperbench/spec/records'
import { createBackend, ensureTasksSupported } from './backend-setup.js'
import { evaluatePairFolder, evaluatorOf } from './evaluate-pair.js'
import { evaluateScripted } from './evaluate-scripted.js'
import { isScriptedJobRunner } from '@cooperbench/spec'
import { notifySinks } from './services.js'
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
  >
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

/**
 * `cooperbench eval`: evaluates the run's finished pairs that have no verdict yet (or all with
 * `force`; error verdicts are always retried) and rewrites eval_summary.json for the whole run.
 */
export async function evaluateRun(input: EvalRunInput): Promise<{ summary: EvalSummaryRecord; interrupted: boolean }> {
  const { plan, signal, logger } = input
  const folder = runDir(plan.logDir, plan.runName)
  const all = await scanRun(folder)
  if (all.length === 0) {
    throw new CooperbenchError('RUN_NOT_FOUND', `no results found for run "${plan.runName}" in ${folder}`, {
      hint: 'Check the run name (-n) and --log-dir; `ls logs/` lists the runs.',
    })
  }
  for (const pair of all)
    for (const problem of pair.unreadable)
      logger.warn(`${problem}: ${problem.includes('eval.json') ? 'that pair is evaluated again' : 'that pair cannot be evaluated until it is run again'}`)
  const selected = all.filter((p) => p.result !== null && input.select(p))
  const evaluatorName = input.registry.get('evaluator', plan.evaluator).name
  // A verdict of another evaluator is not kept: choosing an evaluator re-evaluates.
  const reused = new Set(selected.filter((p) => !plan.force && p.eval && p.eval.error === null && evaluatorOf(p.eval) === evaluatorName).map((p) => p.dir))
  const pending = selected.filter((p) => !reused.has(p.dir))
  input.events?.planned?.({ total: selected.length, toEvaluate: pending.length, reused: reused.size })

  // Pairs that got a verdict in this invocation: on an interruption, the others keep an earlier one.
  const judgedNow = new Set<string>()
  const finished = input.events?.evalFinished
  const events = {
    ...input.events,
    evalFinished: (pair: PairFolder, verdict: EvalVerdict, record: EvalRecord) => {
      judgedNow.add(pair.dir)
      finished?.(pair, verdict, record)
    },
  }

  const taskOf = new Map(input.tasks.map((t) => [`${t.repo}/${t.taskId}`, t]))
  const opened: { backend?: Backend; evaluator?: Evaluator } = {}
  // With nothing to evaluate the scope has no backend, but plugins' sinks still hear of the summary.
  const scope = await openScope(input.scope, 'run', async (scope) => {
    if (pending.length === 0) return []
    const backend = await createBackend(input.registry, scope, plan.backend, plan.backendOptions, logger, signal)
    const known = pending.map((p) => taskOf.get(`${p.repo}/${p.taskId}`)).filter((t): t is Task => t !== undefined)
    await ensureTasksSupported(backend, [...new Map(known.map((t) => [t.dir, t])).values()])
    const evaluator = await input.registry.create('evaluator', plan.evaluator, { options: plan.evaluatorOptions, logger })
    Object.assign(opened, { backend, evaluator })
    return [
      [Tokens.EvalPlan, plan],
      [Tokens.Backend, backend],
      [Tokens.Evaluator, evaluator],
    ]
  })
  try {
    const { backend, evaluator } = opened
    if (backend !== undefined && evaluator !== undefined) {
      if (isScriptedJobRunner(backend) && evaluator.plan !== undefined) {
        // A batch platform runs every evaluation at once; the evaluator still decides each verdict.
        const pairs = pending.flatMap((pair) => {
          const task = taskOf.get(`${pair.repo}/${pair.taskId}`)
          return task ? [{ pair, task }] : []
        })
        for (const pair of pending.filter((p) => !taskOf.has(`${p.repo}/${p.taskId}`))) {
          const record = evalErrorRecord(
            { repo: pair.repo, task_id: pair.taskId, features: pair.features, setting: pair.setting },
            `task ${pair.repo}/task${pair.taskId} is not in the dataset`,
            isoNow(),
          )
          await writeJsonAtomic(join(pair.dir, PairFiles.eval), record)
          events.evalFinished(pair, verdictOf(record), record)
        }
        await evaluateScripted(scope, {
          pairs,
          runner: backend,
          signal,
          finished: (pair, record) => events.evalFinished(pair, verdictOf(record), record),
          ...(input.events?.batchProgress ? { progress: input.events.batchProgress } : {}),
        })
      } else
        await forEachConcurrent(
          pending,
          plan.concurrency,
          async (pair) => {
            const task = taskOf.get(`${pair.repo}/${pair.taskId}`)
            let record: EvalRecord
            try {
              if (!task) throw new Error(`task ${pair.repo}/task${pair.taskId} is not in the dataset`)
              record = await evaluatePairFolder(scope, { setting: pair.setting, task, features: pair.features, dir: pair.dir }, signal)
            } catch (error) {
              if (signal.aborted) return
              // Failures outside the algorithm still leave an error-shaped eval.json, so the
              // whole-run summary sees them and the next eval retries them.
              record = evalErrorRecord({ repo: pair.repo, task_id: pair.taskId, features: pair.features, setting: pair.setting }, errorMessage(error), isoNow())
              await writeJsonAtomic(join(pair.dir, PairFiles.eval), record)
              await notifySinks(scope, (sink) => sink.evalWritten, { dir: pair.dir, record })
            }
            events.evalFinished(pair, verdictOf(record), record)
          },
          signal,
        )
    }
    const interrupted = signal.aborted
    // Interrupted (`eval --force` too): a pending pair not judged again still has its earlier
    // verdict, which is counted as kept (`skipped`), not as one of this invocation's.
    const kept = interrupted ? new Set([...reused, ...pending.filter((p) => p.eval !== null && !judgedNow.has(p.dir)).map((p) => p.dir)]) : reused
    const summary = buildEvalSummary(plan.runName, await scanRun(folder), kept)
    if (interrupted) summary.interrupted = true
    await writeJsonAtomic(join(folder, RunFiles.evalSummary), summary)
    await notifySinks(scope, (sink) => sink.summaryWritten, { folder, summary: null, evalSummary: { ...summary } })
    return { summary, interrupted }
  } finally {
    await scope.dispose()
  }
}
