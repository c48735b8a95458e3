import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger, RunScriptedJobsOptions, ScriptedJob, ScriptedJobOutcome } from '@cooperbench/spec'
import { readScriptedJobResult, SCRIPTED_JOB_DRIVER, stageScriptedJob } from '@cooperbench/backend-kit'
import pRetry from 'p-retry'
import type { GcpBackendOptions } from '../options.js'
import { packFiles, unpackFiles } from './archive.js'
import { type BatchJobSpec, type BatchJobs, FINAL_JOB_STATES } from './batch-jobs.js'
import type { StagingBucket } from './bucket.js'

/** Where the job's staging folder (a Cloud Storage prefix) is mounted on the VM and in the container. */
const BATCH_MOUNT = '/mnt/disks/cooperbench'

/**
 * The container's command (`bash -c WRAPPER <mount> <output cap>`): unpacks the staged archive,
 * runs the scripted-job driver, publishes the result archive once complete. A non-zero exit is
 * an infrastructure failure that Batch retries.
 */
const BATCH_TASK_WRAPPER = [
  'M=$0; CAP=$1; I=$BATCH_TASK_INDEX; W=/run/cooperbench/job',
  'rm -rf "$W" && mkdir -p "$W/in" "$M/results" || exit 70',
  'tar -xf "$M/tasks/$I.tar" -C "$W/in" || { echo "cooperbench: cannot unpack $M/tasks/$I.tar" >&2; exit 73; }',
  'bash "$M/driver.sh" "$W/in" "$W/out" "$CAP" || exit $?',
  'tar -cf "$M/results/$I.tar.partial" -C "$W/out" . && mv -f "$M/results/$I.tar.partial" "$M/results/$I.tar"',
].join('\n')

export interface BatchEvaluationSettings {
  jobs: BatchJobs
  bucket: StagingBucket
  options: GcpBackendOptions
  /** GCP labels of every job (managed, run, creator). */
  labels: Record<string, string>
  /** Run label, for job names. */
  runLabel: string
  logger: Logger
}

/**
 * Runs scripted jobs on GCP Batch: one Batch job per task image, one task per scripted job, each
 * staged as an archive in the bucket Batch mounts, its result coming back the same way. Each
 * Batch job and its staging are deleted at the end, also when interrupted.
 */
export async function runOnBatch(settings: BatchEvaluationSettings, jobs: ScriptedJob[], run: RunScriptedJobsOptions): Promise<void> {
  const groups = new Map<string, ScriptedJob[]>()
  for (const job of jobs) groups.set(job.image, [...(groups.get(job.image) ?? []), job])
  const progress = new Map<string, Record<string, number>>()
  const report = () => {
    const total: Record<string, number> = {}
    for (const counts of progress.values()) for (const [state, n] of Object.entries(counts)) total[state] = (total[state] ?? 0) + n
    run.onProgress?.(total)
  }
  await Promise.all(
    [...groups].map(([image, group]) =>
      runImageGroup(settings, image, group, run, (counts) => {
        progress.set(image, counts)
        report()
      }),
    ),
  )
}

async function runImageGroup(
  settings: BatchEvaluationSettings,
  image: string,
  group: ScriptedJob[],
  run: RunScriptedJobsOptions,
  onCounts: (counts: Record<string, number>) => void,
): Promise<void> {
  const { jobs, bucket, options, logger, signal } = { ...settings, signal: run.signal }
  const jobId = batchJobId(settings.runLabel)
  const prefix = `cooperbench/${jobId}`
  let name: string | null = null
  const reported = new Set<number>()
  const outcome = async (index: number, value: ScriptedJobOutcome) => {
    if (reported.has(index) || signal.aborted) return
    reported.add(index)
    await run.onOutcome(group[index]!.key, value)
  }
  try {
    await stage(bucket, prefix, group, signal)
    if (signal.aborted) return
    name = await jobs.create(jobId, batchJobSpec(settings, image, group, `${bucket.name}/${prefix}`))
    logger.info(`gcp: Batch job ${jobId}: ${group.length} evaluation(s) of ${image}`)
    const pollMs = options.batchPollSeconds * 1000
    while (!signal.aborted) {
      const job = await retried(() => jobs.state(name!), signal)
      onCounts(Object.fromEntries(Object.entries(job.counts).map(([state, n]) => [state.toLowerCase(), n])))
      for (const task of await retried(() => jobs.tasks(name!), signal)) {
        if (reported.has(task.index) || task.index >= group.length) continue
        if (task.state === 'SUCCEEDED') await outcome(task.index, await collect(bucket, prefix, group[task.index]!, task.index, signal))
        else if (task.state === 'FAILED')
          await outcome(task.index, { error: `Batch task ${task.index} of job ${jobId} failed after its retries: ${task.detail || 'no detail'}` })
      }
      if (FINAL_JOB_STATES.has(job.state)) {
        const why = job.detail ? `: ${job.detail}` : ''
        for (let index = 0; index < group.length; index++)
          await outcome(index, { error: `Batch job ${jobId} ended ${job.state} without running this evaluation${why}` })
        return
      }
      // An abort ends the wait by throwing, which the catch below takes as the interruption it is.
      await sleep(pollMs, undefined, { signal })
    }
  } catch (error) {
    // Interrupted: whatever was in flight (a poll, an upload) stops; the cleanup below still runs.
    if (!signal.aborted) throw error
  } finally {
    // The job first: a task still running could otherwise write its result after the staging went.
    const warn = (error: unknown) => logger.warn(`gcp: cleaning up Batch job ${jobId}: ${String(error).split('\n')[0]}`)
    if (name) await jobs.delete(name).catch(warn)
    await bucket.deletePrefix(`${prefix}/`).catch(warn)
  }
}

/** Uploads the driver and one archive per task, a few at a time. */
async function stage(bucket: StagingBucket, prefix: string, group: ScriptedJob[], signal: AbortSignal): Promise<void> {
  await retried(() => bucket.upload(`${prefix}/driver.sh`, Buffer.from(SCRIPTED_JOB_DRIVER, 'utf8')), signal)
  let next = 0
  const worker = async () => {
    while (next < group.length && !signal.aborted) {
      const index = next++
      const archive = await packFiles(stageScriptedJob(group[index]!))
      await retried(() => bucket.upload(`${prefix}/tasks/${index}.tar`, archive), signal)
    }
  }
  await Promise.all(Array.from({ length: Math.min(16, group.length) }, worker))
}

async function collect(bucket: StagingBucket, prefix: string, job: ScriptedJob, index: number, signal: AbortSignal): Promise<ScriptedJobOutcome> {
  const archive = await retried(() => bucket.download(`${prefix}/results/${index}.tar`), signal)
  if (archive === null) return { error: `Batch task ${index} succeeded but left no result at gs://${bucket.name}/${prefix}/results/${index}.tar` }
  const result = readScriptedJobResult(job, await unpackFiles(archive))
  return result === null ? { error: `Batch task ${index}'s result is incomplete (the driver did not finish)` } : { result }
}

function batchJobSpec(settings: BatchEvaluationSettings, image: string, group: ScriptedJob[], remotePath: string): BatchJobSpec {
  const { options } = settings
  // Every step's own limit, plus time to pull the image and start: Batch's bound on one task.
  const stepsSeconds = Math.max(...group.map((job) => job.steps.reduce((sum, step) => sum + Math.ceil(step.timeoutMs / 1000), 0)))
  return {
    labels: settings.labels,
    taskGroups: [
      {
        taskCount: group.length,
        parallelism: Math.min(group.length, options.batchParallelism),
        taskSpec: {
          runnables: [
            {
              container: {
                imageUri: image,
                entrypoint: 'bash',
                commands: ['-c', BATCH_TASK_WRAPPER, BATCH_MOUNT, String(options.maxOutputBytes)],
                volumes: [`${BATCH_MOUNT}:${BATCH_MOUNT}:rw`],
                blockExternalNetwork: options.blockNetwork,
              },
            },
          ],
          computeResource: { cpuMilli: Math.round(options.cpusPerSandbox * 1000), memoryMib: options.memoryMiBPerSandbox },
          maxRetryCount: options.batchMaxRetries,
          maxRunDuration: { seconds: stepsSeconds + 30 * 60 },
          // Cloud Storage FUSE hides prefix-only folders (`tasks/`, which no object backs) unless told to show them.
          volumes: [{ gcs: { remotePath }, mountPath: BATCH_MOUNT, mountOptions: ['--implicit-dirs'] }],
        },
      },
    ],
    allocationPolicy: {
      instances: [
        { policy: { machineType: options.machineType, provisioningModel: options.spot ? 'SPOT' : 'STANDARD', bootDisk: { sizeGb: options.diskSizeGb } } },
      ],
      network: { networkInterfaces: [{ network: options.network }] },
      labels: settings.labels,
      ...(options.serviceAccount ? { serviceAccount: { email: options.serviceAccount } } : {}),
    },
    logsPolicy: { destination: 'CLOUD_LOGGING' },
  }
}

/** A Batch job id: lowercase, starts with a letter, at most 63 characters, unique. */
function batchJobId(runLabel: string): string {
  const stem = `cb-eval-${runLabel}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 54)
    .replace(/-$/, '')
  return `${stem}-${randomBytes(4).toString('hex')}`
}

/** Transient API failures (unavailable, deadline, resource exhausted, 5xx) are retried a few times. */
function retried<T>(call: () => Promise<T>, signal: AbortSignal): Promise<T> {
  return pRetry(call, {
    retries: 4,
    minTimeout: 500,
    signal,
    shouldRetry: ({ error }) => {
      const code = (error as { code?: number | string }).code
      return code === 14 || code === 4 || code === 8 || code === 429 || (typeof code === 'number' && code >= 500) || code === 'ECONNRESET'
    },
  })
}
