import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { type Backend, type BackendCapabilities, type BackendFactoryContext, CooperbenchError, errorMessage, isCooperbenchError, type Logger, type PrepareTasksOptions, SANDBOX_LABELS, type SandboxInfo, type SandboxSpec, silentLogger, type Task, type TaskImageInfo, type TaskPreparation, type TaskSupport } from '@cooperbench/spec'
import { imageName } from '@cooperbench/backend-kit'
import { forEachConcurrent, Semaphore } from '@cooperbench/backend-kit'
import { type CliOutcome, ContainerCli, cliMessage, isNoSuchObject } from './cli-runner.js'
import { ContainerSandbox } from './container-sandbox.js'
import { LOGIN_PATH_HOOK_FILE, STARTUP_SCRIPT } from './exec-wrapper.js'
import { TaskImages } from './images.js'
import { BACKEND_NAME, CONTAINER_CLI_LABELS, isOwnerAlive, ownerLabels } from './labels.js'
import { type ContainerCliOptions, type ResolvedContainerCliOptions, parseContainerCliOptions } from './options.js'
import { runArguments } from './run-arguments.js'

/** Names of the containers every backend of this process has made and not yet removed. */
const inUseInThisProcess = new Set<string>()

/** Settings of a {@link ContainerCliBackend}: the config options plus what only code can set. */
export interface ContainerCliBackendSettings extends ContainerCliOptions {
  logger?: Logger
  /** Default cap on each of stdout and stderr of one command; default 10 MiB. */
  maxOutputBytes?: number
}

/** Which sandboxes `reap` removes. */
export interface ContainerCliReapFilter {
  /** Only containers labelled with this run name. */
  runName?: string
  /** Also remove containers whose owner still runs (or runs elsewhere); by default only leftovers of processes known to be gone. */
  includeLive?: boolean
}

const DEFAULT_MAX_OUTPUT_BYTES = 10 * 1024 * 1024
/** How long `preflight` waits for `<cli> version`. */
const VERSION_TIMEOUT_MS = 15_000
/** Bound on `<cli> run`: it is not cut off on abort (see createSandbox), so it needs a limit of its own. */
const RUN_TIMEOUT_MS = 2 * 60_000
/** Bound on the startup check of a new sandbox. */
const STARTUP_TIMEOUT_MS = 60_000
/** Images inspected at once by `listImages`. */
const LIST_IMAGES_CONCURRENCY = 4
const LIST_TIMEOUT_MS = 60_000

/**
 * Backend `container-cli`: each sandbox is a container of the task's image, started with
 * `docker run` or `podman run` and driven with `exec`, labelled with run, pair, role and owner so
 * that leftovers can be found. For people who use Podman or only have a container CLI.
 */
export class ContainerCliBackend implements Backend {
  readonly specificationVersion = 'backend-v1' as const
  readonly name = BACKEND_NAME
  readonly capabilities: BackendCapabilities
  readonly options: ResolvedContainerCliOptions
  readonly cli: ContainerCli
  private readonly logger: Logger
  private readonly maxOutputBytes: number
  private readonly lifetime = new AbortController()
  private readonly live = new Map<string, ContainerSandbox>()
  /** Containers being set up: `reap` must spare them. */
  private readonly creating = new Set<string>()
  private readonly starts: Semaphore
  private readonly images: TaskImages

  constructor(settings: ContainerCliBackendSettings = {}) {
    const { logger, maxOutputBytes, ...options } = settings
    this.options = parseContainerCliOptions(options as Record<string, unknown>)
    this.logger = logger ?? silentLogger
    this.maxOutputBytes = maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES
    this.cli = new ContainerCli(this.options.binary, this.options.engine)
    this.capabilities = { isolation: 'container', network: this.options.network !== 'none', snapshots: false }
    this.starts = new Semaphore(this.options.startConcurrency)
    this.images = new TaskImages(this.cli, this.logger, this.lifetime.signal)
  }

  /** The image name of a task by the configured template (what the runner puts in `SandboxSpec.image`). */
  imageFor(task: Task): string {
    return imageName(this.options.imageTemplate, this.options.imageNamespace, task.repo, task.taskId)
  }

  /** Checks that the CLI exists and that its engine answers (`<cli> version`). */
  async preflight(): Promise<void> {
    const args = ['version', '--format', '{{json .}}']
    const outcome = await this.cli.run(args, { timeoutMs: VERSION_TIMEOUT_MS })
    if (outcome.exitCode === 0) return
    const why = outcome.timedOut ? `no answer within ${VERSION_TIMEOUT_MS / 1000} s` : cliMessage(outcome.stderr)
    throw new CooperbenchError('BACKEND_UNAVAILABLE', `${this.cli.binary} is installed but its engine does not answer: ${why}`, {
      details: [`tried: ${this.cli.commandLine(args)}`],
      hint: this.engineHint(),
    })
  }

  /** A task runs here when its folder has a Dockerfile to build the image from, or its image exists. */
  async supportsTask(task: Task): Promise<TaskSupport> {
    if (existsSync(join(task.dir, 'Dockerfile'))) return { ok: true }
    const image = this.imageFor(task)
    // An engine that does not answer is preflight's to report; here it only means "not known to exist".
    const present = await this.images.inspect(image).then(
      (details) => details !== null,
      () => false,
    )
    if (present) return { ok: true }
    return {
      ok: false,
      reason: `task ${task.repo}/${task.taskId} has no Dockerfile and its image ${image} does not exist`,
      hint: `Pull or build the image first (${this.cli.commandLine(['pull', image])}), or set image.template/image.namespace to images you have.`,
    }
  }

  /**
   * Makes sure the image exists (building it when missing), starts a container under the start
   * limit and checks inside it that the repository is at the task's base commit. An abort at any
   * point leaves no container: `<cli> run` is let finish (cutting it off could leave a container
   * nobody knows of), then the container is removed by its name.
   */
  async createSandbox(spec: SandboxSpec, signal?: AbortSignal): Promise<ContainerSandbox> {
    if (this.lifetime.signal.aborted) throw closedError()
    const cancel = signal ? AbortSignal.any([signal, this.lifetime.signal]) : this.lifetime.signal
    cancel.throwIfAborted()
    await this.images.ensure(spec.task, spec.image, { signal: cancel })

    const name = containerName(spec)
    const args = runArguments({ name, spec, options: this.options })
    this.creating.add(name)
    inUseInThisProcess.add(name)
    let mayExist = false
    let sandbox: ContainerSandbox | undefined
    try {
      await this.starts.use(async () => {
        cancel.throwIfAborted()
        mayExist = true
        const outcome = await this.cli.run(args, { timeoutMs: RUN_TIMEOUT_MS })
        if (outcome.exitCode !== 0) throw this.runFailure(outcome, spec, args)
      })
      cancel.throwIfAborted()
      sandbox = new ContainerSandbox({
        id: name,
        cli: this.cli,
        maxOutputBytes: this.maxOutputBytes,
        logger: this.logger,
        onTerminated: (gone) => {
          this.live.delete(gone.id)
          inUseInThisProcess.delete(gone.id)
        },
      })
      this.live.set(name, sandbox)
      await this.checkStartup(sandbox, spec, cancel)
      this.logger.debug(`container-cli: sandbox ${name} (${spec.image}) ready`)
      return sandbox
    } catch (error) {
      if (sandbox) await sandbox.terminate().catch(() => {})
      else if (mayExist) await this.cli.run(['rm', '--force', '--volumes', name], { timeoutMs: RUN_TIMEOUT_MS }).catch(() => {})
      if (!sandbox) inUseInThisProcess.delete(name)
      if (cancel.aborted) throw cancel.reason
      throw error
    } finally {
      this.creating.delete(name)
    }
  }

  /**
   * Deletes containers of this backend (of run `runName` only, when given) that nobody uses any
   * more: those whose owner process has exited, and this process's own that no backend tracks.
   * `includeLive` deletes the others too, open sandboxes of this backend included. Returns the
   * number deleted.
   */
  async reap(filter: ContainerCliReapFilter = {}): Promise<number> {
    const self = ownerLabels()
    let removed = 0
    const stale: string[] = []
    for (const container of await this.listContainers(filter.runName)) {
      if (this.creating.has(container.id)) continue
      const sandbox = this.live.get(container.id)
      if (sandbox) {
        if (!filter.includeLive) continue
        await sandbox.terminate()
        removed++
        continue
      }
      if (!filter.includeLive) {
        // Another backend of this process may be using it; a container of this process that no
        // backend tracks any more (its removal failed) is a leftover.
        if (inUseInThisProcess.has(container.id)) continue
        const ours = Object.entries(self).every(([key, value]) => container.labels[key] === value)
        if (!ours && isOwnerAlive(container.labels) !== false) continue
      }
      stale.push(container.id)
    }
    if (stale.length > 0) {
      const outcome = await this.cli.run(['rm', '--force', '--volumes', ...stale], { timeoutMs: RUN_TIMEOUT_MS })
      if (outcome.exitCode !== 0 && !isNoSuchObject(outcome.stderr)) {
        throw new CooperbenchError('SANDBOX_FAILED', `cannot remove leftover containers: ${cliMessage(outcome.stderr)}`, {
          hint: `Remove them by hand: ${this.cli.commandLine(['rm', '--force', ...stale])}`,
        })
      }
      removed += stale.length
    }
    return removed
  }

  /** Containers of this backend (leftovers included), with their state and whether their owner still runs. */
  async listSandboxes(filter: { runName?: string } = {}): Promise<SandboxInfo[]> {
    return (await this.listContainers(filter.runName)).map((container) => ({
      id: container.id,
      labels: container.labels,
      state: container.state,
      createdAt: container.createdAt,
      ownerAlive: this.live.has(container.id) || this.creating.has(container.id) ? true : isOwnerAlive(container.labels),
    }))
  }

  /**
   * Builds the image of every task that lacks one (`concurrency` builds at once) and reports,
   * in the order of `tasks`, what was done; a task whose build fails is reported `failed`.
   */
  async prepareTasks(tasks: Task[], options: PrepareTasksOptions): Promise<TaskPreparation[]> {
    const reports = new Array<TaskPreparation>(tasks.length)
    await forEachConcurrent(
      tasks,
      options.concurrency,
      async (task, index) => {
        reports[index] = await this.prepareTask(task, options)
      },
      options.signal,
    )
    options.signal?.throwIfAborted()
    return reports
  }

  /** For each task: its image name, and whether the engine has that image (size, creation time). */
  async listImages(tasks: Task[]): Promise<TaskImageInfo[]> {
    const found = new Array<TaskImageInfo>(tasks.length)
    await forEachConcurrent(tasks, LIST_IMAGES_CONCURRENCY, async (task, index) => {
      const image = this.imageFor(task)
      const details = await this.images.inspect(image)
      found[index] = { repo: task.repo, taskId: task.taskId, image, present: details !== null, sizeBytes: null, createdAt: null, ...details }
    })
    return found
  }

  /** Cancels builds in flight and terminates every sandbox still open. */
  async close(): Promise<void> {
    this.lifetime.abort(closedError())
    const open = [...this.live.values()]
    await Promise.allSettled(open.map((sandbox) => sandbox.terminate()))
  }

  private async prepareTask(task: Task, options: PrepareTasksOptions): Promise<TaskPreparation> {
    const image = this.imageFor(task)
    const report = (action: TaskPreparation['action'], durationMs: number, error: string | null): TaskPreparation => ({
      repo: task.repo,
      taskId: task.taskId,
      image,
      action,
      durationMs,
      error,
    })
    options.onProgress?.({ task, image, phase: 'start' })
    const started = performance.now()
    let preparation: TaskPreparation
    try {
      const ensured = await this.images.ensure(task, image, { force: options.force === true, ...(options.signal ? { signal: options.signal } : {}) })
      preparation = report(ensured.action, ensured.durationMs, null)
    } catch (error) {
      // A cancelled preparation is the caller's doing, not a task's failure.
      if (options.signal?.aborted) throw error
      const hint = isCooperbenchError(error) ? error.hint : undefined
      preparation = report('failed', Math.round(performance.now() - started), hint ? `${errorMessage(error)} (${hint})` : errorMessage(error))
    }
    options.onProgress?.({ task, image, phase: 'done', preparation })
    return preparation
  }

  /**
   * Prepares a new container as root (`/patches`, the PATH hook) and compares the repository's
   * HEAD with the task's base commit, so that a wrong or stale image fails here and not later.
   */
  private async checkStartup(sandbox: ContainerSandbox, spec: SandboxSpec, signal: AbortSignal): Promise<void> {
    const task = `${spec.task.repo}/${spec.task.taskId}`
    const probe = await sandbox.run({
      argv: ['sh', '-c', STARTUP_SCRIPT, 'cooperbench-startup', LOGIN_PATH_HOOK_FILE],
      login: false,
      cwd: '/',
      user: '0',
      maxOutputBytes: 64 * 1024,
      timeoutMs: STARTUP_TIMEOUT_MS,
      signal,
    })
    signal.throwIfAborted()
    const printed = `${probe.stdout.text()}${probe.stderr.text()}`.trim()
    switch (probe.exitCode) {
      case 0:
        break
      case 3:
        throw new CooperbenchError('SANDBOX_FAILED', `${spec.image} is not a task image: it has no /workspace/repo`, {
          hint: 'A task image holds the repository at /workspace/repo; make image.template name the task images.',
        })
      default:
        throw new CooperbenchError('SANDBOX_FAILED', `the new sandbox ${sandbox.id} for ${task} could not be set up (exit ${probe.exitCode})`, {
          details: printed === '' ? [] : printed.split('\n'),
          hint: `Above is what the container printed. Look inside with ${this.cli.commandLine(['run', '--rm', '-it', '--entrypoint', 'bash', spec.image])}`,
        })
    }
    const head = probe.stdout.text().trim()
    const base = spec.task.source.baseCommit?.toLowerCase()
    if (base && head !== base) {
      throw new CooperbenchError('SANDBOX_FAILED', `${spec.image} holds ${task} at commit ${head}, not at its base commit ${base}`, {
        hint: `The image is out of date or made for another task. Rebuild it with \`cooperbench images build --force -r ${spec.task.repo} -t ${spec.task.taskId}\`, or delete it: ${this.cli.commandLine(['rmi', spec.image])}`,
      })
    }
  }

  private runFailure(outcome: CliOutcome, spec: SandboxSpec, args: string[]): CooperbenchError {
    const message = outcome.timedOut ? `no answer within ${RUN_TIMEOUT_MS / 1000} s` : cliMessage(outcome.stderr)
    let hint = `Try it by hand: ${this.cli.commandLine(['run', '--rm', '-it', '--entrypoint', 'bash', spec.image])}`
    if (/network/i.test(message)) hint = `Check backends.container-cli.network ("${this.options.network}").`
    else if (/cpus|memory/i.test(message)) hint = 'Check backends.container-cli.cpus and memory against what the engine has.'
    else if (/catatonit|init binary|docker-init/i.test(message)) hint = 'The engine has no init binary for --init: install catatonit (podman) or tini.'
    else if (/cannot connect|daemon|socket|permission denied/i.test(message)) hint = this.engineHint()
    return new CooperbenchError('SANDBOX_FAILED', `cannot start a container of ${spec.image} for ${spec.task.repo}/${spec.task.taskId}: ${message}`, {
      details: [`tried: ${this.cli.commandLine(args)}`],
      hint,
    })
  }

  private engineHint(): string {
    return this.options.engine === 'podman'
      ? 'Check that `podman info` works; with a Podman machine run `podman machine start`; for rootless Podman see `podman system migrate`. Or set backends.container-cli.binary.'
      : 'Start the Docker engine (`sudo systemctl start docker`), or point DOCKER_HOST or the docker context at a running one; on "permission denied" join the docker group. Or set backends.container-cli.engine to podman.'
  }

  /** This backend's containers, optionally of one run, as the CLI's `ps` and `inspect` describe them. */
  private async listContainers(runName: string | undefined): Promise<ContainerSummary[]> {
    const filters = ['--filter', `label=${CONTAINER_CLI_LABELS.backend}=${BACKEND_NAME}`]
    if (runName !== undefined) filters.push('--filter', `label=${SANDBOX_LABELS.run}=${runName}`)
    const listed = await this.cli.run(['ps', '--all', '--quiet', '--no-trunc', ...filters], { timeoutMs: LIST_TIMEOUT_MS })
    if (listed.exitCode !== 0) throw this.listFailure(listed)
    const ids = listed.stdout.toString('utf8').split('\n').map((id) => id.trim()).filter(Boolean)
    if (ids.length === 0) return []
    // A container removed between ps and inspect makes inspect fail for it but still print the others.
    const inspected = await this.cli.run(['container', 'inspect', ...ids], { timeoutMs: LIST_TIMEOUT_MS })
    const text = inspected.stdout.toString('utf8').trim()
    if (inspected.exitCode !== 0 && !text.startsWith('[')) throw this.listFailure(inspected)
    return (JSON.parse(text || '[]') as InspectedContainer[]).map((info) => ({
      id: (info.Name ?? info.Id ?? '').replace(/^\//, ''),
      labels: info.Config?.Labels ?? {},
      state: info.State?.Status ?? 'unknown',
      createdAt: typeof info.Created === 'string' ? info.Created : null,
    }))
  }

  private listFailure(outcome: CliOutcome): CooperbenchError {
    return new CooperbenchError('BACKEND_UNAVAILABLE', `cannot list containers: ${outcome.timedOut ? 'the engine did not answer' : cliMessage(outcome.stderr)}`, {
      hint: this.engineHint(),
    })
  }
}

interface ContainerSummary {
  id: string
  labels: Record<string, string>
  state: string
  createdAt: string | null
}

/** The fields of `<cli> container inspect` this backend reads (docker and podman agree on them). */
interface InspectedContainer {
  Id?: string
  Name?: string
  Created?: string
  State?: { Status?: string }
  Config?: { Labels?: Record<string, string> | null }
}

/** The factory registered for backend `container-cli`. */
export function createContainerCliBackend(context: BackendFactoryContext): ContainerCliBackend {
  return new ContainerCliBackend({ ...(context.options as ContainerCliOptions), logger: context.logger })
}

function closedError(): CooperbenchError {
  return new CooperbenchError('SANDBOX_FAILED', `backend "${BACKEND_NAME}" has been closed`, {
    hint: 'Create a new backend; a closed one starts no sandboxes.',
  })
}

/**
 * The container name, which is also the sandbox id: `cooperbench-<run>-<role>-<8 hex>`, so that
 * `docker ps` says whose a container is; lower-case letters, digits and `-_.` only.
 */
export function containerName(spec: SandboxSpec): string {
  const run = nameSafe(spec.labels[SANDBOX_LABELS.run] ?? '', 40)
  const role = nameSafe(spec.role, 20) || 'sandbox'
  return ['cooperbench', run, role, randomBytes(4).toString('hex')].filter(Boolean).join('-')
}

/** `text` cut to `max` characters that Docker and Podman accept in a name, without separators at either end. */
function nameSafe(text: string, max: number): string {
  const kept = text.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').slice(0, max)
  return kept.replace(/^[-_.]+/, '').replace(/[-_.]+$/, '')
}
