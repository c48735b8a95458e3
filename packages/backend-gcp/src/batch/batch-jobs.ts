import { BatchServiceClient, protos } from '@google-cloud/batch'
import { type GoogleSettings, googleClient } from '../compute.js'

export type BatchJobSpec = protos.google.cloud.batch.v1.IJob
const { JobStatus, TaskStatus } = protos.google.cloud.batch.v1

/** The project, credentials and endpoint of the other Google clients, and the Batch location. */
export interface BatchSettings extends GoogleSettings {
  /** Batch location: a region (`us-central1`). */
  region: string
}

/** A job's state and its tasks' counts by state, as Batch reports them. */
export interface BatchJobState {
  state: string
  counts: Record<string, number>
  /** The job's last status event that says why (a job failing before its tasks: no VM reporting to Batch, quota). */
  detail: string
}

/** One task of a job: its index in the task array and its state. */
export interface BatchTaskState {
  index: number
  state: string
  /** The last status event's description (why a task failed). */
  detail: string
}

export const FINAL_JOB_STATES: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED'])

/** The Batch calls of evaluation, through Google's own client over REST (`fallback`). */
export class BatchJobs {
  private readonly client: BatchServiceClient

  constructor(private readonly settings: BatchSettings) {
    this.client = googleClient(BatchServiceClient, settings, { fallback: true })
  }

  get parent(): string {
    return `projects/${this.settings.project}/locations/${this.settings.region}`
  }

  /** Submits a job; returns its full name. */
  async create(jobId: string, job: BatchJobSpec): Promise<string> {
    const [created] = await this.client.createJob({ parent: this.parent, jobId, job })
    return created.name ?? `${this.parent}/jobs/${jobId}`
  }

  async state(name: string): Promise<BatchJobState> {
    const [job] = await this.client.getJob({ name })
    const counts: Record<string, number> = {}
    for (const group of Object.values(job.status?.taskGroups ?? {})) {
      for (const [state, count] of Object.entries(group.counts ?? {})) counts[state] = (counts[state] ?? 0) + Number(count)
    }
    // The cause is the last event that is not a bare state change ("Job state is set from X to FAILED …").
    const events = (job.status?.statusEvents ?? []).map((e) => e.description ?? '').filter(Boolean)
    const detail = events.findLast((d) => !/^Job state is set from /.test(d)) ?? events.at(-1) ?? ''
    return { state: enumName(JobStatus.State, job.status?.state), counts, detail }
  }

  /** Every task of the job's (only) task group. */
  async tasks(name: string): Promise<BatchTaskState[]> {
    const tasks: BatchTaskState[] = []
    for await (const task of this.client.listTasksAsync({ parent: `${name}/taskGroups/group0`, pageSize: 1000 }, { autoPaginate: false })) {
      const index = Number(task.name?.split('/').at(-1))
      if (!Number.isInteger(index)) continue
      const events = task.status?.statusEvents ?? []
      tasks.push({ index, state: enumName(TaskStatus.State, task.status?.state), detail: events.at(-1)?.description ?? '' })
    }
    return tasks
  }

  /** Deletes the job (Batch cancels what still runs); does not wait for the deletion to finish. */
  async delete(name: string): Promise<void> {
    try {
      await this.client.deleteJob({ name, reason: 'cooperbench: evaluation finished or interrupted' })
    } catch (error) {
      if ((error as { code?: number }).code !== 5) throw error
    }
  }

  async close(): Promise<void> {
    await this.client.close()
  }
}

/** A proto enum value as its name, whether the client gave the name or the number. */
function enumName(values: Record<string, unknown>, value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number') {
    const name = Object.entries(values).find(([, v]) => v === value)?.[0]
    if (name) return name
  }
  return 'STATE_UNSPECIFIED'
}
