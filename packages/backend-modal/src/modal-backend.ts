import {
  type Backend,
  type BackendCapabilities,
  CooperbenchError,
  isCooperbenchError,
  type Logger,
  SANDBOX_LABELS,
  type SandboxInfo,
  type SandboxSpec,
  type TaskSupport,
} from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { ManagedSandboxes, onceUntilDone, type ReapFilter, sharedPerKey, startPulledSandbox } from '@cooperbench/backend-kit'
import pLimit, { type LimitFunction } from 'p-limit'
import pRetry from 'p-retry'
import pThrottle from 'p-throttle'
import { type CredentialEnv, findModalCredentials, missingCredentialsError } from './credentials.js'
import { TeamRemoteServers } from './git-server.js'
import { isAuthenticationError, isImageBuildFailure, isTransientModalError, modalMessage } from './modal-errors.js'
import { type ModalApp, type ModalImageRef, type ModalPort, type ModalSandboxHandle, modalSdkPort } from './modal-port.js'
import { ModalSandbox } from './modal-sandbox.js'
import { MODAL_DEFAULTS, type ModalBackendOptions } from './options.js'
import { TagOriginals } from './tag-originals.js'
import { creator, MODAL_TAGS, modalTags, modalTagValue } from './tags.js'

/** Settings of a {@link ModalBackend}: the config options plus what only code can set. */
export interface ModalBackendSettings extends Partial<ModalBackendOptions> {
  logger?: Logger
  /** The Modal client to use instead of the SDK's (the stand-ins of `@cooperbench/standins/modal`). */
  port?: ModalPort
  /** Where credentials are looked up (`MODAL_TOKEN_ID`, `MODAL_PROFILE`, …); default `process.env`. */
  env?: CredentialEnv
  /** First wait before retrying a creation refused with a transient error, doubled each time; default 1000 ms. */
  retryDelayMs?: number
  /** The port each pair's git server (`--git`) listens on in its sandbox; default a random one (tests choose). */
  gitServerPort?: () => number
}

/** Attempts of one sandbox creation when Modal answers with a transient error. */
const CREATE_RETRIES = 5

/**
 * Backend `modal`: each sandbox is a Modal Sandbox of the task's image (pulled from its registry),
 * tagged so leftovers can be found; creations are rate-limited, retried on transient errors and
 * capped in how many live at once.
 */
export class ModalBackend implements Backend {
  readonly specificationVersion = 'backend-v1' as const
  readonly name = 'modal'
  readonly capabilities: BackendCapabilities
  readonly options: ModalBackendOptions
  private readonly logger: Logger
  private readonly env: CredentialEnv
  private readonly sandboxes = new ManagedSandboxes<ModalSandbox>('modal')
  private readonly slots: LimitFunction
  private readonly throttle: ReturnType<typeof pThrottle>
  private readonly images = new Map<string, Promise<ModalImageRef>>()
  private readonly teamRemotes: TeamRemoteServers
  private portPromise: Promise<ModalPort> | undefined
  private readonly injectedPort: boolean
  private readonly retryDelayMs: number
  private readonly tagOriginals = new TagOriginals()

  constructor(settings: ModalBackendSettings = {}) {
    const { logger, port, env, retryDelayMs, gitServerPort, ...options } = settings
    this.options = { ...MODAL_DEFAULTS, ...options }
    this.logger = logger ?? silentLogger
    this.env = env ?? process.env
    this.capabilities = { isolation: 'container', network: !this.options.blockNetwork, snapshots: false }
    this.slots = pLimit(this.options.maxLiveSandboxes)
    this.throttle = pThrottle({ limit: 1, interval: Math.ceil(1000 / this.options.createsPerSecond), strict: true })
    this.injectedPort = port !== undefined
    this.retryDelayMs = retryDelayMs ?? 1_000
    if (port) this.portPromise = Promise.resolve(port)
    this.teamRemotes = new TeamRemoteServers({
      create: (spec, signal, ports) => this.createRaw(spec, signal, ports),
      logger: this.logger,
      ...(gitServerPort ? { pickPort: gitServerPort } : {}),
    })
  }

  /** Checks the credentials and that Modal answers with the app (created when missing). */
  async preflight(): Promise<void> {
    await this.app()
  }

  /** Any task whose image was pushed; whether it was is only known when Modal tries. */
  supportsTask(): TaskSupport {
    return { ok: true }
  }

  async createSandbox(spec: SandboxSpec, signal?: AbortSignal): Promise<ModalSandbox> {
    if (spec.sharedDirs?.length && this.options.blockNetwork) {
      throw new CooperbenchError('SANDBOX_FAILED', 'backend "modal": --git needs sandboxes that can reach the pair\'s git server, but blockNetwork is true', {
        hint: 'Set backends.modal.blockNetwork to false for runs with --git.',
      })
    }
    const sandbox = await this.createRaw(spec, signal)
    if (spec.sharedDirs?.length) {
      try {
        await this.teamRemotes.connect(sandbox, spec, signal)
      } catch (error) {
        await sandbox.terminate().catch(() => {})
        throw error
      }
    }
    return sandbox
  }

  /** Terminates leftover sandboxes of this backend (of the run when given) by `ManagedSandboxes.reap`'s rules. */
  async reap(filter: ReapFilter = {}): Promise<number> {
    const listed = (await this.listManaged(filter.runName)).map(({ handle, tags }) => ({ id: handle.sandboxId, labels: tags, handle }))
    return this.sandboxes.reap(listed, {
      includeLive: filter.includeLive,
      isCurrent: (entry) => creator.isCurrent(entry.labels),
      isAlive: (entry) => creator.isAlive(entry.labels),
      remove: async (stale) => {
        for (const { handle } of stale) await handle.terminate()
        return stale.length
      },
    })
  }

  async listSandboxes(filter: { runName?: string } = {}): Promise<SandboxInfo[]> {
    return (await this.listManaged(filter.runName)).map(({ handle, tags }) => ({
      id: handle.sandboxId,
      labels: tags,
      state: 'running',
      createdAt: null,
      ownerAlive: this.sandboxes.ownerAlive(handle.sandboxId, () => creator.isAlive(tags)),
    }))
  }

  /** Terminates every sandbox this backend still holds and stops creations in flight. */
  async close(): Promise<void> {
    await this.sandboxes.close()
    await this.teamRemotes.close()
    if (this.portPromise && !this.injectedPort) (await this.portPromise.catch(() => null))?.close()
  }

  /** A sandbox of the task image, tagged, started and checked, with tunnels to `ports`; no shared remote. */
  private async createRaw(spec: SandboxSpec, signal?: AbortSignal, ports: number[] = []): Promise<ModalSandbox> {
    const cancel = this.sandboxes.creationSignal(signal)
    const [port, app] = await Promise.all([this.port(), this.app()])
    const release = await this.acquireSlot(cancel)
    let handle: ModalSandboxHandle | undefined
    let sandbox: ModalSandbox | undefined
    try {
      const image = await this.image(port, spec.image)
      handle = await this.sandboxes.track(this.createWithRetries(port, app, image, spec, ports, cancel))
      cancel.throwIfAborted()
      const path = await this.startupCheck(handle, spec, cancel)
      sandbox = new ModalSandbox({
        handle,
        path,
        maxOutputBytes: this.options.maxOutputBytes,
        onTerminated: () => {
          this.sandboxes.forget(handle!.sandboxId)
          release()
        },
      })
      this.sandboxes.add(handle.sandboxId, sandbox)
      this.logger.debug(`modal: sandbox ${handle.sandboxId} (${spec.image}) ready`)
      return sandbox
    } catch (error) {
      if (handle && !sandbox) await handle.terminate().catch(() => {})
      if (!sandbox) release()
      if (cancel.aborted || isCooperbenchError(error)) throw error
      throw creationError(error, spec.image, `${spec.task.repo}/${spec.task.taskId}`)
    }
  }

  private async createWithRetries(
    port: ModalPort,
    app: ModalApp,
    image: ModalImageRef,
    spec: SandboxSpec,
    ports: number[],
    cancel: AbortSignal,
  ): Promise<ModalSandboxHandle> {
    // Run names, pair labels and the task name hold `/`, `,` or nothing, which Modal refuses in a tag.
    const { tags, originals } = modalTags({
      ...spec.labels,
      [SANDBOX_LABELS.role]: spec.labels[SANDBOX_LABELS.role] ?? spec.role,
      [MODAL_TAGS.managed]: 'true',
      [MODAL_TAGS.task]: `${spec.task.repo}/${spec.task.taskId}`,
      ...creator.current(),
    })
    if (spec.runDir && Object.keys(originals).length > 0) {
      await this.tagOriginals.record(spec.runDir, originals, tags).catch((error: unknown) => {
        this.logger.warn(`modal: cannot record the original tag values in ${spec.runDir}: ${modalMessage(error)}`)
      })
    }
    const create = this.throttle(async () => {
      cancel.throwIfAborted()
      return port.createSandbox(app, image, {
        cpu: this.options.cpu,
        memoryMiB: this.options.memoryMiB,
        timeoutMs: this.options.sandboxTimeoutSeconds * 1000,
        workdir: '/workspace/repo',
        blockNetwork: this.options.blockNetwork,
        tags,
        ...(ports.length ? { unencryptedPorts: ports } : {}),
      })
    })
    const handle = await pRetry(create, {
      retries: CREATE_RETRIES,
      factor: 2,
      minTimeout: this.retryDelayMs,
      maxTimeout: this.retryDelayMs * 16,
      shouldRetry: ({ error }) => !cancel.aborted && isTransientModalError(error),
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft > 0 && isTransientModalError(error)) {
          this.logger.debug(`modal: creating a sandbox of ${spec.image} failed (attempt ${attemptNumber}: ${modalMessage(error)}); retrying`)
        }
      },
    })
    // A creation that finished after its run gave up: the sandbox is nobody's.
    if (cancel.aborted) {
      await handle.terminate().catch(() => {})
      cancel.throwIfAborted()
    }
    return handle
  }

  /** The startup check and cleaning of a new sandbox (backend-kit's `startPulledSandbox`); returns the image's PATH. */
  private async startupCheck(handle: ModalSandboxHandle, spec: SandboxSpec, signal: AbortSignal): Promise<string> {
    const probe = new ModalSandbox({ handle, path: '', maxOutputBytes: 64 * 1024, onTerminated: () => {} })
    const runAsRoot = async (argv: string[], timeoutMs: number) => {
      const result = await probe.exec(argv, { cwd: '/', timeoutMs, signal })
      signal.throwIfAborted()
      return result
    }
    const failedHint = 'The lines above are what the sandbox printed; `modal shell` into a sandbox of the image to look.'
    return startPulledSandbox(runAsRoot, handle.sandboxId, spec, failedHint)
  }

  /** A slot under `maxLiveSandboxes`, held until the sandbox is terminated (released at once when `signal` aborted). */
  private acquireSlot(signal: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      void this.slots(
        () =>
          new Promise<void>((free) => {
            let freed = false
            const release = () => {
              if (!freed) (freed = true), free()
            }
            if (signal.aborted) {
              release()
              reject(signal.reason)
            } else resolve(release)
          }),
      )
    })
  }

  private image(port: ModalPort, tag: string): Promise<ModalImageRef> {
    return sharedPerKey(this.images, tag, () => port.imageFromRegistry(tag, this.options.registrySecret))
  }

  private port(): Promise<ModalPort> {
    this.portPromise ??= (async () => {
      const credentials = await findModalCredentials(this.env)
      if (!credentials) throw missingCredentialsError(this.env)
      this.logger.debug(`modal: credentials from ${credentials.from}`)
      const environment = this.options.environment ?? credentials.environment
      return modalSdkPort({ tokenId: credentials.tokenId, tokenSecret: credentials.tokenSecret, ...(environment ? { environment } : {}) })
    })()
    this.portPromise.catch(() => (this.portPromise = undefined))
    return this.portPromise
  }

  /** The app, made on first use (created when missing). */
  private readonly app = onceUntilDone(async (): Promise<ModalApp> => {
    const port = await this.port()
    try {
      return await pRetry(
        () => port.appFromName(this.options.appName, { createIfMissing: true, ...(this.options.environment ? { environment: this.options.environment } : {}) }),
        { retries: 3, minTimeout: 1_000, shouldRetry: ({ error }) => isTransientModalError(error) },
      )
    } catch (error) {
      if (isAuthenticationError(error)) {
        throw new CooperbenchError('BACKEND_UNAVAILABLE', `Modal refused the credentials: ${modalMessage(error)}`, {
          cause: error,
          hint: 'Create a new token with `modal token new` (or check MODAL_TOKEN_ID/MODAL_TOKEN_SECRET and MODAL_PROFILE), then `cooperbench config modal`.',
        })
      }
      throw new CooperbenchError('BACKEND_UNAVAILABLE', `Modal does not answer with app "${this.options.appName}": ${modalMessage(error)}`, {
        cause: error,
        hint: 'Check the network and https://status.modal.com; `cooperbench doctor` shows what was found.',
      })
    }
  })

  private async listManaged(runName?: string): Promise<Array<{ handle: ModalSandboxHandle; tags: Record<string, string> }>> {
    const [port, app] = await Promise.all([this.port(), this.app()])
    // Sandboxes carry the run name as Modal took it (sanitised alike when it had to be).
    const wanted: Record<string, string> = { [MODAL_TAGS.managed]: 'true', ...(runName ? { [SANDBOX_LABELS.run]: modalTagValue(runName) } : {}) }
    const found: Array<{ handle: ModalSandboxHandle; tags: Record<string, string> }> = []
    for await (const handle of port.listSandboxes({ appId: app.appId, tags: wanted })) {
      found.push({ handle, tags: await handle.getTags() })
    }
    return found
  }
}

function creationError(error: unknown, image: string, taskName: string): CooperbenchError {
  if (isImageBuildFailure(error)) {
    return new CooperbenchError('SANDBOX_FAILED', `Modal cannot pull image ${image} for ${taskName}: ${modalMessage(error).split('\n')[0]}`, {
      cause: error,
      hint:
        'Modal pulls task images from a registry and cannot build from a local Dockerfile: push the image (`cooperbench images build` then `docker push ' +
        `${image}\`), set image.namespace to where you pushed it, and backends.modal.registrySecret for a private registry.`,
    })
  }
  if (isTransientModalError(error)) {
    return new CooperbenchError(
      'BACKEND_UNAVAILABLE',
      `Modal did not create a sandbox of ${image} after ${CREATE_RETRIES + 1} attempts: ${modalMessage(error)}`,
      {
        cause: error,
        hint: 'Modal is throttling or unavailable; lower -c or backends.modal.createsPerSecond, or rerun later (the pair is retried).',
      },
    )
  }
  return new CooperbenchError('SANDBOX_FAILED', `Modal cannot create a sandbox of ${image} for ${taskName}: ${modalMessage(error)}`, {
    cause: error,
    hint: 'Check backends.modal options (cpu, memoryMiB) against your Modal plan; `cooperbench doctor` shows the setup.',
  })
}
