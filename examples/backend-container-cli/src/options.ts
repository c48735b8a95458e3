import type { OptionsSchema } from '@cooperbench/spec'
import { optionsDefaults } from '@cooperbench/spec-utils'
import { DEFAULT_IMAGE_NAMESPACE, DEFAULT_IMAGE_TEMPLATE } from '@cooperbench/backend-kit'

/** The container engines whose command line this backend speaks. */
export type ContainerEngine = 'docker' | 'podman'

/** Network modes a sandbox may get. */
export type SandboxNetwork = 'none' | 'host' | 'bridge'

/** The options of backend `container-cli` as written in the config file (`backends.container-cli`). */
export interface ContainerCliOptions {
  /** Which CLI dialect to speak and which program to run by default; default `docker`. */
  engine?: ContainerEngine
  /** Path or name of the CLI program, when it is not `docker`/`podman` on PATH. */
  binary?: string
  /** Network mode of sandboxes: `none` (default), `host` or `bridge`. */
  network?: SandboxNetwork
  /** Memory limit per sandbox, as the CLI's `--memory` takes it (`4g`, `512m`) or in bytes; default none. */
  memory?: string | number
  /** CPUs per sandbox (`--cpus`, fractions allowed); default none. */
  cpus?: number
  /** Containers started at once by one backend; default 4. */
  startConcurrency?: number
  /** Image name template used by `prepareTasks`, `listImages` and `supportsTask`; the CLI fills it from `image.template` (default: the reference's naming). */
  imageTemplate?: string
  /** Namespace in the image template; the CLI fills it from `image.namespace` (default: the reference's, `akhatua`). */
  imageNamespace?: string
}

/** Options with the defaults applied. */
export interface ResolvedContainerCliOptions {
  engine: ContainerEngine
  /** The program that is run: `binary`, else the engine's name. */
  binary: string
  network: SandboxNetwork
  /** `--memory` argument, or null for the engine's default. */
  memory: string | null
  /** `--cpus` argument, or null for the engine's default. */
  cpus: number | null
  startConcurrency: number
  imageTemplate: string
  imageNamespace: string
}

/** Docker and Podman refuse a memory limit below 6 MiB. */
const MIN_MEMORY_BYTES = 6 * 1024 * 1024

/** JSON schema of {@link ContainerCliOptions}; the registry validates the config against it before `create`. */
export const containerCliOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    engine: {
      enum: ['docker', 'podman'],
      default: 'docker',
      description: 'Container engine whose command line is used: docker or podman (default: docker).',
    },
    binary: {
      type: 'string',
      minLength: 1,
      description: 'Path or name of the CLI program (default: the engine name, looked up on PATH).',
    },
    network: {
      enum: ['none', 'host', 'bridge'],
      default: 'none',
      description: 'Network mode of sandboxes: none, host or bridge (default: none).',
    },
    memory: {
      anyOf: [
        { type: 'integer', minimum: MIN_MEMORY_BYTES },
        {
          type: 'string',
          pattern: '^[0-9]+(\\.[0-9]+)?[bkmgBKMG]?$',
          patternErrorMessage: 'must be a size such as "4g" or "512m", or a number of bytes',
        },
      ],
      description: 'Memory limit per sandbox, e.g. "4g" or "512m", or bytes (default: none).',
    },
    cpus: { type: 'number', exclusiveMinimum: 0, description: 'CPUs per sandbox, fractions allowed (default: none).' },
    startConcurrency: {
      type: 'integer',
      minimum: 1,
      default: 4,
      description: 'Containers started at once, so that a high --concurrency does not swamp the engine (default: 4).',
    },
    // The CLI passes the run's image settings; these defaults (the reference's task images) are for other callers.
    imageTemplate: {
      type: 'string',
      minLength: 1,
      default: DEFAULT_IMAGE_TEMPLATE,
      description: 'How task images are named, with {namespace}, {slug}, {repo} and {taskId}; the CLI passes the config image.template.',
    },
    imageNamespace: {
      type: 'string',
      default: DEFAULT_IMAGE_NAMESPACE,
      description: 'What {namespace} stands for in imageTemplate; the CLI passes the config image.namespace.',
    },
  },
} as const satisfies OptionsSchema

const DEFAULTS = optionsDefaults(containerCliOptionsSchema)

/**
 * Applies the defaults. It does not validate: the host checks the options against
 * {@link containerCliOptionsSchema} before `create` (CONFIG_INVALID naming every bad key,
 * `backends.container-cli.engine: must be one of "docker", "podman"`), so a caller outside the
 * host must pass options that fit the schema.
 */
export function resolveContainerCliOptions(options: ContainerCliOptions): ResolvedContainerCliOptions {
  const engine = options.engine ?? DEFAULTS.engine
  return {
    engine,
    binary: options.binary ?? engine,
    network: options.network ?? DEFAULTS.network,
    memory: options.memory === undefined ? null : String(options.memory),
    cpus: options.cpus ?? null,
    startConcurrency: options.startConcurrency ?? DEFAULTS.startConcurrency,
    imageTemplate: options.imageTemplate ?? DEFAULTS.imageTemplate,
    imageNamespace: options.imageNamespace ?? DEFAULTS.imageNamespace,
  }
}
