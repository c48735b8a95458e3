import { MIN_SERVER_VERSION, TESTED_SERVER_VERSION } from './server-version.js'

/**
 * Options of agent `openhands_sdk` (`agents.openhands_sdk` in the config file, `--agent-config`),
 * validated against {@link openHandsOptionsSchema}. The run's limits (`ctx.limits`) win over
 * `step_limit` and `cost_limit`.
 */
export interface OpenHandsOptions {
  /** Agent iterations before the server stops the conversation (`max_iterations`); 0 = the server's default. */
  step_limit: number
  /** USD; the conversation is interrupted once the server's metrics pass it (0 = none). */
  cost_limit: number
  /**
   * The shell command that starts the agent server in the sandbox; `{port}` is replaced. The
   * server reads its session key from `SESSION_API_KEY`.
   */
  server_command: string
  /** Port of the server inside the sandbox; 0 picks one per agent (another one when the server cannot start on it). */
  port: number
  /** Seconds the server may take to answer `/ready`. */
  ready_timeout_seconds: number
  /**
   * Agent server version the `-oh` images are built from (`cooperbench images build --agent openhands`);
   * the bridge refuses a server older than {@link MIN_SERVER_VERSION} at start.
   */
  server_version: string
  /** Tools of the OpenHands agent, by their registered names. */
  tools: string[]
  /**
   * `llm_summarizing` (the default, as the reference's agents compact their context) with
   * `condenser_max_size` events kept before a summary, or `none`.
   */
  condenser: 'none' | 'llm_summarizing'
  condenser_max_size: number
  /** Appended to the agent's system prompt. */
  extra_system_prompt: string
  /** Seconds between status reads (the fallback when the event socket is quiet). */
  poll_seconds: number
}

export const OPENHANDS_DEFAULTS: OpenHandsOptions = {
  step_limit: 100,
  cost_limit: 0,
  server_command: '/usr/local/bin/openhands-agent-server --host 127.0.0.1 --port {port}',
  port: 0,
  ready_timeout_seconds: 120,
  server_version: TESTED_SERVER_VERSION,
  tools: ['terminal', 'file_editor', 'task_tracker'],
  condenser: 'llm_summarizing',
  condenser_max_size: 80,
  extra_system_prompt: '',
  poll_seconds: 5,
}

export const openHandsOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    step_limit: {
      type: 'integer',
      minimum: 0,
      default: OPENHANDS_DEFAULTS.step_limit,
      description: 'Agent iterations (max_iterations) before the server stops; 0 = its default (default 100).',
    },
    cost_limit: {
      type: 'number',
      minimum: 0,
      default: OPENHANDS_DEFAULTS.cost_limit,
      description: 'USD after which the conversation is interrupted (LimitsExceeded); 0 = none.',
    },
    server_command: {
      type: 'string',
      minLength: 1,
      pattern: '\\{port\\}',
      default: OPENHANDS_DEFAULTS.server_command,
      description: 'Command starting the agent server in the sandbox; {port} is replaced.',
    },
    port: {
      type: 'integer',
      minimum: 0,
      maximum: 65535,
      default: OPENHANDS_DEFAULTS.port,
      description: 'Server port inside the sandbox; 0 picks one per agent, and another one when the server cannot start on it.',
    },
    ready_timeout_seconds: {
      type: 'number',
      exclusiveMinimum: 0,
      default: OPENHANDS_DEFAULTS.ready_timeout_seconds,
      description: 'Seconds the server may take to become ready (default 120).',
    },
    server_version: {
      type: 'string',
      minLength: 1,
      default: OPENHANDS_DEFAULTS.server_version,
      description: `Agent server version the -oh task images are built from (${MIN_SERVER_VERSION} or later; default ${TESTED_SERVER_VERSION}).`,
    },
    tools: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: OPENHANDS_DEFAULTS.tools,
      description: 'Tools of the agent by registered name (default terminal, file_editor, task_tracker).',
    },
    condenser: {
      type: 'string',
      enum: ['none', 'llm_summarizing'],
      default: OPENHANDS_DEFAULTS.condenser,
      description: 'Context condenser (default llm_summarizing).',
    },
    // Upstream's LLMSummarizingCondenser needs max_size // 2 > keep_first (2) + 1: below 8 the server answers 422.
    condenser_max_size: {
      type: 'integer',
      minimum: 8,
      default: OPENHANDS_DEFAULTS.condenser_max_size,
      description: 'Events kept before the summarizing condenser summarizes (default 80).',
    },
    extra_system_prompt: { type: 'string', default: OPENHANDS_DEFAULTS.extra_system_prompt, description: "Text appended to the agent's system prompt." },
    poll_seconds: { type: 'number', exclusiveMinimum: 0, default: OPENHANDS_DEFAULTS.poll_seconds, description: 'Seconds between status reads (default 5).' },
  },
} as const

export function parseOpenHandsOptions(options: Record<string, unknown>): OpenHandsOptions {
  return { ...OPENHANDS_DEFAULTS, ...(options as Partial<OpenHandsOptions>) }
}
