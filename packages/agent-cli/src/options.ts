/** Options of every CLI agent (`agents.<name>` in the config file, `--agent-config`). */
export interface CliAgentOptions {
  /** Model turns before the CLI stops (its own flag where it has one, else the harness kills it); 0 = no limit. */
  step_limit: number
  /** USD before the CLI stops (same rule); 0 = no limit. */
  cost_limit: number
  /** Seconds for the whole CLI run before the harness kills it (LimitsExceeded); 0 = none. */
  wall_time_limit_seconds: number
  /** Seconds between the harness's polls of the mailbox and the CLI's stream. */
  poll_seconds: number
  /** The model endpoint; the run's `--model-base-url` wins. */
  model_base_url: string | null
  /** The CLI binary inside the sandbox; default: the image layer's, else this machine's (local backend). */
  binary: string | null
  /** Node.js inside the sandbox for CLIs that are JavaScript; default: the one running cooperbench. */
  node: string | null
}

export const CLI_AGENT_DEFAULTS: CliAgentOptions = {
  step_limit: 100,
  cost_limit: 0,
  wall_time_limit_seconds: 0,
  poll_seconds: 2,
  model_base_url: null,
  binary: null,
  node: null,
}

export const cliAgentOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    step_limit: {
      type: 'integer',
      minimum: 0,
      default: CLI_AGENT_DEFAULTS.step_limit,
      description: 'Model turns before the CLI is stopped (LimitsExceeded); 0 = none (default 100).',
    },
    cost_limit: {
      type: 'number',
      minimum: 0,
      default: CLI_AGENT_DEFAULTS.cost_limit,
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
      default: CLI_AGENT_DEFAULTS.poll_seconds,
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
} as const

export function parseCliAgentOptions(options: Record<string, unknown>): CliAgentOptions {
  return { ...CLI_AGENT_DEFAULTS, ...(options as Partial<CliAgentOptions>) }
}
