import type { EvalInput, EvalRecord, Evaluator, EvaluationJob, ScriptedJob, ScriptedJobOutcome, ScriptedJobRunner, Task } from '@cooperbench/spec'
import { SANDBOX_LABELS, errorMessage } from '@cooperbench/spec'
import { evalInputsDigest } from './eval-inputs.js'
import { evalErrorRecord, isoNow } from '@cooperbench/spec-utils/records'
import { openScopeFor } from '../plugin/container.js'
import { Tokens } from '../plugin/tokens.js'
import { type PairFolder, verdictOf } from '@cooperbench/results'
import { type PendingEvaluations, writePairError } from './pending-evaluations.js'
import { judgedPatchesIn, lostPatchRecord, writeEvalRecord } from './evaluate-pair.js'
import { judgedByMerge } from './judging.js'
import { RunnerTokens } from './scope-services.js'
import { imageName } from '@cooperbench/spec-utils/images'
import type { EvalPlan } from './plan.js'
import { RecordedRunSandbox } from '@cooperbench/spec-utils/host'

/**
 * `eval` on a batch backend: `judge` plans each pair as a job, the backend runs them all, and each result goes back to the same
 * evaluator through a {@link RecordedRunSandbox}, so the verdict comes from the code that decides it elsewhere. Pairs not in the
 * dataset get an error first; eval.json is written as jobs finish, and no more after an interruption.
 */
export async function evaluateScripted(work: PendingEvaluations, runner: ScriptedJobRunner, judge: { evaluator: Evaluator; plan: EvalPlan }): Promise<void> {
  const { evaluator, plan } = judge
  if (evaluator.plan === undefined) throw new Error(`evaluator ${evaluator.name} cannot plan scripted jobs`)
  const inputs = new Map<string, { pair: PairFolder; input: Omit<EvalInput, 'createSandbox'>; job: ScriptedJob }>()
  const jobs: ScriptedJob[] = []
  const pairs = work.pending.flatMap((pair) => {
    const task = work.taskOf.get(`${pair.repo}/${pair.taskId}`)
    return task ? [{ pair, task }] : []
  })
  for (const pair of work.pending.filter((p) => !work.taskOf.has(`${p.repo}/${p.taskId}`))) {
    await writePairError(work, pair, `task ${pair.repo}/task${pair.taskId} is not in the dataset`)
  }

  // Each pair's task inputs as they were when its job was planned: what its verdict is made with.
  const digests = new Map<string, string>()
  const write = async (pair: PairFolder, task: Task, record: EvalRecord) => {
    const context = { pair: { task, features: pair.features }, dir: pair.dir, runId: null }
    const { scope, services } = await openScopeFor(work.scope, 'pair', [[Tokens.Pair, context]], { sinks: RunnerTokens.Sinks })
    try {
      const digest = digests.get(pair.dir) ?? (await evalInputsDigest(task, pair.features))
      await writeEvalRecord({ records: work.records, sinks: services.sinks }, evaluator.name, pair.dir, record, digest, plan.evalFile)
    } finally {
      await scope.dispose()
    }
    work.evalFinished(pair, verdictOf(record), record)
  }
  // Whether each pair's patches are merged: an error record has the shape of its verdicts.
  const merged = new Map<string, boolean>()
  for (const { pair } of pairs) merged.set(pair.dir, await judgedByMerge(work.scope, pair.setting, pair.features))
  const failure = (pair: PairFolder, message: string) =>
    evalErrorRecord(
      { repo: pair.repo, task_id: pair.taskId, features: pair.features, setting: pair.setting, merged: merged.get(pair.dir) === true },
      message,
      isoNow(),
    )

  for (const { pair, task } of pairs) {
    if (work.signal.aborted) return
    const { patches, lost } = await judgedPatchesIn(work.scope, pair)
    if (lost !== null) {
      await write(pair, task, lostPatchRecord({ ...pair, task, merged: merged.get(pair.dir) === true }, lost, plan.policy))
      continue
    }
    const input = {
      task,
      features: pair.features,
      setting: pair.setting,
      patches,
      testTimeoutMs: plan.testTimeoutMs,
      ...(plan.policy === undefined ? {} : { policy: plan.policy }),
    }
    digests.set(pair.dir, await evalInputsDigest(task, pair.features))
    const planned = await evaluator.plan(input).catch((error: unknown) => ({ record: failure(pair, errorMessage(error)) }))
    if ('record' in planned) {
      await write(pair, task, planned.record)
      continue
    }
    const job = scriptedJobOf(plan, pair, task, planned.job)
    inputs.set(job.key, { pair, input, job })
    jobs.push(job)
  }
  if (jobs.length === 0 || work.signal.aborted) return

  const onOutcome = async (key: string, outcome: ScriptedJobOutcome) => {
    const entry = inputs.get(key)
    if (entry === undefined || work.signal.aborted) return
    const { pair, input, job } = entry
    let record: EvalRecord
    if ('error' in outcome) {
      record = failure(pair, `batch job failed: ${outcome.error}`)
    } else {
      const sandbox = new RecordedRunSandbox(`${pair.repo}/task${pair.taskId}/${pair.features.join(',')}`, job, outcome.result)
      record = await evaluator
        .evaluate({ ...input, createSandbox: async () => sandbox }, work.signal)
        .catch((error: unknown) => failure(pair, errorMessage(error)))
    }
    if (work.signal.aborted) return
    await write(pair, input.task, record)
  }
  await runner.runScriptedJobs(jobs, { signal: work.signal, onOutcome, ...(work.batchProgress ? { onProgress: work.batchProgress } : {}) })
}

/** The batch job of one pair's evaluation: keyed by its folder, on its task's image, labelled as an evaluation. */
function scriptedJobOf(plan: EvalPlan, pair: PairFolder, task: Task, planned: EvaluationJob): ScriptedJob {
  return {
    key: pair.dir,
    task,
    image: imageName(plan.imageTemplate, plan.imageNamespace, task.repo, task.taskId),
    labels: {
      [SANDBOX_LABELS.run]: plan.runName,
      [SANDBOX_LABELS.role]: 'eval',
      [SANDBOX_LABELS.pair]: `${task.repo}/${task.taskId}/${pair.features.join(',')}`,
    },
    ...planned,
  }
}
