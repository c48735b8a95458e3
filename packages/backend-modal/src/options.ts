import type { OptionsOf, OptionsSchema } from '@cooperbench/spec'
import { optionsDefaults } from '@cooperbench/spec-utils'
import { MAX_OUTPUT_BYTES_OPTION } from '@cooperbench/backend-kit'

/** The options of backend `modal` (`backends.modal`), validated and defaulted by the registry before `create`. */
export const modalBackendOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    appName: { type: 'string', minLength: 1, default: 'cooperbench', description: 'Modal app that owns the sandboxes; created when missing.' },
    environment: { type: 'string', minLength: 1, description: "Modal environment (default: MODAL_ENVIRONMENT, else the profile's)." },
    cpu: { type: 'number', exclusiveMinimum: 0, default: 2, description: 'CPU cores reserved per sandbox.' },
    memoryMiB: { type: 'integer', minimum: 128, default: 4096, description: 'Memory reserved per sandbox in MiB.' },
    sandboxTimeoutSeconds: {
      type: 'integer',
      minimum: 60,
      maximum: 86_400,
      default: 6 * 3600,
      description: "Modal's lifetime bound of a sandbox, so a crashed run's leftovers stop costing (at most 86400).",
    },
    maxLiveSandboxes: {
      type: 'integer',
      minimum: 1,
      default: 100,
      description: 'Sandboxes alive at once through this backend (agents and evaluations together).',
    },
    createsPerSecond: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 5,
      default: 4,
      description: "Sandbox creations per second, under Modal's limit of about 5.",
    },
    registrySecret: {
      type: ['string', 'null'],
      default: null,
      description: 'Modal Secret holding REGISTRY_USERNAME and REGISTRY_PASSWORD for private task images (null: none).',
    },
    blockNetwork: { type: 'boolean', default: false, description: 'Sandboxes cannot reach the network (false: task runners may install packages).' },
    maxOutputBytes: MAX_OUTPUT_BYTES_OPTION,
  },
} as const satisfies OptionsSchema

/** The options of backend `modal` as the registry hands them over, defaults filled in. */
export type ModalBackendOptions = OptionsOf<typeof modalBackendOptionsSchema>

export const MODAL_DEFAULTS: ModalBackendOptions = optionsDefaults(modalBackendOptionsSchema)
