import { type OptionsOf, optionsDefaults, type OptionsSchema } from '@cooperbench/spec'

/**
 * Options of every CLI agent (`agents.<name>` in the config file, `--agent-config`), declared
 * once: the registry validates against this schema, and the type and defaults derive from it.
 */
export const cliAgentOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    step_limit: {
      type: 'integer',
      minimum: 0,
      default: 100,
      description: 'Model turns before the CLI is stopped (LimitsExceeded); 0 = none (default 100).',
    },
    cost_limit: {
      type: 'number',
      minimum: 0,
      default: 0,
      description: 'USD before the CLI is stopped (LimitsExceeded); 0 = none.',
    },
    wall_time_limit_seconds: {
      type: 'number',
      minimum: 0,
      default: 0,
      description: 'Seconds before the harness kills the CLI (LimitsExceeded); 0 = none.',
    },
    poll_seconds: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 2,
      description: 'Seconds between polls of the teammate mailbox and the CLI stream (default 2).',
    },
    model_base_url: { type: ['string', 'null'], default: null, description: "The model endpoint (the run's --model-base-url wins)." },
    binary: {
      type: ['string', 'null'],
      default: null,
      description: 'Path of the CLI inside the sandbox (default: the image layer’s, else this machine’s on the local backend).',
    },
    node: {
      type: ['string', 'null'],
      default: null,
      description: 'Node.js inside the sandbox for CLIs written in JavaScript (default: the one running cooperbench).',
    },
  },
} as const satisfies OptionsSchema

/** The options of a CLI agent, its schema's defaults filled in. */
export type CliAgentOptions = OptionsOf<typeof cliAgentOptionsSchema>

export const CLI_AGENT_DEFAULTS: CliAgentOptions = optionsDefaults(cliAgentOptionsSchema)

export function parseCliAgentOptions(options: Record<string, unknown>): CliAgentOptions {
  return { ...CLI_AGENT_DEFAULTS, ...(options as Partial<CliAgentOptions>) }
}
