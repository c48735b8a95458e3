import { CooperbenchError } from '@cooperbench/spec'
import { DEFAULT_IMAGE_NAMESPACE, DEFAULT_IMAGE_TEMPLATE } from '@cooperbench/backend-kit'

/** How a missing task image may come from a registry. */
export type PullPolicy = 'auto' | 'always' | 'never'

/** The options of backend `docker` as they appear in the config file (`backends.docker`). */
export interface DockerBackendOptions {
  /** Engine address (`unix:///var/run/docker.sock`, `tcp://host:2376`, `ssh://user@host`); default `DOCKER_HOST`, else the local socket. */
  host?: string
  /** Network mode of sandboxes: `bridge` (default; real task runners `pip install` at test time), `none`, `host`, or a network name. */
  network?: string
  /** Network mode of `RUN` steps when a task image is built; default the engine's (bridge). */
  buildNetwork?: string
  /** CPUs per sandbox (fractions allowed); default 2, capped at the engine's CPU count. */
  cpus?: number
  /** Memory limit per sandbox: bytes, or a string such as `4g`, `512m`; default `4g`. */
  memory?: number | string
  /** Process limit per sandbox; default 1024. */
  pids?: number
  /** Containers created and started at once by one backend; default 4. */
  maxConcurrentStarts?: number
  /** `auto` (default): pull a missing image when a registry answers; `always`: also refresh present images (once per image and backend); `never`. */
  pull?: PullPolicy
  /** A pull that reports no progress for this long is given up; default 20 s. */
  pullTimeoutSeconds?: number
  /** Build a missing image from the task's Dockerfile when it cannot be pulled; default true. */
  build?: boolean
  /** Build arguments for task Dockerfiles, e.g. `{ "BASE_IMAGE": "my-mirror/base:1" }`; default none. */
  buildArgs?: Record<string, string>
  /** Default cap on each of stdout and stderr of one command, in bytes; default 10 MiB. */
  maxOutputBytes?: number
  /** Seconds a sandbox container stays alive (its idle command is `sleep`); default 7200. */
  keepAliveSeconds?: number
  /** Image name template for `prepareTasks`/`listImages`/`supportsTask`; the CLI fills it from the config's `image.template`. */
  imageTemplate?: string
  /** Namespace in the image template; the CLI fills it from the config's `image.namespace`. */
  imageNamespace?: string
}

/** Options with every default applied (`host` and `buildNetwork` stay optional: absent means "the environment's"). */
export type ResolvedDockerOptions = Required<Omit<DockerBackendOptions, 'host' | 'buildNetwork' | 'memory'>> & {
  host?: string
  buildNetwork?: string
  /** Memory limit in bytes. */
  memory: number
}

/** Defaults of every option (documented in the schema too). */
export const DOCKER_DEFAULTS = {
  network: 'bridge',
  cpus: 2,
  memory: '4g',
  pids: 1024,
  maxConcurrentStarts: 4,
  pull: 'auto',
  pullTimeoutSeconds: 20,
  build: true,
  buildArgs: {},
  maxOutputBytes: 10 * 1024 * 1024,
  keepAliveSeconds: 7200,
  imageTemplate: DEFAULT_IMAGE_TEMPLATE,
  imageNamespace: DEFAULT_IMAGE_NAMESPACE,
} as const

/** Docker refuses containers with less memory than this. */
const MIN_MEMORY_BYTES = 6 * 1024 * 1024

/** JSON schema of {@link DockerBackendOptions}; the config is validated against it before `create`. */
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
      description: 'Network mode of sandboxes: bridge, none, host or a network name (default: bridge; task runners install packages at test time).',
    },
    buildNetwork: {
      type: 'string',
      minLength: 1,
      description: "Network mode of RUN steps when a task image is built (default: the engine's).",
    },
    cpus: { type: 'number', exclusiveMinimum: 0, description: "CPUs per sandbox (default: 2, capped at the engine's CPU count)." },
    memory: {
      anyOf: [
        { type: 'integer', minimum: MIN_MEMORY_BYTES },
        {
          type: 'string',
          pattern: '^\\s*\\d+(\\.\\d+)?\\s*[kKmMgGtT]?[iI]?[bB]?\\s*$',
          patternErrorMessage: 'must be a number of bytes or a size such as "4g" or "512m"',
        },
      ],
      description: 'Memory limit per sandbox: bytes or e.g. "4g", "512m" (default: 4g).',
    },
    pids: { type: 'integer', minimum: 16, description: 'Process limit per sandbox (default: 1024).' },
    maxConcurrentStarts: {
      type: 'integer',
      minimum: 1,
      description: 'Containers created and started at once, so that a high --concurrency does not overwhelm the engine (default: 4).',
    },
    pull: {
      enum: ['auto', 'always', 'never'],
      description: 'auto: pull a missing image when a registry answers; always: also refresh present images, once per run; never (default: auto).',
    },
    pullTimeoutSeconds: {
      type: 'number',
      exclusiveMinimum: 0,
      description: 'Give up a pull that reports no progress for this many seconds (default: 20).',
    },
    build: { type: 'boolean', description: "Build a missing image from the task's Dockerfile when it cannot be pulled (default: true)." },
    buildArgs: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Build arguments for task Dockerfiles, e.g. {"BASE_IMAGE": "my-mirror/base:1"} (default: none).',
    },
    maxOutputBytes: {
      type: 'integer',
      minimum: 1024,
      description: 'Default cap on each of stdout and stderr of one command, in bytes (default: 10 MiB).',
    },
    keepAliveSeconds: {
      type: 'integer',
      minimum: 60,
      description: 'Seconds a sandbox container stays alive, a bound on leaks (default: 7200).',
    },
    imageTemplate: {
      type: 'string',
      minLength: 1,
      description: 'Image name template with {namespace}, {slug}, {repo}, {taskId} (default: the config image.template).',
    },
    imageNamespace: { type: 'string', description: 'Namespace in the image template (default: the config image.namespace).' },
  },
} as const satisfies Record<string, unknown>

/**
 * Checks options that reached the factory and applies the defaults. The host validates against
 * the schema first; this repeats the checks so that a programmatic caller gets the same clear
 * error, and converts `memory` to bytes.
 */
export function parseDockerBackendOptions(options: Record<string, unknown>): ResolvedDockerOptions {
  const problems: string[] = []
  const known = Object.keys(dockerBackendOptionsSchema.properties)
  for (const key of Object.keys(options)) if (!known.includes(key)) problems.push(`unknown option "${key}"`)
  const o = options as { [K in keyof DockerBackendOptions]?: unknown }

  const nonEmptyString = (key: keyof DockerBackendOptions) => {
    const value = o[key]
    if (value !== undefined && (typeof value !== 'string' || value.trim() === '')) problems.push(`"${key}" must be a non-empty string`)
  }
  const integerAtLeast = (key: keyof DockerBackendOptions, minimum: number) => {
    const value = o[key]
    if (value !== undefined && !(Number.isInteger(value) && (value as number) >= minimum)) {
      problems.push(`"${key}" must be an integer of at least ${minimum}`)
    }
  }
  const positiveNumber = (key: keyof DockerBackendOptions) => {
    const value = o[key]
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) problems.push(`"${key}" must be a positive number`)
  }

  nonEmptyString('host')
  nonEmptyString('network')
  nonEmptyString('buildNetwork')
  nonEmptyString('imageTemplate')
  if (o.imageNamespace !== undefined && typeof o.imageNamespace !== 'string') problems.push('"imageNamespace" must be a string')
  positiveNumber('cpus')
  positiveNumber('pullTimeoutSeconds')
  integerAtLeast('pids', 16)
  integerAtLeast('maxConcurrentStarts', 1)
  integerAtLeast('maxOutputBytes', 1024)
  integerAtLeast('keepAliveSeconds', 60)
  if (o.pull !== undefined && !['auto', 'always', 'never'].includes(o.pull as string)) problems.push('"pull" must be one of auto, always, never')
  if (o.build !== undefined && typeof o.build !== 'boolean') problems.push('"build" must be true or false')
  if (o.buildArgs !== undefined) {
    const args = o.buildArgs
    if (typeof args !== 'object' || args === null || Array.isArray(args) || Object.values(args).some((v) => typeof v !== 'string')) {
      problems.push('"buildArgs" must be an object of strings')
    }
  }
  let memory: number | null = parseMemory(DOCKER_DEFAULTS.memory)
  if (o.memory !== undefined) {
    memory = typeof o.memory === 'number' || typeof o.memory === 'string' ? parseMemory(o.memory) : null
    if (memory === null) problems.push('"memory" must be a number of bytes or a size such as "4g" or "512m"')
    else if (memory < MIN_MEMORY_BYTES) problems.push('"memory" must be at least 6m (Docker refuses less)')
  }

  if (problems.length > 0) {
    throw new CooperbenchError('CONFIG_INVALID', 'invalid options for backend "docker"', {
      details: problems,
      hint: `Allowed options: ${known.join(', ')}.`,
    })
  }
  return {
    ...(o.host === undefined ? {} : { host: o.host as string }),
    ...(o.buildNetwork === undefined ? {} : { buildNetwork: o.buildNetwork as string }),
    network: (o.network as string | undefined) ?? DOCKER_DEFAULTS.network,
    cpus: (o.cpus as number | undefined) ?? DOCKER_DEFAULTS.cpus,
    memory: memory!,
    pids: (o.pids as number | undefined) ?? DOCKER_DEFAULTS.pids,
    maxConcurrentStarts: (o.maxConcurrentStarts as number | undefined) ?? DOCKER_DEFAULTS.maxConcurrentStarts,
    pull: (o.pull as PullPolicy | undefined) ?? DOCKER_DEFAULTS.pull,
    pullTimeoutSeconds: (o.pullTimeoutSeconds as number | undefined) ?? DOCKER_DEFAULTS.pullTimeoutSeconds,
    build: (o.build as boolean | undefined) ?? DOCKER_DEFAULTS.build,
    buildArgs: { ...((o.buildArgs as Record<string, string> | undefined) ?? DOCKER_DEFAULTS.buildArgs) },
    maxOutputBytes: (o.maxOutputBytes as number | undefined) ?? DOCKER_DEFAULTS.maxOutputBytes,
    keepAliveSeconds: (o.keepAliveSeconds as number | undefined) ?? DOCKER_DEFAULTS.keepAliveSeconds,
    imageTemplate: (o.imageTemplate as string | undefined) ?? DOCKER_DEFAULTS.imageTemplate,
    imageNamespace: (o.imageNamespace as string | undefined) ?? DOCKER_DEFAULTS.imageNamespace,
  }
}

const UNIT_EXPONENT: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4 }

/**
 * Bytes of a memory size as Docker's CLI reads it (`--memory 4g`): binary units k, m, g, t,
 * optionally followed by `b`/`ib`; a bare number is bytes. Null when unreadable.
 */
export function parseMemory(value: number | string): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : null
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(value)
  if (!match) return null
  const bytes = Math.floor(Number(match[1]) * 1024 ** UNIT_EXPONENT[match[2]!.toLowerCase()]!)
  return bytes > 0 ? bytes : null
}
