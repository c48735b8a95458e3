import { join } from 'node:path'
import pMap from 'p-map'
import { type EvalRecord, CooperbenchError, errorMessage, isScriptedJobRunner, DEFAULT_EVALUATION_POLICY, isEvaluationPolicy } from '@cooperbench/spec'
import { policyOf, readRunPolicy, recordedPolicy, buildEvalSummary, type EvalSummaryRecord, type EvalVerdict } from '@cooperbench/results'
import { verdictOf, PairFiles, RunFiles, runDir, RunFolderRecords, type PairFolder, writeJsonAtomic } from '@cooperbench/results'
import { shellWord } from '@cooperbench/spec-utils/host'
import { type PendingEvaluations, writePairError } from './pending-evaluations.js'
import { evaluateScripted } from './evaluate-scripted.js'
import { openEvalScope } from './eval-run-scope.js'
import {
  evalInputsDigest,
  isStaleVerdict,
  OTHER_TASK_TEXT_ERROR,
  otherTaskTextEvalNote,
  ranWithOtherTaskText,
  staleVerdictsNote,
  taskTextDigest,
} from './eval-inputs.js'
import { evaluatePairFolder, evaluatorOf } from './evaluate-pair.js'
import { judgedByMergeOf } from './judging.js'
import { acquireRunLock } from './run-lock.js'

import type { EvalRunInput } from './eval-run-input.js'

export type { EvalRunInput } from './eval-run-input.js'

/** `cooperbench eval`: judges finished pairs without a verdict (all with `force`; errors always) and rewrites eval_summary.json. */
export async function evaluateRun(input: EvalRunInput): Promise<{ summary: EvalSummaryRecord; interrupted: boolean }> {
  const folder = runDir(input.plan.logDir, input.plan.runName)
  // Owned as a run owns it: an eval while a run or eval works there is refused, not judging pairs twice and racing to write.
  const lock = await acquireRunLock(folder, input.plan.runName)
  try {
    return await evaluateLocked(input, folder)
  } finally {
    await lock.release()
  }
}

async function evaluateLocked(input: EvalRunInput, folder: string): Promise<{ summary: EvalSummaryRecord; interrupted: boolean }> {
  const { signal } = input
  // Another policy's verdicts go beside the run's (`eval.<policy>.json`), never replacing them; a folder without config.json (the
  // reference's) goes by the verdicts it holds. Scanned once; a re-score reads each pair's own verdict file.
  const runPolicy = await readRunPolicy(folder, await judgedByMergeOf(input.registry))
  const asFound = runPolicy === null ? await RunFolderRecords.scan(folder) : null
  const own = asFound === null ? runPolicy : recordedPolicy(asFound.pairs())
  const policy = input.plan.policy ?? (isEvaluationPolicy(own) ? own : DEFAULT_EVALUATION_POLICY)
  const rescore = own !== null && own !== policy
  const evalFile = rescore ? PairFiles.evalUnder(policy) : PairFiles.eval
  const summaryFile = rescore ? RunFiles.evalSummaryUnder(policy) : RunFiles.evalSummary
  const plan = { ...input.plan, policy, evalFile }
  input = { ...input, plan }
  const records = asFound === null ? await RunFolderRecords.scan(folder, evalFile) : await asFound.withVerdictsOf(evalFile)
  const selected = finishedPairs(input, folder, records)
  const evaluatorName = input.registry.get('evaluator', plan.evaluator).name
  const taskOf = new Map(input.tasks.map((t) => [`${t.repo}/${t.taskId}`, t]))
  // Agents given another task text worked on another task: never judged against this one (`--force` too), only errors.
  const otherTaskText = new Set<string>()
  for (const p of selected) {
    const task = taskOf.get(`${p.repo}/${p.taskId}`)
    if (task !== undefined && ranWithOtherTaskText(p.result, await taskTextDigest(task, p.features))) otherTaskText.add(p.dir)
  }
  if (otherTaskText.size > 0) input.logger.warn(otherTaskTextEvalNote(otherTaskText.size))
  const judgeable = selected.filter((p) => !otherTaskText.has(p.dir))
  // A verdict of another evaluator, or of a merge under another policy, is not kept: choosing either re-evaluates.
  const kept = judgeable.filter(
    (p) =>
      !plan.force &&
      p.eval &&
      p.eval.error === null &&
      evaluatorOf(p.eval) === evaluatorName &&
      ((p.eval.merge ?? null) === null || policyOf(p.eval) === policy),
  )
  // A verdict made with other tests than the task's now is not kept either.
  const stale = new Set<string>()
  for (const p of kept) {
    const task = taskOf.get(`${p.repo}/${p.taskId}`)
    if (task !== undefined && p.eval && isStaleVerdict(p.eval, await evalInputsDigest(task, p.features))) stale.add(p.dir)
  }
  if (stale.size > 0) input.logger.warn(staleVerdictsNote(stale.size))
  const reused = new Set(kept.filter((p) => !stale.has(p.dir)).map((p) => p.dir))
  const pending = judgeable.filter((p) => !reused.has(p.dir))
  input.events?.planned?.({ total: selected.length, toEvaluate: pending.length, reused: reused.size })

  // Pairs that got a verdict in this invocation: on an interruption, the others keep an earlier one.
  const judgedNow = new Set<string>()
  const finished = input.events?.evalFinished
  const evalFinished = (pair: PairFolder, verdict: EvalVerdict, record: EvalRecord) => {
    judgedNow.add(pair.dir)
    finished?.(pair, verdict, record)
  }
  const { scope, sinks, judging } = await openEvalScope(input, pending, taskOf)
  try {
    for (const pair of selected.filter((p) => otherTaskText.has(p.dir))) {
      await writePairError({ policy, scope, records, sinks, evalFile, evalFinished }, pair, OTHER_TASK_TEXT_ERROR, 'task_changed')
    }
    if (judging !== undefined) {
      const { backend, evaluator } = judging
      const batchProgress = input.events?.batchProgress
      const work: PendingEvaluations = {
        scope,
        records,
        sinks,
        pending,
        taskOf,
        signal,
        evalFinished,
        evalFile,
        policy,
        ...(batchProgress ? { batchProgress } : {}),
      }
      if (isScriptedJobRunner(backend) && evaluator.plan !== undefined) await evaluateScripted(work, backend, judging.inScope)
      else await pMap(pending, (pair) => evaluateFolder(work, pair), { concurrency: plan.concurrency })
    }
    const interrupted = signal.aborted
    // The whole folder: verdicts not made now (outside -r/-t/-f, or pending when interrupted, `--force` too) are kept (`skipped`).
    const all = records.pairs()
    const kept = new Set(all.filter((p) => p.eval !== null && !judgedNow.has(p.dir)).map((p) => p.dir))
    const summary = buildEvalSummary(plan.runName, all, kept)
    summary.policy = policy
    if (interrupted) summary.interrupted = true
    await writeJsonAtomic(join(folder, summaryFile), summary)
    if (!rescore) await sinks.notify((sink) => sink.summaryWritten, { folder, summary: null, evalSummary: { ...summary } })
    return { summary, interrupted }
  } finally {
    await scope.dispose()
  }
}

/** The run folder's finished pairs the filters select; RUN_NOT_FOUND when the folder has no pair. */
function finishedPairs(input: EvalRunInput, folder: string, records: RunFolderRecords): PairFolder[] {
  const { plan, logger } = input
  const { evalFile } = records
  const all = records.pairs()
  if (all.length === 0) {
    throw new CooperbenchError('RUN_NOT_FOUND', `no results found for run "${plan.runName}" in ${folder}`, {
      hint: `Check the run name (-n) and --log-dir; \`ls ${shellWord(plan.logDir)}\` lists the runs.`,
    })
  }
  for (const pair of all)
    for (const problem of pair.unreadable)
      logger.warn(`${problem}: ${problem.includes(evalFile) ? 'that pair is evaluated again' : 'that pair cannot be evaluated until it is run again'}`)
  return all.filter((p) => p.result !== null && input.select(p))
}

/** One pair on the run's backend. A failure outside the evaluator's algorithm is an error verdict, as eval.json. */
async function evaluateFolder(work: PendingEvaluations, pair: PairFolder): Promise<void> {
  const { signal } = work
  if (signal.aborted) return
  const task = work.taskOf.get(`${pair.repo}/${pair.taskId}`)
  let record: EvalRecord
  try {
    if (!task) throw new Error(`task ${pair.repo}/task${pair.taskId} is not in the dataset`)
    record = await evaluatePairFolder(work, { setting: pair.setting, task, features: pair.features, dir: pair.dir }, signal)
  } catch (error) {
    if (signal.aborted) return
    // Failures outside the algorithm still leave an error eval.json: the summary sees them, the next eval retries them.
    await writePairError(work, pair, errorMessage(error))
    return
  }
  work.evalFinished(pair, verdictOf(record), record)
}
