import { type AgentLimits, CooperbenchError, type OptionsOf, type OptionsSchema } from '@cooperbench/spec'
import { enforcedLimits, optionsDefaults } from '@cooperbench/spec-utils'

/** Model turns a CLI gets under `protocol: cooperbench` when nothing sets a step limit. */
export const DEFAULT_STEP_LIMIT = 100

/**
 * Options of every CLI agent (`agents.<name>` in the config file, `--agent-config`), declared
 * once: the registry validates against this schema, and the type and defaults derive from it.
 * `step_limit` and `wall_time_limit_seconds` default to null: the protocol's default (see
 * {@link resolveCliOptions}), so a limit the user sets is told apart from one nobody set.
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
    team_prompt_template: {
      type: ['string', 'null'],
      default: null,
      description:
        "With protocol: reference in the team setting, the reference's team block (JSON: lead, member, _TEAM_LIST_USAGE); relative to the working directory.",
    },
    step_limit: {
      type: ['integer', 'null'],
      minimum: 0,
      default: null,
      description: `Model turns before the CLI is stopped (LimitsExceeded); 0 = none (default ${DEFAULT_STEP_LIMIT}; none with protocol: reference).`,
    },
    cost_limit: {
      type: 'number',
      minimum: 0,
      default: 0,
      description: 'USD before the CLI is stopped (LimitsExceeded); 0 = none.',
    },
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

/** The options a run uses: every limit a number (0 = none), and the step and cost limits it enforces (the run's over the options'). */
export type ResolvedCliOptions = Omit<CliAgentOptions, 'step_limit' | 'wall_time_limit_seconds'> & {
  step_limit: number
  wall_time_limit_seconds: number
  limits: { steps: number; costUsd: number }
}

export const CLI_AGENT_DEFAULTS: CliAgentOptions = optionsDefaults(cliAgentOptionsSchema)

export function parseCliAgentOptions(options: Record<string, unknown>): CliAgentOptions {
  return { ...CLI_AGENT_DEFAULTS, ...(options as Partial<CliAgentOptions>) }
}

/**
 * The options one run uses: the run's `--step-limit` / `--cost-limit` win over the options; a
 * limit nobody set takes the protocol's default (cooperbench: {@link DEFAULT_STEP_LIMIT} turns,
 * no wall clock; reference: no step limit and the reference's wall clock, `referenceWallSeconds`).
 */
export function resolveCliOptions(options: Record<string, unknown>, limits: AgentLimits | undefined, referenceWallSeconds: number): ResolvedCliOptions {
  const parsed = parseCliAgentOptions(options)
  const reference = parsed.protocol === 'reference'
  const stepLimit = parsed.step_limit ?? (reference ? 0 : DEFAULT_STEP_LIMIT)
  return {
    ...parsed,
    step_limit: stepLimit,
    wall_time_limit_seconds: parsed.wall_time_limit_seconds ?? (reference ? referenceWallSeconds : 0),
    limits: enforcedLimits({ step_limit: stepLimit, cost_limit: parsed.cost_limit }, limits),
  }
}

/** `prompt_template` (and `team_prompt_template`) belong to `protocol: reference`, the first required there; anything else is a mistake said before the run. */
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
  if (options.protocol !== 'reference' && options.team_prompt_template !== null) {
    throw new CooperbenchError('CONFIG_INVALID', `${agent}: team_prompt_template is only read with protocol: reference`, {
      hint: 'Add protocol: reference (with prompt_template), or drop team_prompt_template',
    })
  }
  if (options.protocol !== 'reference' && options.prompt_template !== null) {
    throw new CooperbenchError('CONFIG_INVALID', `${agent}: prompt_template is only read with protocol: reference`, {
      hint: 'Add protocol: reference, or drop prompt_template',
    })
  }
}
