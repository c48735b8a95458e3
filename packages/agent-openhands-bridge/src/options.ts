import type { OptionsOf, OptionsSchema } from '@cooperbench/spec'
import { limitOptions, optionsDefaults } from '@cooperbench/spec-utils'
import { MIN_SERVER_VERSION, TESTED_SERVER_VERSION } from './server-version.js'

/** Options of agent `openhands_sdk`; `step_limit` and `cost_limit` reach it through the harness (`ownLimits`, then `ctx.limits`): a run's own win. */
export const openHandsOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...limitOptions(
      'Agent iterations (max_iterations) before the server stops (0: its own default)',
      'USD after which the conversation is interrupted (LimitsExceeded; none by default)',
    ),
    server_command: {
      type: 'string',
      minLength: 1,
      pattern: '\\{port\\}',
      default: '/usr/local/bin/openhands-agent-server --host 127.0.0.1 --port {port}',
      description: 'Command starting the agent server in the sandbox; {port} is replaced.',
    },
    port: {
      type: 'integer',
      minimum: 0,
      maximum: 65535,
      default: 0,
      description: 'Server port inside the sandbox; 0 picks one per agent, and another one when the server cannot start on it.',
    },
    ready_timeout_seconds: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 120,
      description: 'Seconds the server may take to become ready.',
    },
    server_version: {
      type: 'string',
      minLength: 1,
      default: TESTED_SERVER_VERSION,
      description: `Agent server version the -oh task images are built from (${MIN_SERVER_VERSION} or later).`,
    },
    tools: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: ['terminal', 'file_editor', 'task_tracker'],
      description: 'Tools of the agent by registered name.',
    },
    condenser: {
      type: 'string',
      enum: ['none', 'llm_summarizing'],
      default: 'llm_summarizing',
      description: "Context condenser: llm_summarizing (as the reference's agents compact their context) or none.",
    },
    // Upstream's LLMSummarizingCondenser needs max_size // 2 > keep_first (2) + 1: below 8 the server answers 422.
    condenser_max_size: {
      type: 'integer',
      minimum: 8,
      default: 80,
      description: 'Events kept before the summarizing condenser summarizes.',
    },
    extra_system_prompt: { type: 'string', default: '', description: "Text appended to the agent's system prompt." },
    poll_seconds: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 5,
      description: 'Seconds between status reads (the fallback when the event socket is quiet).',
    },
  },
} as const satisfies OptionsSchema

/** The options of agent `openhands_sdk` as the registry hands them over, defaults filled in. */
export type OpenHandsOptions = OptionsOf<typeof openHandsOptionsSchema>

export const OPENHANDS_DEFAULTS: OpenHandsOptions = optionsDefaults(openHandsOptionsSchema)

/** `options` over the defaults: what code outside the host (the image layer, a test) reads. */
export function parseOpenHandsOptions(options: Record<string, unknown>): OpenHandsOptions {
  return { ...OPENHANDS_DEFAULTS, ...(options as Partial<OpenHandsOptions>) }
}
