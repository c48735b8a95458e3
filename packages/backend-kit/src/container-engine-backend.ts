import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { PrepareTasksOptions, SandboxInfo, SandboxSpec, Task, TaskImageInfo, TaskPreparation, TaskSupport } from '@cooperbench/spec'
import pLimit, { type LimitFunction } from 'p-limit'
import pMap from 'p-map'
import type { CreatorLabels } from './creator-labels.js'
import { type ListedSandbox, ManagedSandboxes, type ReapFilter, type Terminable } from './managed-sandboxes.js'
import { type EnsuredImage, prepareTaskImages } from './prepare-tasks.js'
import { checkStartupProbe, type StartupProbeHints, type StartupProbeResult } from './startup-probe.js'
import { containerName } from './container-name.js'

/** A container of the backend as the engine lists it. */
export interface ListedContainer extends ListedSandbox {
  state: string
  createdAt: string | null
}

/** What the engine knows about an image that exists. */
export interface ImageDetails {
  sizeBytes: number | null
  createdAt: string | null
}

/** Which sandboxes `reap` removes. */
export type ContainerReapFilter = ReapFilter

/**
 * The lifecycle of a backend whose sandboxes are containers of one image per task, over engine primitives a subclass supplies
 * (the abstract methods) with `preflight` and its capabilities. `Started`: what `startContainer` hands `openSandbox` (a container handle).
 */
export abstract class ContainerEngineBackend<S extends Terminable & { readonly id: string }, Started = void> {
  readonly specificationVersion = 'backend-v1' as const
  protected readonly sandboxes: ManagedSandboxes<S>
  /** Images inspected at once by `listImages`. */
  protected readonly listImagesConcurrency: number = 4
  private readonly starts: LimitFunction

  constructor(
    readonly name: string,
    startConcurrency: number,
    /** The labels that name the process that created a container. */
    private readonly creator: CreatorLabels,
  ) {
    this.sandboxes = new ManagedSandboxes<S>(name)
    this.starts = pLimit(startConcurrency)
  }

  /** The image name of a task (what the runner puts in `SandboxSpec.image`). */
  abstract imageFor(task: Task): string
  /** Null when the image does not exist. */
  protected abstract inspectImage(image: string): Promise<ImageDetails | null>
  /** Builds the task's image when missing, or always with `force`. */
  protected abstract ensureImage(task: Task, image: string, options: { force: boolean; signal?: AbortSignal }): Promise<EnsuredImage>
  /** Why a task that cannot be built here does not run (its image is missing), and how to get the image. */
  protected abstract missingImage(task: Task, image: string): { reason: string; hint: string }
  /** Starts container `name` of `spec.image`; throws SANDBOX_FAILED with a hint when the engine refuses. Not cut off on abort. */
  protected abstract startContainer(name: string, spec: SandboxSpec): Promise<Started>
  /** The sandbox over a started container; `onTerminated` is to be called once it is gone. */
  protected abstract openSandbox(name: string, spec: SandboxSpec, onTerminated: () => void, started: Started): S | Promise<S>
  /** Runs the startup script in a new sandbox as root. */
  protected abstract startupProbe(sandbox: S, signal: AbortSignal): Promise<StartupProbeResult>
  /** The advice for each way the startup check of `spec` fails. */
  protected abstract startupHints(spec: SandboxSpec): StartupProbeHints
  /** Removes containers by name or id, with what runs in them; returns how many it removed (ones already gone are no error). */
  protected abstract removeContainers(ids: string[]): Promise<number>
  /** This backend's containers, of one run when given. */
  protected abstract listContainers(runName: string | undefined): Promise<ListedContainer[]>

  /** Whether `ensureImage` may build the task's image (its folder has a Dockerfile). */
  protected canBuild(task: Task): boolean {
    return existsSync(join(task.dir, 'Dockerfile'))
  }

  /** Makes the image of a new sandbox exist; a backend with images it never pulls or builds (an agent's layer) overrides it. */
  protected async ensureSandboxImage(spec: SandboxSpec, signal: AbortSignal): Promise<void> {
    await this.ensureImage(spec.task, spec.image, { force: false, signal })
  }

  /** A task runs here when its image can be built here, or exists. */
  async supportsTask(task: Task): Promise<TaskSupport> {
    if (this.canBuild(task)) return { ok: true }
    const image = this.imageFor(task)
    // An engine that does not answer is preflight's to report; here it only means "not known to exist".
    if ((await this.inspectImage(image).catch(() => null)) !== null) return { ok: true }
    return { ok: false, ...this.missingImage(task, image) }
  }

  /**
   * Ensures the image, starts a container under the start limit and checks its repository is at the base commit. An abort leaves
   * no container: a start is let finish (cut off, it could leave one nobody knows of), then the container is removed by name.
   */
  async createSandbox(spec: SandboxSpec, signal?: AbortSignal): Promise<S> {
    const cancel = this.sandboxes.creationSignal(signal)
    cancel.throwIfAborted()
    await this.ensureSandboxImage(spec, cancel)
    const name = containerName(spec)
    return this.sandboxes.whileCreating(name, async () => {
      let mayExist = false
      let sandbox: S | undefined
      try {
        const started = await this.starts(async () => {
          cancel.throwIfAborted()
          mayExist = true
          return this.startContainer(name, spec)
        })
        cancel.throwIfAborted()
        sandbox = await this.openSandbox(name, spec, () => this.sandboxes.forget(name), started)
        this.sandboxes.add(name, sandbox)
        const probe = await this.startupProbe(sandbox, cancel)
        cancel.throwIfAborted()
        checkStartupProbe(probe, name, spec, this.startupHints(spec))
        return sandbox
      } catch (error) {
        if (sandbox) await sandbox.terminate().catch(() => {})
        else if (mayExist) await this.removeContainers([name]).catch(() => {})
        if (cancel.aborted) throw cancel.reason
        throw error
      }
    })
  }

  /** Deletes this backend's leftover containers (of run `runName` only, when given) by `ManagedSandboxes.reap`'s rules. */
  async reap(filter: ContainerReapFilter = {}): Promise<number> {
    return this.sandboxes.reap(await this.listContainers(filter.runName), {
      includeLive: filter.includeLive,
      isCurrent: (container) => this.creator.isCurrent(container.labels),
      isAlive: (container) => this.creator.isAlive(container.labels),
      remove: (stale) => this.removeContainers(stale.map((container) => container.id)),
    })
  }

  /** Containers of this backend (leftovers included), with their state and whether their owner still runs. */
  async listSandboxes(filter: { runName?: string } = {}): Promise<SandboxInfo[]> {
    return (await this.listContainers(filter.runName)).map((container) => ({
      id: container.id,
      labels: container.labels,
      state: container.state,
      createdAt: container.createdAt,
      ownerAlive: this.sandboxes.ownerAlive(container.id, () => this.creator.isAlive(container.labels)),
    }))
  }

  /** Builds the image of every task that lacks one; see {@link prepareTaskImages}. */
  async prepareTasks(tasks: Task[], options: PrepareTasksOptions): Promise<TaskPreparation[]> {
    return prepareTaskImages(
      tasks,
      options,
      (task) => this.imageFor(task),
      (task, image) => this.ensureImage(task, image, { force: options.force === true, ...(options.signal ? { signal: options.signal } : {}) }),
    )
  }

  /** For each task: its image name, and whether the engine has that image (size, creation time). */
  async listImages(tasks: Task[]): Promise<TaskImageInfo[]> {
    return pMap(
      tasks,
      async (task): Promise<TaskImageInfo> => {
        const image = this.imageFor(task)
        const details = await this.inspectImage(image)
        return { repo: task.repo, taskId: task.taskId, image, present: details !== null, sizeBytes: null, createdAt: null, ...details }
      },
      { concurrency: this.listImagesConcurrency },
    )
  }

  /** Cancels builds in flight and terminates every sandbox still open. */
  async close(): Promise<void> {
    await this.sandboxes.close()
  }
}
