import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CooperbenchError } from '@cooperbench/spec'

/** Cap on each of stdout and stderr of one command, unless the command asks for another. */
export const DEFAULT_MAX_OUTPUT_BYTES = 10 * 1024 * 1024

/** Where workspaces live unless configured: a temp directory, so a reboot clears forgotten ones. */
export function defaultLocalRoot(): string {
  return join(tmpdir(), 'cooperbench-local')
}

/** The options of backend `local` as they appear in the config file. */
export interface LocalBackendOptions {
  /** Directory holding one workspace per sandbox and the cache of cloned bundles. */
  root?: string
  /** Default cap on each of stdout and stderr of a command, in bytes. */
  maxOutputBytes?: number
  /**
   * Sandboxes share this machine's network (default false: each has a private loopback only).
   * An agent whose server in the sandbox calls a hosted model (openhands_sdk) needs it.
   */
  network?: boolean
}

/** JSON schema of {@link LocalBackendOptions}; the config is validated against it before `create`. */
export const localBackendOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    root: {
      type: 'string',
      minLength: 1,
      description: 'Directory for sandbox workspaces and the bundle clone cache (default: <tmpdir>/cooperbench-local).',
    },
    maxOutputBytes: {
      type: 'integer',
      minimum: 1024,
      description: 'Default cap on each of stdout and stderr of one command, in bytes (default: 10 MiB).',
    },
    network: {
      type: 'boolean',
      description: "Sandboxes share this machine's network (default false: a private loopback per sandbox); agents whose server calls a hosted model need it.",
    },
  },
} as const satisfies Record<string, unknown>

/**
 * Checks options that reached the factory. The host validates against the schema first; this
 * repeats the checks so that a programmatic caller gets the same clear error.
 */
export function parseLocalBackendOptions(options: Record<string, unknown>): LocalBackendOptions {
  const problems: string[] = []
  const known = Object.keys(localBackendOptionsSchema.properties)
  for (const key of Object.keys(options)) if (!known.includes(key)) problems.push(`unknown option "${key}"`)
  const { root, maxOutputBytes, network } = options
  if (network !== undefined && typeof network !== 'boolean') problems.push('"network" must be true or false')
  if (root !== undefined && (typeof root !== 'string' || root === '')) problems.push('"root" must be a non-empty string')
  if (maxOutputBytes !== undefined && !(Number.isInteger(maxOutputBytes) && (maxOutputBytes as number) >= 1024)) {
    problems.push('"maxOutputBytes" must be an integer of at least 1024')
  }
  if (problems.length > 0) {
    throw new CooperbenchError('CONFIG_INVALID', 'invalid options for backend "local"', {
      details: problems,
      hint: `Allowed options: ${known.join(', ')}.`,
    })
  }
  return {
    ...(root === undefined ? {} : { root: root as string }),
    ...(maxOutputBytes === undefined ? {} : { maxOutputBytes: maxOutputBytes as number }),
    ...(network === undefined ? {} : { network: network as boolean }),
  }
}
