import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { OptionsOf, OptionsSchema } from '@cooperbench/spec'
import { optionsDefaults } from '@cooperbench/spec-utils'
import { MAX_OUTPUT_BYTES_OPTION } from '@cooperbench/backend-kit'

/** Where workspaces live unless configured: a temp directory, so a reboot clears forgotten ones. */
export function defaultLocalRoot(): string {
  return join(tmpdir(), 'cooperbench-local')
}

/** The options of backend `local` (`backends.local`), validated and defaulted by the registry before `create`. */
export const localBackendOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    root: {
      type: 'string',
      minLength: 1,
      description: 'Directory for sandbox workspaces and the bundle clone cache (default: <tmpdir>/cooperbench-local).',
    },
    maxOutputBytes: MAX_OUTPUT_BYTES_OPTION,
    network: {
      type: 'boolean',
      default: false,
      description: "Sandboxes share this machine's network (false: a private loopback per sandbox); agents whose server calls a hosted model need it.",
    },
  },
} as const satisfies OptionsSchema

/** The options of backend `local` as the registry hands them over, defaults filled in. */
export type LocalBackendOptions = OptionsOf<typeof localBackendOptionsSchema>

export const LOCAL_DEFAULTS: LocalBackendOptions = optionsDefaults(localBackendOptionsSchema)
