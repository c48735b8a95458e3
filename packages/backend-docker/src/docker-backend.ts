import { createHash } from 'node:crypto'
import { resolve } from 'node:path'
import {
  type Backend,
  type BackendCapabilities,
  type BackendFactoryContext,
  CooperbenchError,
  errorMessage,
  isCooperbenchError,
  type Logger,
  type PrepareTasksOptions,
  SANDBOX_LABELS,
  type SandboxSpec,
  type Task,
  type TaskPreparation,
  type TaskSupport,
} from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import {
  CLEAN_REPO_HISTORY_DIGEST,
  CLEAN_REPO_HISTORY_SCRIPT,
  ContainerEngineBackend,
  type EnsuredImage,
  type ImageDetails,
  imageName,
  layeredImageName,
  LOGIN_PATH_HOOK_FILE,
  type ListedContainer,
  prepareTaskImages,
  type StartupProbeHints,
  sharedPerKey,
  type StartupProbeResult,
  untilAborted,
} from '@cooperbench/backend-kit'
import Docker from 'dockerode'
import { type DockerAddress, describeSource, resolveDockerAddress } from './docker-client.js'
import { dockerMessage, isNotFound } from './docker-errors.js'
import { DockerSandbox } from './docker-sandbox.js'
import { attachForStartup, runsAsRoot, STARTUP_SCRIPT, type StartupAtStart, startupEntrypoint } from './startup-at-start.js'
import { TaskImages } from './images.js'
import { creator, DOCKER_LABELS } from './labels.js'
import { type DockerBackendOptions, type DockerImageNaming, type ResolvedDockerOptions, resolveDockerOptions } from './options.js'

/** The layer that runs the cleaning script on a task image's repository (BASE_IMAGE: the task image). */
const CLEAN_LAYER_DOCKERFILE = [
  'ARG BASE_IMAGE',
  'FROM ${BASE_IMAGE}',
  'ARG CLEAN_SCRIPT',
  'ARG BASE_COMMIT',
  'ARG IMAGE_USER=root',
  // As root (the repository may be root's); the script gives the packs back to its owner.
  'USER root',
  'RUN sh -c "$CLEAN_SCRIPT" clean-repo-history /workspace/repo "$BASE_COMMIT"',
  'USER ${IMAGE_USER}',
  '',
].join('\n')

/** A cleaning that failed because the repository is not at the base commit, as the startup check's "stale image" error. */
function staleOrFailed(error: unknown, spec: SandboxSpec, base: string, staleHint: string): unknown {
  if (!isCooperbenchError(error)) return error
  const said = [error.message, ...error.details].join('\n').match(/clean-repo-history: \S+ is at ([0-9a-f]{40}|no commit)[;,]/)
  if (!said) return error
  return new CooperbenchError(
    'SANDBOX_FAILED',
    `image ${spec.image} has /workspace/repo at ${said[1]}, but the base commit of ${spec.task.repo}/${spec.task.taskId} is ${base}`,
    { hint: staleHint, cause: error },
  )
}

/** Settings of a {@link DockerBackend}: the config options plus what only code can set (the image naming comes from the host). */
export interface DockerBackendSettings extends Partial<DockerBackendOptions & DockerImageNaming> {
  logger?: Logger
  /** A client to use instead of one made from `host`/`DOCKER_HOST` (tests wrap one to observe calls). */
  docker?: Docker
  /** Environment that `DOCKER_HOST`, `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH` are read from; default `process.env`. */
  env?: NodeJS.ProcessEnv
}

/**
 * How long `preflight` waits for a ping: an engine that is down refuses at once, while a busy
 * one took over 5 s here while containers started, so only a long silence means "no engine".
 */
const PING_TIMEOUT_MS = 30_000
/** Bound on the startup check (mkdir, git rev-parse) of a new sandbox. */
const STARTUP_TIMEOUT_MS = 60_000

const START_ENGINE_HINT = [
  'Start the Docker engine (`sudo systemctl start docker`, or `sudo dockerd &`), or point DOCKER_HOST',
  '(or the backend option host) at a running one.',
  'On "permission denied", join the docker group (`sudo usermod -aG docker $USER`, then log in again).',
  'Or use --backend local for tasks that support it.',
].join(' ')

/**
 * Backend `docker`: each sandbox is a container of the task's image (pulled or built when
 * missing), kept alive by `sleep` under an init process, limited in CPU, memory and processes,
 * labelled so leftovers can be found. The kit's {@link ContainerEngineBackend} over the Engine
 * API, plus agent image layers (`SandboxSpec.layer`).
 */
export class DockerBackend extends ContainerEngineBackend<DockerSandbox, Docker.Container> implements Backend {
  readonly capabilities: BackendCapabilities
  readonly options: ResolvedDockerOptions
  protected override readonly listImagesConcurrency = 8
  private readonly logger: Logger
  private readonly env: NodeJS.ProcessEnv
  private client: { docker: Docker; address: DockerAddress | null } | undefined
  private imageStore: TaskImages | undefined
  private engineCpus: Promise<number | null> | undefined
  /** The cleaned image of each (image id, base commit), made once per process. */
  private readonly cleanImages = new Map<string, Promise<string>>()
  /** The image with an agent's set-up layer of each (image id, layer), made (or given up) once per process. */
  private readonly setupImages = new Map<string, Promise<string>>()
  /** A started container's image PATH, and the startup check its first process runs, if any. */
  private readonly started = new WeakMap<Docker.Container, { path: string; startup: StartupAtStart | null }>()
  private readonly startups = new WeakMap<DockerSandbox, StartupAtStart>()

  constructor(settings: DockerBackendSettings = {}) {
    const { logger, docker, env, ...rest } = settings
    const options = resolveDockerOptions(rest)
    super('docker', options.maxConcurrentStarts, creator)
    this.options = options
    this.logger = logger ?? silentLogger
    this.env = env ?? process.env
    // Shared folders are bind mounts of this host's folders (an engine on another machine would bind its own).
    this.capabilities = { isolation: 'container', network: this.options.network !== 'none', snapshots: false, sharedFolders: true }
    if (docker) this.client = { docker, address: null }
  }

  /** The image name of a task by the configured template. */
  imageFor(task: Task): string {
    return imageName(this.options.imageTemplate, this.options.imageNamespace, task.repo, task.taskId)
  }

  /** Pings the engine (30 s at most); an unreachable engine is a BACKEND_UNAVAILABLE naming the address tried. */
  async preflight(): Promise<void> {
    const { docker, address } = this.connect()
    try {
      // dockerode's typings omit the options argument that its ping takes.
      const ping = docker.ping.bind(docker) as unknown as (options: { abortSignal: AbortSignal }) => Promise<unknown>
      await ping({ abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS) })
    } catch (error) {
      throw engineUnavailable(error, address)
    }
  }

  /** As the kit's; with `needs.layer`, only the layered image counts (built here, never pulled). */
  override async supportsTask(task: Task, needs: { layer?: SandboxSpec['layer'] } = {}): Promise<TaskSupport> {
    if (!needs.layer) return super.supportsTask(task)
    const image = this.imageFor(task)
    if ((await this.inspectImage(image).catch(() => null)) !== null) return { ok: true }
    return { ok: false, ...missingLayeredImage(image, needs.layer, task) }
  }

  /** As the kit's, and logs each sandbox that is ready. */
  override async createSandbox(spec: SandboxSpec, signal?: AbortSignal): Promise<DockerSandbox> {
    const sandbox = await super.createSandbox(spec, signal)
    this.logger.debug(`docker: sandbox ${sandbox.id} (${spec.image}) ready`)
    return sandbox
  }

  /** As the kit's; with `options.layer`, also the agent's layered image on top, which the entries name. */
  override async prepareTasks(tasks: Task[], options: PrepareTasksOptions): Promise<TaskPreparation[]> {
    // An address that cannot be used fails the call, not each task.
    const images = this.images()
    const { layer } = options
    if (!layer) return super.prepareTasks(tasks, options)
    const ensureOptions = { force: options.force, signal: options.signal }
    return prepareTaskImages(
      tasks,
      options,
      (task) => this.imageFor(task),
      async (task, image, target) => {
        const started = performance.now()
        await images.ensure(task, image, ensureOptions)
        target.image = layeredImageName(image, layer.tagSuffix)
        const built = await images.ensureLayer(image, target.image, layer, ensureOptions)
        return { action: built.action, durationMs: Math.round(performance.now() - started) }
      },
    )
  }

  protected async inspectImage(image: string): Promise<ImageDetails | null> {
    const info = await this.images().inspect(image)
    return info && { sizeBytes: info.Size ?? null, createdAt: info.Created ?? null }
  }

  protected ensureImage(task: Task, image: string, options: { force: boolean; signal?: AbortSignal }): Promise<EnsuredImage> {
    return this.images().ensure(task, image, options)
  }

  /** Builds only with `build` on (the default). */
  protected override canBuild(task: Task): boolean {
    return this.options.build && super.canBuild(task)
  }

  protected missingImage(task: Task, image: string): { reason: string; hint: string } {
    const name = `${task.repo}/${task.taskId}`
    return {
      reason: this.options.build
        ? `task ${name} has no Dockerfile and its image ${image} is not present`
        : `image ${image} of task ${name} is not present and building is disabled (build: false)`,
      hint: `Pull or build it first (\`cooperbench images build -r ${task.repo} -t ${task.taskId}\`), or set image.template/image.namespace to images you have.`,
    }
  }

  /** A layered image must exist: never pulled (a registry's image of that name need not hold the agent's server) nor built from the task's Dockerfile. */
  protected override async ensureSandboxImage(spec: SandboxSpec, signal: AbortSignal): Promise<void> {
    if (!spec.layer) await super.ensureSandboxImage(spec, signal)
    else if ((await this.images().inspect(spec.image)) === null) {
      const missing = missingLayeredImage(spec.image, spec.layer, spec.task)
      throw new CooperbenchError('SANDBOX_FAILED', missing.reason, { hint: missing.hint })
    }
    await this.cleanImageOf(spec, await this.setupImageOf(spec, signal), signal)
  }

  /**
   * The image an agent's sandbox is cleaned from: `spec.image`, with the agent's set-up layer on it when it brings one
   * (`spec.setupLayer`: what it would install in every sandbox, installed once per image). Named by the layer's suffix and a
   * digest of the image's id and the layer: built once, reused until one changes. A build that fails is said once, and the
   * sandboxes start from `spec.image`, where the agent sets up as it would have anyway.
   */
  private async setupImageOf(spec: SandboxSpec, signal?: AbortSignal): Promise<string> {
    const layer = spec.setupLayer
    if (!layer) return spec.image
    const info = await this.images().inspect(spec.image)
    if (info === null) throw new CooperbenchError('SANDBOX_FAILED', `image ${spec.image} disappeared before its sandbox started`)
    const digest = createHash('sha256').update(`${info.Id}\0${layer.tagSuffix}\0${layer.dockerfile}`).digest('hex').slice(0, 8)
    const target = layeredImageName(spec.image, `${layer.tagSuffix}-${digest}`)
    const pending = sharedPerKey(this.setupImages, target, () =>
      this.images()
        .ensureLayer(spec.image, target, { ...layer, buildArgs: { ...layer.buildArgs, IMAGE_USER: info.Config?.User || 'root' } })
        .then(({ image, action, durationMs }) => {
          if (action === 'built') this.logger.info(`image ${image}: ${spec.image} with ${layer.owner} (${(durationMs / 1000).toFixed(1)} s, once per image)`)
          return image
        })
        .catch((error: unknown) => {
          this.logger.warn(`docker: ${spec.image} with ${layer.owner} did not build (${errorMessage(error)}); its sandboxes set up in the task image`)
          return spec.image
        }),
    )
    return untilAborted(pending, signal)
  }

  /**
   * The image a sandbox of `spec` starts from: `source` (the task image, or it with an agent's set-up layer) plus a layer in
   * which the repository holds the base commit and its ancestors only (the kit's clean-repo-history script). Named by the
   * source's id, the base and the script's digest: built once, reused until one changes.
   */
  private async cleanImageOf(spec: SandboxSpec, source: string, signal?: AbortSignal): Promise<string> {
    const info = await this.images().inspect(source)
    if (info === null) throw new CooperbenchError('SANDBOX_FAILED', `image ${source} disappeared before its sandbox started`)
    // A task known only by its image (no Dockerfile naming the base) is cleaned to what it has checked out.
    const base = spec.task.source.baseCommit ?? 'HEAD'
    const digest = createHash('sha256').update(`${info.Id}\0${base}\0${CLEAN_REPO_HISTORY_DIGEST}`).digest('hex').slice(0, 12)
    const target = layeredImageName(source, `-clean-${digest}`)
    const pending = sharedPerKey(this.cleanImages, target, () =>
      this.images()
        .ensureLayer(source, target, {
          owner: 'removing the history after the base commit',
          tagSuffix: `-clean-${digest}`,
          dockerfile: CLEAN_LAYER_DOCKERFILE,
          buildArgs: { CLEAN_SCRIPT: CLEAN_REPO_HISTORY_SCRIPT, BASE_COMMIT: base, IMAGE_USER: info.Config?.User || 'root' },
        })
        .catch((error: unknown) => {
          throw staleOrFailed(error, spec, base, this.startupHints(spec).stale)
        })
        .then(({ image, action }) => {
          if (action === 'built') this.logger.info(`image ${image}: ${source} without the history after ${base.slice(0, 12)}`)
          return image
        }),
    )
    return untilAborted(pending, signal)
  }

  /** Creates and starts the container; an engine that does not answer is BACKEND_UNAVAILABLE, a refusal SANDBOX_FAILED. */
  protected async startContainer(name: string, spec: SandboxSpec): Promise<Docker.Container> {
    const { docker, address } = this.connect()
    let startup: StartupAtStart | null = null
    try {
      const nanoCpus = Math.round((await this.cpusPerSandbox()) * 1e9)
      // Made by ensureSandboxImage just before: this only looks them up.
      const source = await this.cleanImageOf(spec, await this.setupImageOf(spec))
      const image = await this.imageConfig(source)
      // An image known to run as root checks itself as it starts; another keeps the exec check.
      const checksItself = runsAsRoot(image.user)
      // No abort signal: a create cut off half-way could leave a container nobody knows the id of.
      const container = await docker.createContainer({
        name,
        Image: source,
        // Not the image's ENTRYPOINT (runner.sh): an idle command, bounded so a leaked one ends by itself.
        Entrypoint: checksItself ? startupEntrypoint(this.options.keepAliveSeconds) : ['sleep', String(this.options.keepAliveSeconds)],
        Cmd: [],
        WorkingDir: '/workspace/repo',
        Labels: {
          ...spec.labels,
          [SANDBOX_LABELS.role]: spec.labels[SANDBOX_LABELS.role] ?? spec.role,
          [DOCKER_LABELS.managed]: 'true',
          [DOCKER_LABELS.task]: `${spec.task.repo}/${spec.task.taskId}`,
          ...creator.current(),
        },
        Tty: false,
        OpenStdin: false,
        HostConfig: {
          // `sleep` as PID 1 ignores SIGTERM: every stop would wait out Docker's 10 s grace.
          Init: true,
          AutoRemove: false,
          NetworkMode: this.options.network,
          NanoCpus: nanoCpus,
          Memory: this.options.memory,
          PidsLimit: this.options.pids,
          // The pair's shared git remote, a bare repository on this host: any network mode works.
          Binds: (spec.sharedDirs ?? []).map((dir) => `${resolve(dir.hostPath)}:${dir.sandboxPath}:rw`),
        },
      })
      if (checksItself) startup = await attachForStartup(container, (stream, stdout, stderr) => docker.modem.demuxStream(stream, stdout, stderr))
      await container.start()
      this.started.set(container, { path: image.path, startup })
      return container
    } catch (error) {
      startup?.close()
      if (isCooperbenchError(error)) throw error
      if (isConnectionError(error)) throw engineUnavailable(error, address)
      throw new CooperbenchError(
        'SANDBOX_FAILED',
        `cannot start a container of ${spec.image} for ${spec.task.repo}/${spec.task.taskId}: ${dockerMessage(error)}`,
        {
          cause: error,
          hint: /network/i.test(dockerMessage(error))
            ? `Check the backend option network ("${this.options.network}"): docker network ls lists the ones that exist.`
            : `Try it by hand: docker run --rm -it --entrypoint bash ${spec.image}`,
        },
      )
    }
  }

  protected async openSandbox(name: string, spec: SandboxSpec, onTerminated: () => void, container: Docker.Container): Promise<DockerSandbox> {
    const { docker } = this.connect()
    const started = this.started.get(container)
    const sandbox = new DockerSandbox({
      id: name,
      container,
      demux: (stream, stdout, stderr) => docker.modem.demuxStream(stream, stdout, stderr),
      path: started?.path ?? (await this.imageConfig(spec.image)).path,
      maxOutputBytes: this.options.maxOutputBytes,
      logger: this.logger,
      onTerminated,
    })
    if (started?.startup) this.startups.set(sandbox, started.startup)
    return sandbox
  }

  protected async startupProbe(sandbox: DockerSandbox, signal: AbortSignal): Promise<StartupProbeResult> {
    const startup = this.startups.get(sandbox)
    if (startup) return this.startupAtStart(startup, signal)
    const probe = await sandbox.run({
      argv: ['sh', '-c', STARTUP_SCRIPT, 'cooperbench-startup', LOGIN_PATH_HOOK_FILE],
      cwd: '/',
      env: {},
      user: '0',
      maxOutputBytes: 64 * 1024,
      timeoutMs: STARTUP_TIMEOUT_MS,
      signal,
    })
    return { exitCode: probe.exitCode, output: `${probe.stdout.text()}${probe.stderr.text()}`, head: probe.stdout.text() }
  }

  protected startupHints(spec: SandboxSpec): StartupProbeHints {
    return {
      notTaskImage:
        'Task images clone the repository to /workspace/repo (docs/reference-compatibility.md#task-images); check image.template points at task images.',
      failed: `The lines above are what the container printed; try \`docker run --rm -it --entrypoint bash ${spec.image}\`.`,
      stale: `The image is stale or belongs to another task: rebuild it (\`cooperbench images build --force -r ${spec.task.repo} -t ${spec.task.taskId}\`) or remove it (\`docker rmi ${spec.image}\`).`,
    }
  }

  /** Removes them one by one: those already gone are not counted. */
  protected async removeContainers(ids: string[]): Promise<number> {
    let removed = 0
    for (const id of ids) {
      try {
        await this.connect().docker.getContainer(id).remove({ force: true, v: true })
        removed++
      } catch (error) {
        if (!isNotFound(error)) throw error
      }
    }
    return removed
  }

  /** Containers with label `cooperbench.managed=true` (and the run's name when given). */
  protected async listContainers(runName: string | undefined): Promise<ListedContainer[]> {
    const label = [`${DOCKER_LABELS.managed}=true`, ...(runName === undefined ? [] : [`${SANDBOX_LABELS.run}=${runName}`])]
    const { docker, address } = this.connect()
    const summaries = await docker.listContainers({ all: true, filters: { label } }).catch((error: unknown) => {
      if (isConnectionError(error)) throw engineUnavailable(error, address)
      throw error
    })
    return summaries.map((summary) => ({
      id: summary.Names?.[0]?.replace(/^\//, '') ?? summary.Id,
      labels: summary.Labels ?? {},
      state: summary.State,
      createdAt: Number.isFinite(summary.Created) ? new Date(summary.Created * 1000).toISOString() : null,
    }))
  }

  private connect(): { docker: Docker; address: DockerAddress | null } {
    this.client ??= (() => {
      const address = resolveDockerAddress(this.options.host, this.env)
      return { docker: new Docker(address.options), address }
    })()
    return this.client
  }

  private images(): TaskImages {
    this.imageStore ??= new TaskImages(this.connect().docker, this.options, this.logger, this.sandboxes.signal)
    return this.imageStore
  }

  /** The configured CPUs, capped at the engine's count (Docker refuses more than it has). */
  private async cpusPerSandbox(): Promise<number> {
    this.engineCpus ??= this.connect()
      .docker.info()
      .then((info: { NCPU?: number }) => (typeof info.NCPU === 'number' && info.NCPU > 0 ? info.NCPU : null))
      .catch(() => null)
    const available = await this.engineCpus
    if (available !== null && this.options.cpus > available) {
      this.logger.debug(`docker: cpus ${this.options.cpus} capped at the engine's ${available}`)
      return available
    }
    return this.options.cpus
  }

  /** The image's PATH and user; for an image that cannot be inspected, the usual PATH and user null (unknown). */
  private async imageConfig(image: string): Promise<{ path: string; user: string | null }> {
    const info = await this.images()
      .inspect(image)
      .catch(() => null)
    const path = info?.Config?.Env?.find((entry) => entry.startsWith('PATH='))?.slice('PATH='.length)
    return { path: path ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', user: info === null ? null : (info.Config?.User ?? '') }
  }

  /** The check the container's first process ran; exit code null after the time limit or an abort. */
  private async startupAtStart(startup: StartupAtStart, signal: AbortSignal): Promise<StartupProbeResult> {
    const timer = setTimeout(() => startup.close(), STARTUP_TIMEOUT_MS)
    const onAbort = () => startup.close()
    signal.addEventListener('abort', onAbort, { once: true })
    if (signal.aborted) startup.close()
    try {
      return await startup.result
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    }
  }
}

/** The factory registered for backend `docker`. */
export function createDockerBackend(context: BackendFactoryContext): DockerBackend {
  const naming = context.images ? { imageTemplate: context.images.template, imageNamespace: context.images.namespace } : {}
  return new DockerBackend({ ...(context.options as DockerBackendOptions), ...naming, logger: context.logger })
}

/** Errors of the connection itself (no engine, wrong socket, no permission), not of the API. */
function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return (
    typeof code === 'string' &&
    ['ENOENT', 'ECONNREFUSED', 'EACCES', 'EPERM', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN'].includes(code)
  )
}

function engineUnavailable(error: unknown, address: DockerAddress | null): CooperbenchError {
  if (isCooperbenchError(error)) return error
  const where = address ? `${address.url} (from ${describeSource(address.source)})` : 'the given Docker client'
  const code = (error as { code?: unknown } | null)?.code
  const name = (error as { name?: unknown } | null)?.name
  let why: string
  if (name === 'TimeoutError' || name === 'AbortError') why = `no answer within ${PING_TIMEOUT_MS / 1000} s`
  else if (code === 'ENOENT') why = 'the socket does not exist'
  else if (code === 'EACCES' || code === 'EPERM') why = 'permission denied'
  else if (code === 'ECONNREFUSED') why = 'connection refused'
  else why = dockerMessage(error)
  return new CooperbenchError('BACKEND_UNAVAILABLE', `no Docker engine answers at ${where}: ${why}`, {
    cause: error,
    hint: START_ENGINE_HINT,
  })
}

/** Why a layered image is missing, and the command that builds it. */
function missingLayeredImage(image: string, layer: NonNullable<SandboxSpec['layer']>, task: Task): { reason: string; hint: string } {
  return {
    reason: `image ${image} (task ${task.repo}/${task.taskId} with the layer ${layer.owner} needs) is not present; such images are built here, never pulled`,
    hint: `Build it first: cooperbench images build --agent ${layer.agent} -r ${task.repo} -t ${task.taskId} (or the same filters as the run).`,
  }
}
