import type {
  App,
  AppFromNameParams,
  ContainerProcess,
  ModalClient,
  ModalClientParams,
  Sandbox as ModalSdkSandbox,
  SandboxCreateParams,
  SandboxExecParams,
  SandboxListParams,
} from 'modal'

/**
 * The part of Modal's SDK this backend uses, its types picked from the `modal` package's own
 * declarations (`Pick`s: its classes keep private fields), so the adapter and any stand-in are
 * checked against the SDK.
 */
export interface ModalPort {
  /** `client.apps.fromName`. */
  appFromName(name: string, params: AppFromNameParams): Promise<ModalApp>
  /** `client.images.fromRegistry(tag, secret)` with the entrypoint cleared (lazy: built when a sandbox is created). */
  imageFromRegistry(tag: string, registrySecretName: string | null): Promise<ModalImageRef>
  /** `client.sandboxes.create`. */
  createSandbox(app: ModalApp, image: ModalImageRef, params: SandboxCreateParams): Promise<ModalSandboxHandle>
  /** `client.sandboxes.list`: running sandboxes, by app and tags. */
  listSandboxes(params: SandboxListParams): AsyncIterable<ModalSandboxHandle>
  close(): void
}

export type ModalApp = Pick<App, 'appId' | 'name'>

/** An image as this backend holds it: opaque outside the port (the SDK's `Image`, or a stand-in's). */
export interface ModalImageRef {
  readonly tag: string
}

export type ModalSandboxHandle = Pick<ModalSdkSandbox, 'sandboxId' | 'getTags' | 'poll' | 'tunnels'> & {
  /** `sandbox.exec(argv, { mode: 'binary', … })`: bytes in, bytes out. */
  exec(command: string[], params: SandboxExecParams & { mode: 'binary' }): Promise<ModalProcess>
  terminate(): Promise<void>
}

export type ModalProcess = Pick<ContainerProcess<Uint8Array>, 'stdin' | 'stdout' | 'stderr' | 'wait'>

/** The SDK's credentials and environment, as `ModalClient` takes them. */
export type ModalCredentials = Pick<ModalClientParams, 'tokenId' | 'tokenSecret' | 'environment'>

/** What only tests set on {@link modalSdkPort}. */
export interface ModalSdkPortOptions {
  /** The SDK's control-plane client instead of its gRPC connection (`cpClient`): tests mock the RPCs. */
  controlPlane?: ModalClientParams['cpClient']
}

/**
 * Which of Modal's sandbox backends this port uses: V1 (0.10's), whatever the environment says.
 * `modal` 0.11 picks V2 by default, whose create documents encrypted tunnels only (`--git` serves
 * an unencrypted port) and whose sandboxes its V1 list does not return.
 */
export const MODAL_SANDBOX_BACKEND = 'V1' as const

/** The port over the real SDK client. */
export async function modalSdkPort(credentials: ModalCredentials, options: ModalSdkPortOptions = {}): Promise<ModalPort> {
  const { ModalClient: Client } = await import('modal')
  const client: ModalClient = new Client({ ...credentials, ...(options.controlPlane ? { cpClient: options.controlPlane } : {}) })
  // `sandboxes.create`, `.list` and `.fromName` read this flag on each call (SandboxService in the SDK).
  client.profile.sandboxV2 = false
  const images = new Map<ModalImageRef, Awaited<ReturnType<ModalClient['images']['fromRegistry']>>>()
  const apps = new Map<string, App>()
  const handle = (sandbox: ModalSdkSandbox): ModalSandboxHandle => ({
    sandboxId: sandbox.sandboxId,
    getTags: () => sandbox.getTags(),
    poll: () => sandbox.poll(),
    tunnels: (timeoutMs) => sandbox.tunnels(timeoutMs),
    exec: (command, params) => sandbox.exec(command, params),
    terminate: () => sandbox.terminate(),
  })
  return {
    async appFromName(name, params) {
      const app = await client.apps.fromName(name, params)
      apps.set(app.appId, app)
      return app
    },
    async imageFromRegistry(tag, registrySecretName) {
      const secret = registrySecretName === null ? undefined : await client.secrets.fromName(registrySecretName)
      const image = client.images.fromRegistry(tag, secret).dockerfileCommands(['ENTRYPOINT []'])
      const ref: ModalImageRef = { tag }
      images.set(ref, image)
      return ref
    },
    async createSandbox(app, ref, params) {
      const image = images.get(ref)
      const sdkApp = apps.get(app.appId)
      if (image === undefined || sdkApp === undefined) throw new Error('modal port: the app and image must come from this port')
      return handle(await client.sandboxes.create(sdkApp, image, params))
    },
    async *listSandboxes(params) {
      for await (const sandbox of client.sandboxes.list(params)) yield handle(sandbox)
    },
    close: () => client.close(),
  }
}
