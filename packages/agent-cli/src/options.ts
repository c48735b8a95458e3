import { type AgentLimits, CooperbenchError, type OptionsOf, type OptionsSchema } from '@cooperbench/spec'
import { limitOptions, limitsOfOptions, optionsDefaults } from '@cooperbench/spec-utils'

/**
 * Options of every CLI agent, declared once (type and defaults derive from it). Absent `step_limit` and `cost_limit` take
 * the protocol's ({@link cliOwnLimits}); `wall_time_limit_seconds` null too ({@link resolveCliOptions}).
 */
export const cliAgentOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    protocol: {
      enum: ['cooperbench', 'reference'],
      default: 'cooperbench',
      description:
        'cooperbench (default): our prompt, the harness takes the diff. reference (claude_code only): the reference harness’s flags, ' +
        'environment and limits, your prompt_template, and the patch the CLI writes to /workspace/repo/patch.txt.',
    },
    prompt_template: {
      type: ['string', 'null'],
      default: null,
      description: 'With protocol: reference, the prompt template file (JSON: submission, coop, git); relative to the working directory.',
    },
    ...limitOptions(
      'Model turns before the CLI is stopped (LimitsExceeded; none by default with protocol: reference)',
      'USD before the CLI is stopped (LimitsExceeded; none by default)',
    ),
    wall_time_limit_seconds: {
      type: ['number', 'null'],
      minimum: 0,
      default: null,
      description: 'Seconds before the harness kills the CLI (LimitsExceeded); 0 = none (default none; the reference’s 7200 with protocol: reference).',
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

/** The options of a CLI agent as configured, its schema's defaults filled in. */
export type CliAgentOptions = OptionsOf<typeof cliAgentOptionsSchema>

/** The options a run uses: the wall clock a number (0 = none). */
export type ResolvedCliOptions = Omit<CliAgentOptions, 'wall_time_limit_seconds'> & { wall_time_limit_seconds: number }

export const CLI_AGENT_DEFAULTS: CliAgentOptions = optionsDefaults(cliAgentOptionsSchema)

export function parseCliAgentOptions(options: Record<string, unknown>): CliAgentOptions {
  return { ...CLI_AGENT_DEFAULTS, ...(options as Partial<CliAgentOptions>) }
}

/** The options one run uses: a wall clock nobody set takes the protocol's (cooperbench: none; reference: `referenceWallSeconds`). */
export function resolveCliOptions(options: Record<string, unknown>, referenceWallSeconds: number): ResolvedCliOptions {
  const parsed = parseCliAgentOptions(options)
  const reference = parsed.protocol === 'reference'
  return { ...parsed, wall_time_limit_seconds: parsed.wall_time_limit_seconds ?? (reference ? referenceWallSeconds : 0) }
}

/** The registration's `ownLimits`: the options' where set; else no cost limit, and under `protocol: reference` no step limit (as there). */
export function cliOwnLimits(options: Record<string, unknown>): Partial<Pick<AgentLimits, 'steps' | 'costUsd'>> {
  const parsed = parseCliAgentOptions(options)
  return { ...(parsed.protocol === 'reference' ? { steps: 0 } : {}), costUsd: 0, ...limitsOfOptions(parsed) }
}

/** `prompt_template` belongs to `protocol: reference` and is required there; anything else is a mistake said before the run. */
export function checkProtocolOptions(agent: string, options: CliAgentOptions, supportsReference: boolean): void {
  if (options.protocol === 'reference' && !supportsReference) {
    throw new CooperbenchError('CONFIG_INVALID', `${agent} has no reference protocol (protocol: reference is claude_code's)`, {
      hint: `Drop agents.${agent}.protocol, or run -a claude_code`,
    })
  }
  if (options.protocol === 'reference' && options.prompt_template === null) {
    throw new CooperbenchError('CONFIG_INVALID', `${agent} with protocol: reference needs prompt_template (the prompt file you extracted)`, {
      hint: 'Set agents.claude_code.prompt_template: ./claude-code-prompt.json (see "claude_code, the reference\'s way" in the user guide)',
    })
  }
  if (options.protocol !== 'reference' && options.prompt_template !== null) {
    throw new CooperbenchError('CONFIG_INVALID', `${agent}: prompt_template is only read with protocol: reference`, {
      hint: 'Add protocol: reference, or drop prompt_template',
    })
  }
}
