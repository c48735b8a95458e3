import { join } from 'node:path'
import pLimit from 'p-limit'
import pMap from 'p-map'
import { type ResultRecord, type Pair, errorMessage } from '@cooperbench/spec'
import { verdictOf, RunFiles, runDir, readJsonIfPresent, type PairOutcome, writeJsonAtomic, recordAgents } from '@cooperbench/results'
import { isoNow } from '@cooperbench/spec-utils/records'
import { evaluatePairFolder } from './evaluate-pair.js'
import { pairEventsOf, type RunEvents } from './events.js'
import { recordedModelOf, type RunPlan } from './plan.js'
import type { StoredRunConfig } from './run-compatibility.js'
import { runPair } from './run-pair.js'
import { everyAgentFailed } from './skip-rules.js'
import { breakerThreshold, InfraBreaker } from './infra-breaker.js'
import { acquireRunLock } from './run-lock.js'
import { type ResumePlan, planResume } from './resume-plan.js'
import { otherTaskTextRunNote, staleVerdictsNote } from './eval-inputs.js'
import { type OpenedRun, openRunScope } from './run-scope.js'
import { writeRunSummaries } from './run-summaries.js'

import type { RunInput, RunOutcome } from './run-input.js'

export type { RunInput, RunOutcome } from './run-input.js'

/** `cooperbench run`: every selected pair through agents and (by default) evaluation, bounded, resumable, interruptible leaving no sandbox. */
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
  const { plan, pairs, signal } = input
  const events = input.events ?? {}
  const opened = await openRunScope(input, folder)
  const { scope, evaluatorName, onDiskBefore } = opened
  try {
    await writeRunConfig(folder, plan, pairs.length)
    const resume = await planResume(plan, pairs, onDiskBefore, evaluatorName)
    if (resume.otherTaskText.size > 0) input.logger.warn(otherTaskTextRunNote(resume.otherTaskText.size))
    if (resume.stale.size > 0) input.logger.warn(staleVerdictsNote(resume.stale.size))
    events.planned?.({
      total: pairs.length,
      toRun: pairs.length - resume.reusable.size,
      reused: resume.reusable.size,
      toEvaluate: pairs.filter(resume.needsEval).length,
    })
    const breaker = new InfraBreaker(breakerThreshold(resume.agentsToRun))
    const stop = AbortSignal.any([signal, breaker.signal])
    const evaluations = queueEvaluations({ input, run: opened, resume, stop, events })
    const outcomes = new Map<string, PairOutcome>()
    const pairsRun: PairsRun = { input, run: opened, resume, stop, events, breaker, outcomes, evaluate: evaluations.add }
    // p-map starts no pair after a failure; an interruption skips the pairs not yet started.
    await pMap(pairs, (pair) => runOrReuse(pairsRun, pair), { concurrency: plan.concurrency })
    await evaluations.settled()
    const outcome = await writeRunSummaries({
      opened,
      folder,
      plan,
      pairs,
      subsetMissing: input.subsetMissing ?? [],
      dirOf: resume.dirOf,
      outcomes,
      reusedEvals: evaluations.reused,
      interrupted: stop.aborted,
      started,
    })
    if (breaker.error !== null && !signal.aborted) throw breaker.error
    return outcome
  } finally {
    await scope.dispose()
  }
}

/** What the pairs of one invocation share while they run. */
interface PairsRun {
  input: RunInput
  /** The run scope, which pairs open theirs in, the run's plan as it has it, and the run folder's records. */
  run: Pick<OpenedRun, 'scope' | 'plan' | 'records'>
  resume: ResumePlan
  /** Aborted by an interruption or by the infrastructure breaker. */
  stop: AbortSignal
  events: RunEvents
  breaker: InfraBreaker
  outcomes: Map<string, PairOutcome>
  /** Queues the pair's evaluation, when it needs one. */
  evaluate(pair: Pair): void
}

/** One pair: its earlier result kept, or run (again) and queued for evaluation. */
async function runOrReuse(run: PairsRun, pair: Pair): Promise<void> {
  const { resume, events, outcomes, stop } = run
  if (stop.aborted) return
  const dir = resume.dirOf(pair)
  if (resume.reusable.has(dir)) {
    outcomes.set(dir, { status: 'skip' })
    events.pairFinished?.(pair, { status: 'skip' }, resume.existing.get(dir)?.result ?? null)
    run.evaluate(pair)
    return
  }
  events.pairStarted?.(pair)
  let result: ResultRecord | null = null
  let outcome: PairOutcome
  try {
    result = await runPair(run.run, pair, stop, pairEventsOf(events, pair))
    const failed = everyAgentFailed(result)
    outcome = failed === null ? { status: 'done' } : { status: 'error', error: failed }
  } catch (error) {
    if (stop.aborted) return
    outcome = { status: 'error', error: errorMessage(error) }
    run.input.logger.error(`pair ${dir} failed: ${errorMessage(error)}`)
  }
  outcomes.set(dir, outcome)
  events.pairFinished?.(pair, outcome, result)
  if (result) run.breaker.observe(result)
  // An agent stopped by the infrastructure or a defective task did not try: judging its empty patch
  // would fail the pair.
  if (result && !failedForInfraOrDataset(result)) run.evaluate(pair)
}

/** An invocation's evaluations, `evalConcurrency` at a time, as pairs finish or are kept; `reused`: kept verdicts' folders; `settled` waits. */
function queueEvaluations(pairsRun: Pick<PairsRun, 'input' | 'run' | 'resume' | 'stop' | 'events'>) {
  const { input, run, resume, stop, events } = pairsRun
  const { plan, logger } = input
  const reused = new Set<string>()
  const slots = pLimit(plan.evalConcurrency)
  const evaluations: Promise<void>[] = []
  const evaluateOne = async (pair: Pair, dir: string) => {
    if (stop.aborted) return
    events.evalStarted?.(pair)
    try {
      const record = await evaluatePairFolder(run, { setting: plan.setting, task: pair.task, features: pair.features, dir }, stop)
      events.evalFinished?.(pair, verdictOf(record), record)
    } catch (error) {
      if (stop.aborted) return
      logger.error(`evaluation of ${dir} failed: ${errorMessage(error)}`)
      events.evalFinished?.(pair, 'error', null)
    }
  }
  const add = (pair: Pair) => {
    const dir = resume.dirOf(pair)
    if (!resume.needsEval(pair)) {
      if (plan.autoEval && resume.existing.get(dir)?.eval) reused.add(dir)
      return
    }
    evaluations.push(slots(() => evaluateOne(pair, dir)))
  }
  return { add, reused, settled: () => Promise.all(evaluations) }
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
    // How the run's coop pairs are judged (`eval` re-scores under another policy beside it, never
    // over it).
    evaluation_policy: plan.policy,
    // What the setting records of its options (the team setting's coordination features, as
    // upstream records them).
    ...plan.settingShape.record,
    harness_version: plan.harnessVersion,
    config: plan.configRecord,
  })
}

function failedForInfraOrDataset(result: ResultRecord): boolean {
  return recordAgents(result).some(([, agent]) => agent?.status === 'Error' && (agent.failure === 'infra' || agent.failure === 'dataset'))
}
