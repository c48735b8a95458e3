import { randomBytes } from 'node:crypto'
import type { ModalClientParams } from 'modal'
import { ClientError, Status } from 'nice-grpc-common'
import { tagRefusal } from './modal-rules.js'

/**
 * A mock of Modal's control plane for the SDK's own `ModalClient` (`new ModalClient({ cpClient })`,
 * `ModalClientParams.cpClient` in `modal` 0.11.1): the SDK builds and sends its real request
 * messages, and this answers the few RPCs a sandbox's life takes with messages of the SDK's
 * generated types (`ModalGrpcClient` in `node_modules/modal/dist/index.d.ts`, so the compiler
 * checks every field of every answer). Any other RPC is refused with UNIMPLEMENTED, naming it:
 * exec goes through the task command router, a second gRPC service that only a live test reaches.
 *
 * The RPCs and what the SDK does with their answers (`node_modules/modal/dist/index.js`):
 * `AppGetOrCreate` (AppService.fromName), `EnvironmentGetOrCreate` (the image builder version),
 * `ImageGetOrCreate` (Image.build: a result with a status ends the build), `SandboxCreate` and
 * `SandboxGetTaskId` (SandboxService.create, then `_waitForScheduling`), `SandboxList` (paged by
 * `beforeTimestamp` until an empty page), `SandboxTagsGet`, `SandboxWait` (poll), `SandboxGetTunnels`,
 * `SandboxTerminate`, and their V2 twins, which this mock does not serve.
 *
 * It refuses what Modal refuses: tags outside `[A-Za-z0-9._-]{1,63}` (INVALID_ARGUMENT, see
 * `./modal-rules.ts`), an app that is missing without `createIfMissing` or unknown to a create
 * (NOT_FOUND), an image that cannot be pulled (a failed build result, as a registry miss reads).
 */
export interface MockControlPlane {
  /** What to give `new ModalClient({ cpClient })`. */
  readonly client: ControlPlane
  /** Every call, in order, with the request the SDK sent (refused ones included). */
  readonly calls: ControlPlaneCall[]
  /** The requests of one RPC (`'sandboxCreate'`, …), in order. */
  requests<K extends Rpc>(rpc: K): Array<RequestOf<K>>
  /** Ids of the sandboxes not terminated. */
  runningSandboxIds(): string[]
}

export interface ControlPlaneCall {
  /** The SDK's name of the method (`sandboxCreate`), the gRPC method is `/modal.client.ModalClient/SandboxCreate`. */
  rpc: string
  request: unknown
}

export interface MockControlPlaneOptions {
  /** Registry tags whose pull fails (the image build result the SDK turns into `Image build for … failed`). */
  unpullable?: string[]
  /** Sandboxes per `SandboxList` page, so tests see the SDK page through; default 100. */
  listPageSize?: number
}

type ControlPlane = NonNullable<ModalClientParams['cpClient']>
type Rpc = keyof ControlPlane & string
type RequestOf<K extends Rpc> = ControlPlane[K] extends (request: infer R, ...rest: never[]) => unknown ? R : never
type ResponseOf<K extends Rpc> = ControlPlane[K] extends (...args: never[]) => Promise<infer R> ? R : never
type Handlers = { [K in Served]: (request: RequestOf<K>) => Promise<ResponseOf<K>> }
type Served =
  | 'appGetOrCreate'
  | 'environmentGetOrCreate'
  | 'imageGetOrCreate'
  | 'sandboxCreate'
  | 'sandboxGetTaskId'
  | 'sandboxList'
  | 'sandboxTagsGet'
  | 'sandboxWait'
  | 'sandboxGetTunnels'
  | 'sandboxTerminate'
type Result = NonNullable<ResponseOf<'sandboxWait'>['result']>
type TunnelData = ResponseOf<'sandboxGetTunnels'>['tunnels'][number]

interface MockSandbox {
  id: string
  appId: string
  imageId: string
  createdAt: number
  tags: Array<{ tagName: string; tagValue: string }>
  timeoutSecs: number
  tunnels: TunnelData[]
  taskId: string
  terminated: boolean
}

const SERVICE = '/modal.client.ModalClient'
/** `GenericResult.GenericStatus` of the SDK's protobuf: SUCCESS, FAILURE, TERMINATED. */
const STATUS = { success: 1, failure: 2, terminated: 3 } as const
const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

export function mockControlPlane(options: MockControlPlaneOptions = {}): MockControlPlane {
  const calls: ControlPlaneCall[] = []
  const apps = new Map<string, string>()
  const images = new Map<string, string>()
  const sandboxes = new Map<string, MockSandbox>()
  const unpullable = new Set(options.unpullable ?? [])
  const pageSize = options.listPageSize ?? 100
  let clock = Date.now() / 1000

  const sandboxOf = (rpc: string, sandboxId: string | undefined): MockSandbox => {
    const sandbox = sandboxes.get(sandboxId ?? '')
    if (!sandbox) throw new ClientError(`${SERVICE}/${rpc}`, Status.NOT_FOUND, `Sandbox ${sandboxId} not found`)
    return sandbox
  }

  const handlers: Handlers = {
    async appGetOrCreate(request) {
      const name = request.appName ?? ''
      let appId = apps.get(name)
      // OBJECT_CREATION_TYPE_CREATE_IF_MISSING is 1.
      if (appId === undefined && request.objectCreationType !== 1) {
        throw new ClientError(`${SERVICE}/AppGetOrCreate`, Status.NOT_FOUND, `App ${name} not found`)
      }
      if (appId === undefined) apps.set(name, (appId = `ap-${id(22)}`))
      return { appId, handleMetadata: undefined }
    },
    async environmentGetOrCreate(request) {
      return {
        environmentId: `en-${id(22)}`,
        metadata: {
          name: request.deploymentName || 'main',
          settings: { imageBuilderVersion: '2025.06', webhookSuffix: '' },
          environmentType: 0,
        },
      }
    },
    async imageGetOrCreate(request) {
      const commands = request.image?.dockerfileCommands ?? []
      const from = commands[0]?.startsWith('FROM ') ? commands[0].slice(5) : ''
      const imageId = `im-${id(22)}`
      images.set(imageId, from)
      const failed = unpullable.has(from)
      return {
        imageId,
        result: result(failed ? STATUS.failure : STATUS.success, failed ? `failed to pull ${from}: manifest unknown` : ''),
        metadata: undefined,
      }
    },
    async sandboxCreate(request) {
      const refused = tagRefusal(`${SERVICE}/SandboxCreate`, request.tags?.map(tag) ?? [])
      if (refused) throw refused
      const appId = request.appId ?? ''
      if (![...apps.values()].includes(appId)) throw new ClientError(`${SERVICE}/SandboxCreate`, Status.NOT_FOUND, `App ${appId} not found`)
      const imageId = request.definition?.imageId ?? ''
      if (!images.has(imageId)) throw new ClientError(`${SERVICE}/SandboxCreate`, Status.NOT_FOUND, `Image ${imageId} not found`)
      // A V1 sandbox id, as the SDK tells V1 from V2 by its shape (`isV1SandboxId`).
      const sandboxId = `sb-${id(22)}`
      const ports = request.definition?.openPorts?.ports ?? []
      sandboxes.set(sandboxId, {
        id: sandboxId,
        appId,
        imageId,
        createdAt: (clock = Math.max(clock + 0.001, Date.now() / 1000)),
        tags: request.tags?.map(tag) ?? [],
        timeoutSecs: request.definition?.timeoutSecs ?? 300,
        tunnels: ports.map((spec) => tunnelFor(spec.port ?? 0, spec.unencrypted ?? false)),
        taskId: `ta-${id(22)}`,
        terminated: false,
      })
      return { sandboxId, metadata: undefined }
    },
    async sandboxGetTaskId(request) {
      const sandbox = sandboxOf('SandboxGetTaskId', request.sandboxId)
      return sandbox.terminated ? { taskResult: result(STATUS.terminated, '') } : { taskId: sandbox.taskId }
    },
    async sandboxList(request) {
      const refused = tagRefusal(`${SERVICE}/SandboxList`, request.tags?.map(tag) ?? [])
      if (refused) throw refused
      const wanted = request.tags?.map(tag) ?? []
      const before = request.beforeTimestamp
      const page = [...sandboxes.values()]
        .filter((s) => !request.appId || s.appId === request.appId)
        .filter((s) => request.includeFinished || !s.terminated)
        .filter((s) => wanted.every((w) => s.tags.some((t) => t.tagName === w.tagName && t.tagValue === w.tagValue)))
        .filter((s) => !before || s.createdAt < before)
        .sort((a, b) => b.createdAt - a.createdAt)
        .slice(0, pageSize)
      return { sandboxes: page.map(info) }
    },
    async sandboxTagsGet(request) {
      return { tags: sandboxOf('SandboxTagsGet', request.sandboxId).tags }
    },
    async sandboxWait(request) {
      const sandbox = sandboxOf('SandboxWait', request.sandboxId)
      return { result: sandbox.terminated ? result(STATUS.terminated, '') : undefined, metadata: undefined }
    },
    async sandboxGetTunnels(request) {
      return { result: undefined, tunnels: sandboxOf('SandboxGetTunnels', request.sandboxId).tunnels }
    },
    async sandboxTerminate(request) {
      const sandbox = sandboxOf('SandboxTerminate', request.sandboxId)
      const existingResult = sandbox.terminated ? result(STATUS.terminated, '') : undefined
      sandbox.terminated = true
      return { existingResult }
    },
  }

  const client = new Proxy(handlers, {
    get(target, name) {
      if (typeof name !== 'string' || name === 'then') return undefined
      const handler = (target as Record<string, ((request: unknown) => Promise<unknown>) | undefined>)[name]
      return async (request: unknown) => {
        calls.push({ rpc: name, request })
        if (!handler) {
          const method = name.charAt(0).toUpperCase() + name.slice(1)
          throw new ClientError(`${SERVICE}/${method}`, Status.UNIMPLEMENTED, `the mock control plane does not serve ${method}`)
        }
        return handler(request)
      }
    },
  }) as unknown as ControlPlane

  return {
    client,
    calls,
    requests: <K extends Rpc>(rpc: K) => calls.filter((call) => call.rpc === rpc).map((call) => call.request as RequestOf<K>),
    runningSandboxIds: () => [...sandboxes.values()].filter((s) => !s.terminated).map((s) => s.id),
  }
}

function info(sandbox: MockSandbox): ResponseOf<'sandboxList'>['sandboxes'][number] {
  return {
    id: sandbox.id,
    createdAt: sandbox.createdAt,
    taskInfo: undefined,
    appId: sandbox.appId,
    tags: sandbox.tags,
    name: '',
    imageId: sandbox.imageId,
    resourceInfo: undefined,
    regions: [],
    timeoutSecs: sandbox.timeoutSecs,
    tunnels: sandbox.tunnels,
    metadata: undefined,
  }
}

function result(status: number, exception: string): Result {
  return {
    status: status as Result['status'],
    exception,
    exitcode: status === STATUS.terminated ? 137 : 0,
    traceback: '',
    serializedTb: new Uint8Array(),
    tbLineCache: new Uint8Array(),
    propagationReason: '',
  }
}

function tunnelFor(containerPort: number, unencrypted: boolean): TunnelData {
  const host = `${id(12).toLowerCase()}.modal.host`
  const port = 443
  if (!unencrypted) return { host, port, containerPort }
  return { host, port, unencryptedHost: `r${id(8).toLowerCase()}.modal.host`, unencryptedPort: 30_000 + (containerPort % 10_000), containerPort }
}

function tag(partial: { tagName?: string; tagValue?: string }): { tagName: string; tagValue: string } {
  return { tagName: partial.tagName ?? '', tagValue: partial.tagValue ?? '' }
}

function id(length: number): string {
  return Array.from(randomBytes(length), (byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('')
}
