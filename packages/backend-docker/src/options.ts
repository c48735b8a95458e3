import { CooperbenchError, type OptionsOf, type OptionsSchema } from '@cooperbench/spec'
import { optionsDefaults } from '@cooperbench/spec-utils'
import { DEFAULT_IMAGE_NAMESPACE, DEFAULT_IMAGE_TEMPLATE, MAX_OUTPUT_BYTES_OPTION } from '@cooperbench/backend-kit'

/** Docker refuses containers with less memory than this. */
const MIN_MEMORY_BYTES = 6 * 1024 * 1024

/** The options of backend `docker` (`backends.docker`), validated and defaulted by the registry before `create`. */
export const dockerBackendOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    host: {
      type: 'string',
      minLength: 1,
      description: 'Docker engine address, e.g. unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host (default: DOCKER_HOST, else the local socket).',
    },
    network: {
      type: 'string',
      minLength: 1,
      default: 'bridge',
      description: 'Network mode of sandboxes: bridge, none, host or a network name (bridge: task runners install packages at test time).',
    },
    buildNetwork: {
      type: 'string',
      minLength: 1,
      description: "Network mode of RUN steps when a task image is built (default: the engine's).",
    },
    cpus: { type: 'number', exclusiveMinimum: 0, default: 2, description: "CPUs per sandbox, capped at the engine's CPU count." },
    memory: {
      anyOf: [
        { type: 'integer', minimum: MIN_MEMORY_BYTES },
        {
          type: 'string',
          pattern: '^\\s*\\d+(\\.\\d+)?\\s*[kKmMgGtT]?[iI]?[bB]?\\s*$',
          patternErrorMessage: 'must be a number of bytes or a size such as "4g" or "512m"',
        },
      ],
      default: '4g',
      description: 'Memory limit per sandbox: bytes or e.g. "4g", "512m" (at least 6m).',
    },
    pids: { type: 'integer', minimum: 16, default: 1024, description: 'Process limit per sandbox.' },
    maxConcurrentStarts: {
      type: 'integer',
      minimum: 1,
      default: 4,
      description: 'Containers created and started at once, so that a high --concurrency does not overwhelm the engine.',
    },
    pull: {
      enum: ['auto', 'always', 'never'],
      default: 'auto',
      description: 'auto: pull a missing image when a registry answers; always: also refresh present images, once per run; never.',
    },
    pullTimeoutSeconds: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 20,
      description: 'Give up a pull that reports no progress for this many seconds.',
    },
    build: { type: 'boolean', default: true, description: "Build a missing image from the task's Dockerfile when it cannot be pulled." },
    buildArgs: {
      type: 'object',
      additionalProperties: { type: 'string' },
      default: {},
      description: 'Build arguments for task Dockerfiles, e.g. {"BASE_IMAGE": "my-mirror/base:1"}.',
    },
    maxOutputBytes: MAX_OUTPUT_BYTES_OPTION,
    keepAliveSeconds: {
      type: 'integer',
      minimum: 60,
      default: 7200,
      description: 'Seconds a sandbox container stays alive, a bound on leaks.',
    },
  },
} as const satisfies OptionsSchema

/** The options of backend `docker` as the registry hands them over, defaults filled in. */
export type DockerBackendOptions = OptionsOf<typeof dockerBackendOptionsSchema>

/** How task images are named: the host's (`FactoryContext.images`, the run's `image` settings), the reference's by default. */
export interface DockerImageNaming {
  imageTemplate: string
  imageNamespace: string
}

/** The options a {@link DockerBackend} uses: `memory` in bytes, and the image naming it was given. */
export type ResolvedDockerOptions = Omit<DockerBackendOptions, 'memory'> & DockerImageNaming & { memory: number }

export const DOCKER_DEFAULTS: DockerBackendOptions = optionsDefaults(dockerBackendOptionsSchema)

/**
 * Fills in the defaults and reads `memory` into bytes, checking what the schema cannot (a size
 * string of at least 6 MiB); the rest must fit {@link dockerBackendOptionsSchema} (the host checks it).
 */
export function resolveDockerOptions(options: Partial<DockerBackendOptions & DockerImageNaming>): ResolvedDockerOptions {
  const given = { ...DOCKER_DEFAULTS, imageTemplate: DEFAULT_IMAGE_TEMPLATE, imageNamespace: DEFAULT_IMAGE_NAMESPACE, ...options }
  const memory = parseMemory(given.memory)
  if (memory === null || memory < MIN_MEMORY_BYTES) {
    throw new CooperbenchError('CONFIG_INVALID', 'invalid options for backend "docker"', {
      details: ['"memory" must be at least 6m (Docker refuses less)'],
      hint: 'Set backends.docker.memory to a size such as "4g" or "512m".',
    })
  }
  return { ...given, buildArgs: { ...given.buildArgs }, memory }
}

const UNIT_EXPONENT: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4 }

/** Bytes of a memory size as Docker's CLI reads it (`4g`: binary k, m, g, t, then optionally `b`/`ib`; bare: bytes); null when unreadable. */
export function parseMemory(value: number | string): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : null
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(value)
  if (!match) return null
  const bytes = Math.floor(Number(match[1]) * 1024 ** UNIT_EXPONENT[match[2]!.toLowerCase()]!)
  return bytes > 0 ? bytes : null
}
