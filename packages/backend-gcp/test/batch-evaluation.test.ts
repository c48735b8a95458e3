import { spawnSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadDataset } from '@cooperbench/dataset'
import { RecordedRunSandbox } from '@cooperbench/spec-utils/host'
import type { ScriptedJob, ScriptedJobOutcome } from '@cooperbench/spec'
import { createDefaultEvaluator } from '@cooperbench/evaluator-default'
import { type EvalInput, type EvalRecord, SANDBOX_LABELS, type Task } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { createFixtureTask } from '@cooperbench/testkit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newBackend, closeBackends } from '../../backend-docker/test/fixture.js'
import { GcpBackend } from '../src/index.js'
import { type GoogleStandin, STANDIN_BATCH_LABEL, startGoogleStandin } from '@cooperbench/standins/gcp'
import { ensureTaskImage, imageOf, skipReason, testToken } from './fixture.js'

const BUCKET = 'batch-test-bucket'

/** Each feature's verdict (`feature1`, `feature2`, … in the order of `features`). */
function featureRecords(record: EvalRecord) {
  return (record.features ?? []).map((_, i) => record[`feature${i + 1}`])
}

/** What decides a verdict, without timings and dates. */
function decisive(record: EvalRecord) {
  return {
    error: record.error ?? null,
    both_passed: record.both_passed,
    merge: record.merge ?? null,
    apply_status: record.apply_status ?? null,
    features: record.features ?? [],
    verdicts: featureRecords(record).map((f) => ({ id: f?.feature_id, passed: f?.passed, tests_passed: f?.tests_passed, tests_failed: f?.tests_failed })),
  }
}

describe.skipIf(skipReason)(`evaluation on GCP Batch through the stand-ins${skipReason ? ` (${skipReason})` : ''}`, () => {
  let task: Task
  let removeFixture = async () => {}
  let standin: GoogleStandin
  let gold: string[]
  const evaluator = createDefaultEvaluator()
  const backends: GcpBackend[] = []
  /** What the backends warned of (a cleanup that failed says why here). */
  const warnings: string[] = []
  const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) }
  const gcp = () => {
    const backend = new GcpBackend({
      project: 'test-project',
      apiEndpoint: standin.endpoint,
      auth: testToken(),
      bucket: BUCKET,
      batchPollSeconds: 0.2,
      cpusPerSandbox: 1,
      memoryMiBPerSandbox: 512,
      blockNetwork: true,
      logger,
    })
    backends.push(backend)
    return backend
  }

  beforeAll(async () => {
    // Two features in separate files, and a third that edits the first feature's line (a conflict).
    const fixture = await createFixtureTask({
      repo: 'batch_task',
      base: { 'a.py': 'A = 1\n', 'b.py': 'B = 1\n' },
      features: [
        {
          spec: 'A is 2.\n',
          source: { 'a.py': 'A = 2\n' },
          tests: { 'tests/t1.sh': 'grep -q "A = 2" a.py && echo "1 passed in 0.01s" || { echo "1 failed in 0.01s"; exit 1; }\n' },
        },
        {
          spec: 'B is 2.\n',
          source: { 'b.py': 'B = 2\n' },
          tests: { 'tests/t2.sh': 'grep -q "B = 2" b.py && echo "1 passed in 0.01s" || { echo "1 failed in 0.01s"; exit 1; }\n' },
        },
        {
          spec: 'A is 3.\n',
          source: { 'a.py': 'A = 3\n' },
          tests: { 'tests/t3.sh': 'grep -q "A = 3" a.py && echo "1 passed in 0.01s" || { echo "1 failed in 0.01s"; exit 1; }\n' },
        },
      ],
      runner: RUNNER,
    })
    removeFixture = fixture.cleanup
    task = (await loadDataset(fixture.datasetDir)).tasks[0]!
    await ensureTaskImage(task)
    gold = await Promise.all(task.features.map((f) => readFile(join(f.dir, 'feature.patch'), 'utf8')))
    standin = await startGoogleStandin({ buckets: [BUCKET] })
  }, 600_000)

  afterAll(async () => {
    for (const backend of backends) await backend.close()
    await closeBackends()
    await standin?.close()
    await removeFixture()
  })

  const inputs = (): Array<Omit<EvalInput, 'createSandbox'>> => [
    { task, features: [1, 2], setting: 'coop', patches: { rule: 'merge', agents: [gold[0]!, gold[1]!] }, testTimeoutMs: 60_000 },
    { task, features: [1, 2], setting: 'coop', patches: { rule: 'merge', agents: [gold[0]!, ''] }, testTimeoutMs: 60_000 },
    { task, features: [1, 3], setting: 'coop', patches: { rule: 'merge', agents: [gold[0]!, gold[2]!] }, testTimeoutMs: 60_000 },
    { task, features: [1, 2], setting: 'solo', patches: { rule: 'single', patch: `${gold[0]}${gold[1]}` }, testTimeoutMs: 60_000 },
  ]

  /**
   * A team of three whose first and third features edit one line (what `eval` on Batch sends for a
   * team run): judged as the merge of its three patches, recorded under team.
   */
  const teamOfThree = (): Omit<EvalInput, 'createSandbox'> => ({
    task,
    features: [1, 2, 3],
    setting: 'team',
    patches: { rule: 'merge', agents: [gold[0]!, gold[1]!, gold[2]!] },
    testTimeoutMs: 60_000,
  })

  async function onBatch(
    backend: GcpBackend,
    planned: Array<Omit<EvalInput, 'createSandbox'>>,
    signal = new AbortController().signal,
    progress: Array<Record<string, number>> = [],
  ) {
    const jobs: ScriptedJob[] = []
    for (const [i, input] of planned.entries()) {
      const plan = await evaluator.plan!(input)
      if (!('job' in plan)) throw new Error(`pair ${i} failed planning: ${plan.record.error}`)
      jobs.push({ key: String(i), task, image: imageOf(task), labels: { [SANDBOX_LABELS.run]: 'batch-test' }, ...plan.job })
    }
    const outcomes = new Map<string, ScriptedJobOutcome>()
    await backend.runScriptedJobs!(jobs, {
      signal,
      onOutcome: async (key, outcome) => void outcomes.set(key, outcome),
      onProgress: (counts) => progress.push(counts),
    })
    return { jobs, outcomes }
  }

  /** The pairs of {@link inputs} and {@link teamOfThree} in one Batch job, sent once for the tests that read it. */
  const sharedInputs = () => [...inputs(), teamOfThree()]
  const progress: Array<Record<string, number>> = []
  let shared: ReturnType<typeof onBatch> | undefined
  const sharedBatch = () => (shared ??= onBatch(gcp(), sharedInputs(), undefined, progress))

  it('gives the docker backend’s verdicts on the same pairs (clean merge, a missing patch, a union merge, solo, a team of three recorded under team); nothing left behind', async () => {
    const planned = sharedInputs()
    const { jobs, outcomes } = await sharedBatch()
    const docker = newBackend()
    for (const [i, input] of planned.entries()) {
      const outcome = outcomes.get(String(i))
      if (!outcome || 'error' in outcome) throw new Error(`pair ${i}: ${outcome ? outcome.error : 'no outcome'}`)
      const replayed = await evaluator.evaluate({ ...input, createSandbox: async () => new RecordedRunSandbox(`pair-${i}`, jobs[i]!, outcome.result) })
      const live = await evaluator.evaluate({
        ...input,
        createSandbox: () => docker.createSandbox({ task, image: imageOf(task), role: 'eval', labels: { [SANDBOX_LABELS.run]: 'batch-test-docker' } }),
      })
      expect(decisive(replayed), `pair ${i}`).toEqual(decisive(live))
      expect(featureRecords(replayed).map((f) => f?.test_output)).toEqual(featureRecords(live).map((f) => f?.test_output))
    }
    expect(outcomes.size).toBe(5)
    expect(decisive(await evaluatorRecord(0))).toMatchObject({ both_passed: true })
    // The team's verdict is the coop merge of its three patches, under its own setting and features.
    const team = await evaluatorRecord(4)
    expect(team.setting, JSON.stringify(team).slice(0, 2000)).toBe('team')
    expect(team.error ?? null).toBeNull()
    expect(team.features).toEqual([1, 2, 3])
    expect(featureRecords(team).map((f) => f?.feature_id)).toEqual([1, 2, 3])
    expect(progress.at(-1)).toEqual({ succeeded: 5 })
    expect(standin.batch.jobs()).toEqual([])
    expect(warnings).toEqual([])
    expect(standin.storage.objects(BUCKET)).toEqual([])
    expect(batchContainers()).toEqual([])

    async function evaluatorRecord(i: number) {
      const outcome = outcomes.get(String(i))!
      if ('error' in outcome) throw new Error(outcome.error)
      return evaluator.evaluate({ ...planned[i]!, createSandbox: async () => new RecordedRunSandbox(`pair-${i}`, jobs[i]!, outcome.result) })
    }
  }, 600_000)

  it('a task whose container fails is retried by Batch’s retry policy, and a delete Cloud Storage refuses (a 503) is tried again; a task that keeps failing is reported as an error', async () => {
    // One single-pair job shows both retries (each cost a Batch job of its own).
    warnings.length = 0
    standin.batch.failNextAttempts(1)
    standin.storage.failNextDeletes(3)
    const retried = await onBatch(gcp(), inputs().slice(0, 1))
    expect(retried.outcomes.get('0'), 'the task retried by Batch gives its result').toHaveProperty('result')
    expect(standin.storage.objects(BUCKET), 'the staging goes, its refused deletes tried again').toEqual([])
    expect(warnings, 'no delete given up').toEqual([])

    const failing = new GcpBackend({
      project: 'test-project',
      apiEndpoint: standin.endpoint,
      auth: testToken(),
      bucket: BUCKET,
      batchPollSeconds: 0.2,
      batchMaxRetries: 1,
      blockNetwork: true,
    })
    backends.push(failing)
    standin.batch.failNextAttempts(2)
    const failed = await onBatch(failing, inputs().slice(0, 1))
    expect(failed.outcomes.get('0')).toEqual({
      error: expect.stringMatching(/^Batch task 0 of job cb-eval-batch-test-\w+ failed after its retries: .*exit code 1/),
    })
    expect(standin.batch.jobs()).toEqual([])
  }, 300_000)

  it('a job that fails before its tasks run (its VMs cannot report to Batch) gives every evaluation the status event’s cause', async () => {
    standin.batch.failNextJobs(1)
    const { outcomes } = await onBatch(gcp(), inputs().slice(0, 2))
    expect([...outcomes.values()]).toEqual(
      [0, 1].map(() => ({
        error: expect.stringMatching(/ended FAILED without running this evaluation: No VM has agent reporting correctly within time window/),
      })),
    )
  }, 120_000)

  it('an evaluator that strays from its plan fails the pair instead of inventing a verdict', async () => {
    // The first pair's job and outcome of the shared Batch job (the first test's).
    const { jobs, outcomes } = await sharedBatch()
    const outcome = outcomes.get('0')!
    if ('error' in outcome) throw new Error(outcome.error)
    const sandbox = new RecordedRunSandbox('stray', jobs[0]!, outcome.result)
    await expect(sandbox.exec('echo something else')).rejects.toThrow(/did not run/)
    const [written] = [...jobs[0]!.files.keys()]
    await expect(sandbox.writeFile(written!, 'other bytes')).rejects.toThrow(/other bytes/)
    await expect(sandbox.writeFile('/patches/unplanned.patch', 'x')).rejects.toThrow(/did not write/)
    await expect(sandbox.readFile('/etc/passwd')).rejects.toThrow(/did not keep/)
  }, 300_000)

  it('interrupted: the Batch job and its staging are deleted and no container is left', async () => {
    const slow = inputs().map((input) => ({ ...input, patches: { rule: 'single' as const, patch: `${gold[0]}${gold[1]}` }, setting: 'solo' as const }))
    const controller = new AbortController()
    const started = onBatch(gcp(), slow, controller.signal)
    await waitFor(() => batchContainers().length > 0, 120_000)
    controller.abort()
    await started
    expect(standin.batch.jobs()).toEqual([])
    expect(standin.storage.objects(BUCKET)).toEqual([])
    await waitFor(() => batchContainers().length === 0, 30_000)
  }, 300_000)

  it('refuses a missing bucket in one line naming `cooperbench config gcp`', async () => {
    const backend = new GcpBackend({ project: 'test-project', apiEndpoint: standin.endpoint, auth: testToken(), bucket: 'no-such-bucket' })
    backends.push(backend)
    const [input] = inputs()
    const plan = await evaluator.plan!(input!)
    if (!('job' in plan)) throw new Error('planning failed')
    await expect(
      backend.runScriptedJobs!([{ key: '0', task, image: imageOf(task), labels: {}, ...plan.job }], {
        signal: new AbortController().signal,
        onOutcome: async () => {},
      }),
    ).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      message: expect.stringMatching(/bucket no-such-bucket .* does not exist/),
      hint: expect.stringMatching(/cooperbench config gcp/),
    })
  })
})

/** A runner that applies the tests and the feature patch, then runs every test script (sleeping a little, so a batch is still running when a test interrupts it). */
const RUNNER = `#!/bin/bash
set -u
cd /workspace/repo
git apply --whitespace=nowarn "/patches/$1" || { echo "tests patch failed to apply"; exit 1; }
git apply --whitespace=nowarn "/patches/$2" || { echo "feature patch failed to apply"; exit 1; }
sleep 1
status=0
for t in tests/*.sh; do bash "$t" || status=1; done
exit $status
`

/** Containers the Batch stand-in runs for this file's jobs (run label `batch-test`), whatever else runs. */
function batchContainers(): string[] {
  const jobs = spawnSync('docker', ['ps', '-a', '--filter', `label=${STANDIN_BATCH_LABEL}`, '--format', `{{.Label "${STANDIN_BATCH_LABEL}"}}`], {
    encoding: 'utf8',
  }).stdout
  return jobs.split('\n').filter((job) => job.includes('/jobs/cb-eval-batch-test-'))
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 200))
  }
}
