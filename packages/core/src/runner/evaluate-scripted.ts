import type { EvalInput, EvalRecord, Evaluator, EvaluationJob, ScriptedJob, ScriptedJobOutcome, ScriptedJobRunner, Task } from '@cooperbench/spec'
import { SANDBOX_LABELS, errorMessage } from '@cooperbench/spec'
import { evalInputsDigest } from './eval-inputs.js'
import { evalErrorRecord, isoNow } from '@cooperbench/spec-utils/records'
import { openScopeFor, type Scope } from '../plugin/container.js'
import { Tokens } from '../plugin/tokens.js'
import type { RunFolderRecords } from '../results/run-folder-records.js'
import type { PairFolder } from '../results/scan-run.js'
import { judgedSetting, lostPatchRecord, underPairSetting, writeEvalRecord } from './evaluate-pair.js'
import { readPairPatches } from './pair-patches.js'
import { RunnerTokens } from './scope-services.js'
import { imageName } from '@cooperbench/spec-utils/images'
import type { EvalPlan } from './plan.js'
import { RecordedRunSandbox } from '@cooperbench/spec-utils/host'

/** The run scope of `eval`, the run folder's records verdicts are written through, and its evaluator and plan as the scope has them. */
export interface ScriptedRun {
  scope: Scope
  records: RunFolderRecords
  evaluator: Evaluator
  plan: EvalPlan
}

export interface ScriptedEvaluation {
  pairs: Array<{ pair: PairFolder; task: Task }>
  runner: ScriptedJobRunner
  signal: AbortSignal
  finished(pair: PairFolder, record: EvalRecord): void
  progress?(counts: Record<string, number>): void
}

/**
 * `cooperbench eval` on a backend that runs scripted jobs on a batch platform: every pair's
 * evaluation is planned as a job by the evaluator, the backend runs them all, and each result is
 * handed back to the same evaluator through a {@link RecordedRunSandbox}, so the verdict comes
 * from the code that decides it on every other backend. eval.json files are written as jobs
 * finish; an interrupted batch keeps those and writes no others.
 */
export async function evaluateScripted(run: ScriptedRun, work: ScriptedEvaluation): Promise<void> {
  const { evaluator, plan } = run
  if (evaluator.plan === undefined) throw new Error(`evaluator ${evaluator.name} cannot plan scripted jobs`)
  const inputs = new Map<string, { pair: PairFolder; input: Omit<EvalInput, 'createSandbox'>; job: ScriptedJob }>()
  const jobs: ScriptedJob[] = []

  // Each pair's task inputs as they were when its job was planned: what its verdict is made with.
  const digests = new Map<string, string>()
  const write = async (pair: PairFolder, task: Task, record: EvalRecord) => {
    const context = { pair: { task, features: pair.features }, dir: pair.dir, runId: null }
    const { scope, services } = await openScopeFor(run.scope, 'pair', [[Tokens.Pair, context]], { sinks: RunnerTokens.Sinks })
    try {
      const digest = digests.get(pair.dir) ?? (await evalInputsDigest(task, pair.features))
      await writeEvalRecord(
        { records: run.records, sinks: services.sinks },
        evaluator.name,
        pair.dir,
        underPairSetting(record, pair.setting),
        digest,
        plan.evalFile,
      )
    } finally {
      await scope.dispose()
    }
    work.finished(pair, record)
  }
  const failure = (pair: PairFolder, message: string) =>
    evalErrorRecord({ repo: pair.repo, task_id: pair.taskId, features: pair.features, setting: pair.setting }, message, isoNow())

  for (const { pair, task } of work.pairs) {
    if (work.signal.aborted) return
    const { patches, lost } = await readPairPatches(pair)
    if (lost !== null) {
      await write(pair, task, lostPatchRecord({ ...pair, task }, lost, plan.policy))
      continue
    }
    const input = {
      task,
      features: pair.features,
      setting: judgedSetting(pair.setting),
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
  await work.runner.runScriptedJobs(jobs, { signal: work.signal, onOutcome, ...(work.progress ? { onProgress: work.progress } : {}) })
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
