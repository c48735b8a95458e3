import { join } from 'node:path'
import type { Backend, Logger } from '@cooperbench/spec'
import type { ResultRecord } from '@cooperbench/spec'
import type { Pair, Task } from '@cooperbench/spec'
import { errorMessage } from '@cooperbench/spec'
import { lifetimeOf, openScope, type Scope } from '../plugin/container.js'
import { Tokens } from '../plugin/tokens.js'
import type { PluginRegistry } from '../plugin/registry.js'
import { buildEvalSummary, verdictOf } from '../results/eval-summary.js'
import { pairDir, RunFiles, runDir } from '../results/layout.js'
import { readJsonIfPresent } from '../results/read-json.js'
import { buildRunSummary, type InvocationPair, type PairOutcome, type RunSummaryRecord } from '../results/run-summary.js'
import { type PairFolder, scanRun } from '../results/scan-run.js'
import { writeJsonAtomic } from '../util/atomic-write.js'
import { forEachConcurrent, Semaphore } from '@cooperbench/backend-kit'
import { isoNow } from '../util/time.js'
import { evaluatePairFolder, evaluatorOf } from './evaluate-pair.js'
import { pairEventsOf, type RunEvents } from './events.js'
import { NO_RUN_LIMITS, recordedModelOf, type RunPlan } from './plan.js'
import { checkRunCompatibility, type StoredRunConfig } from './run-compatibility.js'
import { runPair } from './run-pair.js'
import { notifySinks } from './services.js'
import { everyAgentFailed, isReusableResult } from './skip-rules.js'
import { createBackend, ensureTasksSupported } from './backend-setup.js'
import { ensurePairInputs } from './pair-inputs.js'
import { preflightWithinBound } from './deadlines.js'
import { breakerThreshold, InfraBreaker } from './infra-breaker.js'
import { acquireRunLock } from './run-lock.js'

export interface RunInput {
  plan: RunPlan
  pairs: Pair[]
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

/**
 * `cooperbench run`: every selected pair through agents and (by default) evaluation, with
 * bounded concurrency, resumable, and interruptible without leaving a sandbox behind.
 */
export async function runBenchmark(input: RunInput): Promise<RunOutcome> {
  const { plan } = input
  const started = Date.now()
  const folder = runDir(plan.logDir, plan.runName)
  const lock = await acquireRunLock(folder, plan.runName)
  try {
    return await runLocked(input, folder, started)
  } finally {
    await lock.release()
  }
}

/** The run, once this process holds its folder. */
async function runLocked(input: RunInput, folder: string, started: number): Promise<RunOutcome> {
  const { plan, pairs, registry, logger, signal } = input
  const events = input.events ?? {}
  let prepared!: { backend: Backend; evaluatorName: string; onDiskBefore: PairFolder[] }
  // The run scope: what pairs and agents resolve, unless a plugin's service replaces it.
  const scope = await openScope(input.scope, 'run', async (scope) => {
    const backend = await createBackend(registry, scope, plan.backend, plan.backendOptions, logger, signal)
    // Sandboxes of this run left by a process that died (kill -9, a crash): gone before resuming.
    const reaped = backend.reap
      ? await backend.reap({ runName: plan.runName }).catch((error: unknown) => (logger.warn(`could not remove leftover sandboxes: ${errorMessage(error)}`), 0))
      : 0
    if (reaped > 0) logger.info(`removed ${reaped} leftover sandbox(es) of run ${plan.runName} whose process is gone`)
    await ensureTasksSupported(backend, uniqueTasks(pairs), plan.imageLayer ? { layer: plan.imageLayer } : {})
    await ensurePairInputs(pairs, plan.autoEval)
    const estimate = backend.estimateCost?.({
      sandboxes: pairs.reduce((n, pair) => n + (plan.setting === 'coop' ? pair.features.length : 1) + (plan.autoEval ? 1 : 0), 0),
      sandboxMs: plan.agentTimeoutMs,
      concurrency: plan.concurrency,
    })
    if (estimate) logger.info(`cost estimate on ${backend.name}: at most $${estimate.usd.toFixed(2)} (${estimate.detail})`)

    const onDiskBefore = await scanRun(folder)
    for (const pair of onDiskBefore) for (const problem of pair.unreadable) logger.warn(`${problem}: that pair is run and evaluated again`)
    await checkRunCompatibility(folder, plan, onDiskBefore)

    const agent = await registry.create('agent', plan.agent, { options: plan.agentOptions, logger })
    // What the agent's schema made of its options (defaults filled in), as its factory saw them.
    const agentOptions = registry.validateOptions('agent', plan.agent, plan.agentOptions)
    if (agent.preflight) {
      const check = agent.preflight.bind(agent)
      await preflightWithinBound(
        `agent ${plan.agent}`,
        () =>
          check({
            model: plan.model,
            modelBaseUrl: plan.modelBaseUrl ?? null,
            options: agentOptions,
            limits: plan.agentLimits ?? NO_RUN_LIMITS,
            run: { setting: plan.setting, messaging: plan.messaging, git: plan.git },
          }),
        signal,
      )
    }
    const needsBus = plan.setting === 'coop' && plan.messaging
    const bus = needsBus ? await registry.create('bus', plan.bus, { options: plan.busOptions, logger }) : null
    if (bus) {
      lifetimeOf(scope).own(`bus ${plan.bus}`, () => bus.close())
      if (bus.preflight) await preflightWithinBound(`bus ${plan.bus}`, () => bus.preflight!(), signal)
    }
    const evaluator = await registry.create('evaluator', plan.evaluator, { options: plan.evaluatorOptions, logger })
    const evaluatorName = registry.get('evaluator', plan.evaluator).name
    const runPlan: RunPlan = { ...plan, agentOptions }
    prepared = { backend, evaluatorName, onDiskBefore }
    return [
      [Tokens.Plan, runPlan],
      [Tokens.EvalPlan, runPlan],
      [Tokens.Backend, backend],
      [Tokens.Agent, agent],
      [Tokens.Evaluator, evaluator],
      ...(bus ? [[Tokens.Bus, bus] as const] : []),
    ]
  })
  try {
    const { backend, evaluatorName, onDiskBefore } = prepared
    await writeRunConfig(folder, plan, pairs.length)

    const existing = new Map(onDiskBefore.map((p) => [p.dir, p]))
    const dirOf = (pair: Pair) => pairDir(plan.logDir, plan.runName, plan.setting, pair.task.repo, pair.task.taskId, pair.features)
    const reusable = new Set(pairs.filter((p) => !plan.force && isReusableResult(existing.get(dirOf(p))?.result ?? null)).map(dirOf))
    const needsEval = (pair: Pair) => {
      if (!plan.autoEval) return false
      const previous = existing.get(dirOf(pair))
      // A verdict of another evaluator is not this run's verdict: evaluate again.
      return plan.force || !reusable.has(dirOf(pair)) || !previous?.eval || previous.eval.error !== null || evaluatorOf(previous.eval) !== evaluatorName
    }
    events.planned?.({
      total: pairs.length,
      toRun: pairs.length - reusable.size,
      reused: reusable.size,
      toEvaluate: pairs.filter(needsEval).length,
    })

    const agentsOf = (p: Pair) => (plan.setting === 'coop' ? p.features.length : 1)
    const agentsToRun = pairs.filter((p) => !reusable.has(dirOf(p))).reduce((n, p) => n + agentsOf(p), 0)
    const breaker = new InfraBreaker(breakerThreshold(agentsToRun))
    // Pairs and evaluations stop on an interruption or when the breaker opens.
    const stop = AbortSignal.any([signal, breaker.signal])
    const outcomes = new Map<string, PairOutcome>()
    const reusedEvals = new Set<string>()
    const evalSlots = new Semaphore(plan.evalConcurrency)
    const evaluations: Promise<void>[] = []
    const evaluate = (pair: Pair) => {
      const dir = dirOf(pair)
      if (!needsEval(pair)) {
        if (plan.autoEval && existing.get(dir)?.eval) reusedEvals.add(dir)
        return
      }
      evaluations.push(
        evalSlots.use(async () => {
          if (stop.aborted) return
          events.evalStarted?.(pair)
          try {
            const record = await evaluatePairFolder(scope, { setting: plan.setting, task: pair.task, features: pair.features, dir }, stop)
            events.evalFinished?.(pair, verdictOf(record), record)
          } catch (error) {
            if (stop.aborted) return
            logger.error(`evaluation of ${dir} failed: ${errorMessage(error)}`)
            events.evalFinished?.(pair, 'error', null)
          }
        }),
      )
    }

    await forEachConcurrent(
      pairs,
      plan.concurrency,
      async (pair) => {
        const dir = dirOf(pair)
        if (reusable.has(dir)) {
          outcomes.set(dir, { status: 'skip' })
          events.pairFinished?.(pair, { status: 'skip' }, existing.get(dir)?.result ?? null)
          evaluate(pair)
          return
        }
        events.pairStarted?.(pair)
        let result: ResultRecord | null = null
        let outcome: PairOutcome
        try {
          result = await runPair(scope, pair, stop, pairEventsOf(events, pair))
          const failed = everyAgentFailed(result)
          outcome = failed === null ? { status: 'done' } : { status: 'error', error: failed }
        } catch (error) {
          if (stop.aborted) return
          outcome = { status: 'error', error: errorMessage(error) }
          logger.error(`pair ${dir} failed: ${errorMessage(error)}`)
        }
        outcomes.set(dir, outcome)
        events.pairFinished?.(pair, outcome, result)
        if (result) breaker.observe(result)
        // An agent stopped by the infrastructure or a defective task did not really try: a verdict
        // on its empty patch would count as the team's failure. The pair is left unjudged.
        if (result && !failedForInfraOrDataset(result)) evaluate(pair)
      },
      stop,
    )
    await Promise.all(evaluations)

    const interrupted = stop.aborted
    const onDisk = await scanRun(folder)
    const invocation: InvocationPair[] = pairs.map((pair) => ({
      setting: plan.setting,
      repo: pair.task.repo,
      taskId: pair.task.taskId,
      features: pair.features,
      dir: dirOf(pair),
      outcome: outcomes.get(dirOf(pair)) ?? null,
    }))
    const summary = buildRunSummary({
      runName: plan.runName,
      setting: plan.setting,
      onDisk,
      invocation,
      interrupted,
      totalTimeSeconds: (Date.now() - started) / 1000,
      autoEval: plan.autoEval,
      reusedEvals,
    })
    const usage = backend.usage?.()
    if (usage) summary.backend_usage = usage
    const evalSummary = buildEvalSummary(plan.runName, onDisk, reusedEvals)
    if (interrupted) evalSummary.interrupted = true
    // A full disk at the very end: the caller still gets the summary to show, and the error.
    let unwritten: unknown
    try {
      await writeJsonAtomic(join(folder, RunFiles.summary), summary)
      await writeJsonAtomic(join(folder, RunFiles.evalSummary), evalSummary)
    } catch (error) {
      unwritten = error
    }
    if (unwritten === undefined) await notifySinks(scope, (sink) => sink.summaryWritten, { folder, summary: { ...summary }, evalSummary: { ...evalSummary } })
    if (breaker.error !== null && !signal.aborted) throw breaker.error
    return unwritten === undefined ? { summary, interrupted } : { summary, interrupted, unwritten }
  } finally {
    await scope.dispose()
  }
}

async function writeRunConfig(folder: string, plan: RunPlan, totalTasks: number): Promise<void> {
  const path = join(folder, RunFiles.config)
  const previous = await readJsonIfPresent<StoredRunConfig>(path)
  const fingerprints = { ...(previous?.fingerprints ?? {}), [plan.setting]: plan.fingerprint }
  await writeJsonAtomic(path, {
    run_name: plan.runName,
    agent_framework: plan.agent,
    ...(plan.promptSource === undefined ? {} : { prompt_source: plan.promptSource }),
    model: recordedModelOf(plan),
    setting: plan.setting,
    concurrency: plan.concurrency,
    total_tasks: totalTasks,
    started_at: isoNow(),
    fingerprint: plan.fingerprint.value,
    fingerprint_hash: plan.fingerprint.hash,
    fingerprints,
    harness_version: plan.harnessVersion,
    config: plan.configRecord,
  })
}

function failedForInfraOrDataset(result: ResultRecord): boolean {
  const agents = result.setting === 'solo' ? [result.agent] : Object.values(result.agents ?? {})
  return agents.some((agent) => agent?.status === 'Error' && (agent.failure === 'infra' || agent.failure === 'dataset'))
}

function uniqueTasks(pairs: Pair[]): Task[] {
  return [...new Map(pairs.map((p) => [p.task.dir, p.task])).values()]
}
