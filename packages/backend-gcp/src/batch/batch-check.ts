import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { CooperbenchError } from '@cooperbench/spec'
import type { GcpBackendOptions } from '../options.js'
import { type BatchJobs, FINAL_JOB_STATES } from './batch-jobs.js'

export interface BatchCheck {
  jobId: string
  seconds: number
  /** Who the job ran as: the configured service account, or the project's Compute Engine default. */
  serviceAccount: string
}

/** Who Batch jobs and VMs run as, in words. */
export function serviceAccountText(options: Pick<GcpBackendOptions, 'serviceAccount'>): string {
  return options.serviceAccount ?? "the project's Compute Engine default service account"
}

/**
 * For `cooperbench config gcp`: a one-task Batch job (`bash -c true` in `image`) submitted as
 * evaluation submits its jobs, followed to its end and deleted; a failure (most often its service
 * account may not report to Batch) throws with the last status event and the roles needed.
 */
export async function checkBatchRuns(
  jobs: BatchJobs,
  settings: { image: string; options: GcpBackendOptions; labels: Record<string, string>; signal?: AbortSignal; timeoutMs?: number },
): Promise<BatchCheck> {
  const { options, signal } = settings
  const jobId = `cb-check-${randomBytes(4).toString('hex')}`
  const started = performance.now()
  const name = await jobs.create(jobId, {
    labels: settings.labels,
    taskGroups: [
      {
        taskCount: 1,
        taskSpec: {
          runnables: [{ container: { imageUri: settings.image, entrypoint: 'bash', commands: ['-c', 'true'], blockExternalNetwork: options.blockNetwork } }],
          computeResource: { cpuMilli: 1000, memoryMib: 512 },
          maxRetryCount: 0,
          maxRunDuration: { seconds: 600 },
        },
      },
    ],
    allocationPolicy: {
      instances: [{ policy: { machineType: options.machineType, provisioningModel: options.spot ? 'SPOT' : 'STANDARD' } }],
      network: { networkInterfaces: [{ network: options.network }] },
      labels: settings.labels,
      ...(options.serviceAccount ? { serviceAccount: { email: options.serviceAccount } } : {}),
    },
    logsPolicy: { destination: 'CLOUD_LOGGING' },
  })
  try {
    const deadline = Date.now() + (settings.timeoutMs ?? 20 * 60_000)
    for (;;) {
      signal?.throwIfAborted()
      const job = await jobs.state(name)
      if (job.state === 'SUCCEEDED') return { jobId, seconds: (performance.now() - started) / 1000, serviceAccount: serviceAccountText(options) }
      if (FINAL_JOB_STATES.has(job.state)) {
        const task = (await jobs.tasks(name).catch(() => [])).find((t) => t.state === 'FAILED')
        const why = [job.detail, task?.detail].filter(Boolean).join('; ') || 'no status event'
        throw new CooperbenchError('BACKEND_UNAVAILABLE', `the Batch test job ${jobId} ended ${job.state}: ${why}`, {
          hint:
            `Batch jobs run as ${serviceAccountText(options)}: it needs roles/batch.agentReporter, roles/logging.logWriter and read-write access to the ` +
            'staging bucket (new organisations no longer make the default service account an Editor). Grant them, or set backends.gcp.serviceAccount ' +
            'to an account that has them; backends.gcp.batchEval: false evaluates on the VM pool instead.',
        })
      }
      if (Date.now() > deadline) {
        const minutes = Math.round((settings.timeoutMs ?? 1_200_000) / 60_000)
        throw new CooperbenchError('BACKEND_UNAVAILABLE', `the Batch test job ${jobId} did not finish within ${minutes} min (state ${job.state})`, {
          hint: `Check the job in the console (Batch → Jobs) and the ${options.machineType} quota in the Batch region.`,
        })
      }
      await sleep(options.batchPollSeconds * 1000)
    }
  } finally {
    await jobs.delete(name).catch(() => {})
  }
}
