import type { App, AppFromNameParams, ContainerProcess, Sandbox, SandboxCreateParams, SandboxExecParams, SandboxListParams } from 'modal'

/**
 * The part of Modal's JavaScript SDK that the stand-ins answer, in the SDK's own types: the
 * shapes the `modal` backend's `ModalPort` (`packages/backend-modal/src/modal-port.ts`) picks from
 * the SDK. Declared here rather than imported: the backend's tests use these stand-ins, so
 * importing the backend would make a package cycle. Where both meet, `@cooperbench/dev-tools`
 * hands a stand-in to `ModalBackend` as its port, and the compiler checks that they agree.
 */
export interface ModalSurface {
  appFromName(name: string, params: AppFromNameParams): Promise<ModalApp>
  imageFromRegistry(tag: string, registrySecretName: string | null): Promise<ModalImageRef>
  createSandbox(app: ModalApp, image: ModalImageRef, params: SandboxCreateParams): Promise<ModalSandboxHandle>
  listSandboxes(params: SandboxListParams): AsyncIterable<ModalSandboxHandle>
  sandboxFromId(sandboxId: string): Promise<ModalSandboxHandle>
  close(): void
}

export type ModalApp = Pick<App, 'appId' | 'name'>

export interface ModalImageRef {
  readonly tag: string
}

export type ModalSandboxHandle = Pick<Sandbox, 'sandboxId' | 'getTags' | 'poll' | 'tunnels'> & {
  exec(command: string[], params: SandboxExecParams & { mode: 'binary' }): Promise<ModalProcess>
  terminate(): Promise<void>
}

export type ModalProcess = Pick<ContainerProcess<Uint8Array>, 'stdin' | 'stdout' | 'stderr' | 'wait'>
