/** The options of backend `modal` (`backends.modal` in the config file), defaults filled in by the schema. */
export interface ModalBackendOptions {
  /** Modal app that owns the sandboxes; created when missing. */
  appName: string
  /** Modal environment; default `MODAL_ENVIRONMENT`, else the profile's, else Modal's default. */
  environment?: string
  /** CPU cores reserved per sandbox. */
  cpu: number
  /** Memory reserved per sandbox, MiB. */
  memoryMiB: number
  /** Modal's own lifetime bound of a sandbox: a leftover of a crashed run stops costing after it. */
  sandboxTimeoutSeconds: number
  /** Sandboxes alive at once through this backend (agents and evaluations together). */
  maxLiveSandboxes: number
  /** Sandbox creations per second (Modal allows about 5). */
  createsPerSecond: number
  /** Name of a Modal Secret with `REGISTRY_USERNAME`/`REGISTRY_PASSWORD` for private task images. */
  registrySecret: string | null
  /** Sandboxes cannot reach the network (task runners that install packages at test time need it). */
  blockNetwork: boolean
  /** Cap on each of stdout and stderr of one command, bytes. */
  maxOutputBytes: number
}

export const MODAL_DEFAULTS: ModalBackendOptions = {
  appName: 'cooperbench',
  cpu: 2,
  memoryMiB: 4096,
  sandboxTimeoutSeconds: 6 * 3600,
  maxLiveSandboxes: 100,
  createsPerSecond: 4,
  registrySecret: null,
  blockNetwork: false,
  maxOutputBytes: 10 * 1024 * 1024,
}

export const modalBackendOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    appName: {
      type: 'string',
      minLength: 1,
      default: MODAL_DEFAULTS.appName,
      description: 'Modal app that owns the sandboxes; created when missing (default "cooperbench").',
    },
    environment: { type: 'string', minLength: 1, description: "Modal environment (default: MODAL_ENVIRONMENT, else the profile's)." },
    cpu: { type: 'number', exclusiveMinimum: 0, default: MODAL_DEFAULTS.cpu, description: 'CPU cores reserved per sandbox (default 2).' },
    memoryMiB: { type: 'integer', minimum: 128, default: MODAL_DEFAULTS.memoryMiB, description: 'Memory reserved per sandbox in MiB (default 4096).' },
    sandboxTimeoutSeconds: {
      type: 'integer',
      minimum: 60,
      maximum: 86_400,
      default: MODAL_DEFAULTS.sandboxTimeoutSeconds,
      description: "Modal's lifetime bound of a sandbox, so a crashed run's leftovers stop (default 21600, at most 86400).",
    },
    maxLiveSandboxes: {
      type: 'integer',
      minimum: 1,
      default: MODAL_DEFAULTS.maxLiveSandboxes,
      description: 'Sandboxes alive at once through this backend (default 100).',
    },
    createsPerSecond: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 5,
      default: MODAL_DEFAULTS.createsPerSecond,
      description: "Sandbox creations per second, under Modal's limit of about 5 (default 4).",
    },
    registrySecret: {
      type: ['string', 'null'],
      default: null,
      description: 'Modal Secret holding REGISTRY_USERNAME and REGISTRY_PASSWORD for private task images (default none).',
    },
    blockNetwork: { type: 'boolean', default: false, description: 'Sandboxes cannot reach the network (default false: task runners may install packages).' },
    maxOutputBytes: {
      type: 'integer',
      minimum: 1024,
      default: MODAL_DEFAULTS.maxOutputBytes,
      description: 'Cap on each of stdout and stderr of one command in bytes (default 10 MiB).',
    },
  },
} as const

export function resolveModalOptions(options: Record<string, unknown>): ModalBackendOptions {
  return { ...MODAL_DEFAULTS, ...(options as Partial<ModalBackendOptions>) }
}
