import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { gcsFuseView, type GcsFuseView } from './gcs-fuse-view.js'
import { readJson, send, type StandinRoute } from './http.js'

/**
 * A stand-in for the Batch v1 REST API as `@google-cloud/batch` calls it over its REST
 * transport: jobs create/get/list/delete and a task group's tasks list, answered with the real
 * JSON shapes (proto3 JSON: camelCase fields, enum names, int64 as strings). It runs each job's
 * task array for real: one container per task on this machine's Docker engine, at most
 * `parallelism` at once, with `BATCH_TASK_INDEX`/`BATCH_TASK_COUNT` set and the job's Cloud
 * Storage volume bind-mounted from the Storage stand-in's folder as Cloud Storage FUSE shows it
 * (prefix-only folders hidden without `--implicit-dirs`: {@link gcsFuseView}). A task whose container exits non-zero is retried up to `maxRetryCount`
 * times, `maxRunDuration` kills it (exit code 50005, as Batch reports), and deleting a job
 * removes its containers.
 */
export interface FakeBatch {
  route: StandinRoute
  /** Jobs that exist (not deleted). */
  jobs(): Array<{ name: string; state: string; labels: Record<string, string>; attempts: number[] }>
  /** The next `count` task attempts fail before their container starts (exit code 1), as a broken VM would. */
  failNextAttempts(count: number): void
  /**
   * The next `count` jobs fail before any task runs, with the status event Batch gives when the
   * job's VMs cannot report to it (their service account lacks roles/batch.agentReporter):
   * "No VM has agent reporting correctly within time window …" (Batch docs, troubleshooting).
   */
  failNextJobs(count: number): void
  /** Every job submitted (deleted ones too): its name and the service account its VMs run as (null: the default). */
  readonly submitted: Array<{ name: string; serviceAccount: string | null }>
  /** Label on every container a job runs: the job's name. */
  readonly containerLabel: string
  close(): Promise<void>
}

interface Task {
  index: number
  state: 'PENDING' | 'ASSIGNED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED'
  events: Array<Record<string, unknown>>
  attempts: number
  /** The running attempt: its container's name and the `docker run` that runs it. */
  process: { container: string; child: ChildProcess; exited: Promise<void> } | null
}

interface Job {
  name: string
  uid: string
  spec: Record<string, unknown>
  labels: Record<string, string>
  state: 'QUEUED' | 'SCHEDULED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'DELETION_IN_PROGRESS'
  events: Array<Record<string, unknown>>
  tasks: Task[]
  created: string
  updated: string
  started: number | null
  deleted: boolean
}

interface Container {
  imageUri: string
  commands?: string[]
  entrypoint?: string
  volumes?: string[]
  options?: string
}

interface TaskSpec {
  runnables?: Array<{ container?: Container }>
  maxRetryCount?: number
  maxRunDuration?: string
  volumes?: Array<{ gcs?: { remotePath?: string }; mountPath?: string; mountOptions?: string[] }>
}

export const STANDIN_BATCH_LABEL = 'cooperbench.standin-batch'

/** Batch's exit code of a task stopped at its `maxRunDuration`. */
const MAX_RUN_DURATION_EXIT = 50005

export function fakeBatch(settings: { docker: string; bucketDir(bucket: string): string; bucketExists(bucket: string): boolean }): FakeBatch {
  const jobs = new Map<string, Job>()
  let attemptFaults = 0
  let jobFaults = 0
  const submitted: FakeBatch['submitted'] = []

  const touch = (job: Job) => (job.updated = new Date().toISOString())
  const counts = (job: Job) => {
    const byState: Record<string, string> = {}
    for (const task of job.tasks) byState[task.state] = String(Number(byState[task.state] ?? 0) + 1)
    return byState
  }
  const jobJson = (job: Job) => ({
    ...job.spec,
    name: job.name,
    uid: job.uid,
    labels: job.labels,
    taskGroups: ((job.spec.taskGroups as Array<Record<string, unknown>>) ?? []).map((group, i) => ({ ...group, name: `${job.name}/taskGroups/group${i}` })),
    status: {
      state: job.state,
      statusEvents: job.events,
      taskGroups: { group0: { counts: counts(job) } },
      ...(job.started !== null ? { runDuration: `${((Date.now() - job.started) / 1000).toFixed(3)}s` } : {}),
    },
    createTime: job.created,
    updateTime: job.updated,
  })
  const taskJson = (job: Job, task: Task) => ({
    name: `${job.name}/taskGroups/group0/tasks/${task.index}`,
    status: { state: task.state, statusEvents: task.events },
  })

  const setTask = (job: Job, task: Task, state: Task['state'], description: string, exitCode?: number) => {
    const previous = task.state
    task.state = state
    task.events.push({
      type: 'STATUS_CHANGED',
      description: description || `Task state is updated from ${previous} to ${state}.`,
      eventTime: new Date().toISOString(),
      taskState: state,
      ...(exitCode !== undefined ? { taskExecution: { exitCode } } : {}),
    })
    touch(job)
  }
  const setJob = (job: Job, state: Job['state']) => {
    if (job.state === state) return
    job.events.push({
      type: 'STATUS_CHANGED',
      description: `Job state is set from ${job.state} to ${state} for job ${job.name}.`,
      eventTime: new Date().toISOString(),
    })
    job.state = state
    touch(job)
  }

  /** One attempt of a task: its container's exit code. */
  const attempt = (job: Job, task: Task, spec: TaskSpec, container: Container): Promise<number> => {
    if (job.deleted) return Promise.resolve(1)
    if (attemptFaults > 0) {
      attemptFaults--
      return Promise.resolve(1)
    }
    const mounts = new Map<string, string>()
    const views: GcsFuseView[] = []
    for (const volume of spec.volumes ?? []) {
      const [bucket, ...rest] = (volume.gcs?.remotePath ?? '').split('/')
      if (!bucket || !volume.mountPath) continue
      const dir = join(settings.bucketDir(bucket), ...rest)
      mkdirSync(dir, { recursive: true })
      const view = gcsFuseView(dir, volume.mountOptions)
      views.push(view)
      mounts.set(volume.mountPath, view.dir)
    }
    const closeViews = () => {
      for (const view of views.splice(0)) view.close()
    }
    // A container's volumes name VM paths; with none given, Batch mounts the task's volumes as they are.
    let binds: string[]
    try {
      binds = (container.volumes?.length ? container.volumes : [...mounts.keys()].map((p) => `${p}:${p}`)).map((spec) => {
        const [host = '', inside = host, mode] = spec.split(':')
        const source = [...mounts].find(([mountPath]) => host === mountPath || host.startsWith(`${mountPath}/`))
        if (!source) throw new Error(`container volume ${spec} is not under a volume of the task`)
        return `${source[1]}${host.slice(source[0].length)}:${inside}${mode ? `:${mode}` : ''}`
      })
    } catch (error) {
      closeViews()
      throw error
    }
    const name = `cb-batch-${job.uid.slice(0, 8)}-${task.index}-${task.attempts}`
    const args = [
      'run',
      '--rm',
      '--name',
      name,
      '--label',
      `${STANDIN_BATCH_LABEL}=${job.name}`,
      '--network',
      'none',
      '-e',
      `BATCH_TASK_INDEX=${task.index}`,
      '-e',
      `BATCH_TASK_COUNT=${job.tasks.length}`,
      '-e',
      `BATCH_JOB_ID=${job.name.split('/').at(-1)}`,
      ...binds.flatMap((b) => ['-v', b]),
      ...(container.entrypoint ? ['--entrypoint', container.entrypoint] : []),
      container.imageUri,
      ...(container.commands ?? []),
    ]
    return new Promise((resolve) => {
      const child = spawn(settings.docker, args, { stdio: ['ignore', 'ignore', 'ignore'] })
      task.process = { container: name, child, exited: new Promise((done) => child.once('close', () => done())) }
      const limit = durationMs(spec.maxRunDuration)
      let expired = false
      const timer =
        limit === null
          ? null
          : setTimeout(() => {
              expired = true
              execFile(settings.docker, ['rm', '-f', name], () => {})
            }, limit)
      child.on('error', () => {
        closeViews()
        resolve(1)
      })
      child.on('exit', (code) => {
        if (timer) clearTimeout(timer)
        task.process = null
        closeViews()
        resolve(expired ? MAX_RUN_DURATION_EXIT : (code ?? 1))
      })
    })
  }

  const runJob = async (job: Job) => {
    const group = (job.spec.taskGroups as Array<{ taskSpec: TaskSpec; parallelism?: string | number }>)[0]!
    const spec = group.taskSpec
    const container = spec.runnables?.[0]?.container
    const parallelism = Math.max(1, Number(group.parallelism ?? job.tasks.length))
    setJob(job, 'SCHEDULED')
    if (jobFaults > 0) {
      jobFaults--
      const vm = `${job.name.split('/').at(-1)}-group0-0-standin`
      job.events.push({
        type: 'STATUS_CHANGED',
        description: `No VM has agent reporting correctly within time window 1080 seconds, VM state for instance ${vm} is ${new Date().toISOString()},agent,start`,
        eventTime: new Date().toISOString(),
      })
      setJob(job, 'FAILED')
      return
    }
    let next = 0
    const worker = async () => {
      while (next < job.tasks.length && !job.deleted) {
        const task = job.tasks[next++]!
        setTask(job, task, 'ASSIGNED', '')
        if (job.state === 'SCHEDULED') {
          job.started = Date.now()
          setJob(job, 'RUNNING')
        }
        for (;;) {
          setTask(job, task, 'RUNNING', '')
          let code: number
          try {
            code = container ? await attempt(job, task, spec, container) : 1
          } catch (error) {
            code = 1
            task.events.push({ type: 'STATUS_CHANGED', description: (error as Error).message, eventTime: new Date().toISOString() })
          }
          task.attempts++
          if (job.deleted) return
          if (code === 0) {
            setTask(job, task, 'SUCCEEDED', `Task state is updated from RUNNING to SUCCEEDED on zones/standin/instances/standin-vm.`, 0)
            break
          }
          if (task.attempts > Number(spec.maxRetryCount ?? 0)) {
            setTask(job, task, 'FAILED', `Task state is updated from RUNNING to FAILED on zones/standin/instances/standin-vm with exit code ${code}.`, code)
            break
          }
          setTask(job, task, 'PENDING', `Task state is updated from RUNNING to PENDING with exit code ${code}; retrying (attempt ${task.attempts + 1}).`, code)
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(parallelism, job.tasks.length) }, worker))
    if (!job.deleted) setJob(job, job.tasks.every((t) => t.state === 'SUCCEEDED') ? 'SUCCEEDED' : 'FAILED')
  }

  /** Stops a job's running containers and waits until their `docker run`s have returned. */
  const stopJob = async (job: Job) => {
    for (let round = 0; round < 50; round++) {
      const running = job.tasks.flatMap((t) => (t.process ? [t.process] : []))
      if (running.length === 0) break
      await new Promise<void>((resolve) => execFile(settings.docker, ['rm', '-f', ...running.map((p) => p.container)], () => resolve()))
      await Promise.race([Promise.all(running.map((p) => p.exited)), sleep(200)])
    }
    await removeContainers(job.name)
  }

  const removeContainers = (jobName: string) =>
    new Promise<void>((resolve) => {
      execFile(settings.docker, ['ps', '-aq', '--filter', `label=${STANDIN_BATCH_LABEL}=${jobName}`], (error, stdout) => {
        const ids = error ? [] : stdout.split('\n').filter(Boolean)
        if (ids.length === 0) return resolve()
        execFile(settings.docker, ['rm', '-f', ...ids], () => resolve())
      })
    })

  const error = (res: ServerResponse, code: number, status: string, message: string) => send(res, code, { error: { code, message, status } })

  const route: StandinRoute = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const m = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+)\/jobs(?:\/([^/]+))?(\/taskGroups\/([^/]+)\/tasks(?:\/(\d+))?)?$/.exec(url.pathname)
    if (!m) return false
    const [, parent, jobId, tasksPath, , taskIndex] = m
    if (req.method === 'POST' && !jobId) {
      const body = await readJson(req)
      const id = url.searchParams.get('jobId') ?? url.searchParams.get('job_id') ?? `job-${randomBytes(4).toString('hex')}`
      if (!/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/.test(id))
        return (error(res, 400, 'INVALID_ARGUMENT', `Job id ${id} is invalid: it must match ^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`), true)
      const name = `${parent}/jobs/${id}`
      if (jobs.has(name)) return (error(res, 409, 'ALREADY_EXISTS', `Job ${name} already exists`), true)
      const groups = (body.taskGroups as Array<{ taskSpec?: TaskSpec; taskCount?: string | number }>) ?? []
      const group = groups[0]
      if (groups.length !== 1 || !group?.taskSpec?.runnables?.length)
        return (error(res, 400, 'INVALID_ARGUMENT', 'A job needs exactly one task group with at least one runnable'), true)
      for (const volume of group.taskSpec.volumes ?? []) {
        const bucket = volume.gcs?.remotePath?.split('/')[0]
        if (bucket && !settings.bucketExists(bucket))
          return (error(res, 400, 'INVALID_ARGUMENT', `Bucket ${bucket} of volume ${volume.mountPath} does not exist`), true)
        if (volume.mountPath && !volume.mountPath.startsWith('/mnt/disks/'))
          return (error(res, 400, 'INVALID_ARGUMENT', `mount path ${volume.mountPath} must be under /mnt/disks/`), true)
      }
      const taskCount = Math.max(1, Number(group.taskCount ?? 1))
      const now = new Date().toISOString()
      const job: Job = {
        name,
        uid: randomUUID(),
        spec: body,
        labels: (body.labels as Record<string, string>) ?? {},
        state: 'QUEUED',
        events: [],
        tasks: Array.from({ length: taskCount }, (_, index) => ({ index, state: 'PENDING', events: [], attempts: 0, process: null })),
        created: now,
        updated: now,
        started: null,
        deleted: false,
      }
      jobs.set(name, job)
      submitted.push({ name, serviceAccount: (body.allocationPolicy as { serviceAccount?: { email?: string } } | undefined)?.serviceAccount?.email ?? null })
      void runJob(job)
      return (send(res, 200, jobJson(job)), true)
    }
    if (req.method === 'GET' && !jobId) {
      const listed = [...jobs.values()].filter((j) => j.name.startsWith(`${parent}/`))
      return (send(res, 200, { jobs: listed.map(jobJson) }), true)
    }
    const name = `${parent}/jobs/${jobId}`
    const job = jobs.get(name)
    if (!job) return (error(res, 404, 'NOT_FOUND', `Job ${name} not found`), true)
    if (tasksPath && req.method === 'GET') {
      if (taskIndex !== undefined) {
        const task = job.tasks[Number(taskIndex)]
        return task ? (send(res, 200, taskJson(job, task)), true) : (error(res, 404, 'NOT_FOUND', `Task ${taskIndex} not found`), true)
      }
      return (send(res, 200, { tasks: job.tasks.map((t) => taskJson(job, t)) }), true)
    }
    if (req.method === 'GET') return (send(res, 200, jobJson(job)), true)
    if (req.method === 'DELETE') {
      job.deleted = true
      setJob(job, 'DELETION_IN_PROGRESS')
      jobs.delete(name)
      await stopJob(job)
      const operation = `${parent}/operations/operation-${Date.now()}-${randomBytes(6).toString('hex')}`
      return (send(res, 200, { name: operation, done: false }), true)
    }
    return false
  }

  return {
    route,
    submitted,
    containerLabel: STANDIN_BATCH_LABEL,
    jobs: () => [...jobs.values()].map((j) => ({ name: j.name, state: j.state, labels: j.labels, attempts: j.tasks.map((t) => t.attempts) })),
    failNextAttempts(count) {
      attemptFaults += count
    },
    failNextJobs(count) {
      jobFaults += count
    },
    async close() {
      for (const job of jobs.values()) {
        job.deleted = true
        await stopJob(job)
      }
      jobs.clear()
    },
  }
}

/** A proto3 JSON Duration (`"3600s"`, `"1.5s"`) in milliseconds. */
function durationMs(value: string | undefined): number | null {
  const m = value === undefined ? null : /^(\d+(?:\.\d+)?)s$/.exec(value)
  return m ? Number(m[1]) * 1000 : null
}
