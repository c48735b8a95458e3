import { validatePluginOptions } from '@cooperbench/core'

/** The options of agent `oneshot`, with every default filled in. */
export interface OneshotOptions {
  /** Model id sent as-is to the endpoint; null = the run's `--model` (self-hosting prefixes such as `openai/` removed). */
  model: string | null
  /** OpenAI-compatible base URL (…/v1); null = the run's `--model-base-url`. */
  baseUrl: string | null
  /** Name of the environment variable holding the bearer key. */
  apiKeyEnv: string
  /** `max_tokens` of each request; null = the server's default. */
  maxTokens: number | null
  /** null = the server's default (some reasoning models accept no other). */
  temperature: number | null
  /** Model calls at most: the first diff, then one retry per diff that did not apply. */
  attempts: number
  /** Bytes of repository context (file list and file contents) put in the prompt. */
  contextBytes: number
  /** Per-request timeout in milliseconds. */
  requestTimeoutMs: number
  /** USD per prompt token; with `outputCostPerToken` it makes the cost known. */
  inputCostPerToken: number | null
  /** USD per completion token. */
  outputCostPerToken: number | null
  /** What the harness sets from `--model-base-url`; `baseUrl` wins over it. */
  model_base_url: string | null
  /** Caps `attempts` when positive; the run's `--step-limit` (`ctx.limits.steps`) wins over it. */
  step_limit: number
  /** USD: no further call once reached (needs known prices); 0 = none. The run's `--cost-limit` wins over it. */
  cost_limit: number
}

/**
 * JSON schema of the options of agent `oneshot` (the config file's `agents.oneshot`, the
 * `--agent-config` file). The registry validates against it before the agent is created and
 * fills in the defaults. `model_base_url` is set by the harness from `--model-base-url`, so a
 * strict schema must know it; the run's limits come in `ctx.limits`, not as options.
 */
export const oneshotOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    model: { type: ['string', 'null'], minLength: 1, default: null, description: 'Model id sent to the endpoint as-is; null = the run model (--model).' },
    baseUrl: {
      type: ['string', 'null'],
      pattern: '^https?://',
      default: null,
      description: 'OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1; null = --model-base-url.',
    },
    apiKeyEnv: {
      type: 'string',
      pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      default: 'OPENAI_API_KEY',
      description: 'Environment variable holding the API key; optional for loopback base URLs.',
    },
    maxTokens: { type: ['integer', 'null'], minimum: 1, default: null, description: 'max_tokens of each request; null = the server default.' },
    temperature: { type: ['number', 'null'], minimum: 0, maximum: 2, default: null, description: 'Sampling temperature; null = the server default.' },
    attempts: {
      type: 'integer',
      minimum: 1,
      maximum: 20,
      default: 3,
      description: 'Model calls at most: the first diff plus retries after a diff that did not apply.',
    },
    contextBytes: { type: 'integer', minimum: 1000, default: 100_000, description: 'Bytes of repository context (file list and contents) in the prompt.' },
    requestTimeoutMs: { type: 'integer', minimum: 1000, default: 300_000, description: 'Timeout of each model request in milliseconds.' },
    inputCostPerToken: { type: ['number', 'null'], minimum: 0, default: null, description: 'USD per prompt token; cost is recorded only with both prices.' },
    outputCostPerToken: { type: ['number', 'null'], minimum: 0, default: null, description: 'USD per completion token.' },
    model_base_url: { type: ['string', 'null'], pattern: '^https?://', default: null, description: 'Set by the harness from --model-base-url.' },
    step_limit: { type: 'integer', minimum: 0, default: 0, description: "Caps attempts when positive; the run's --step-limit wins." },
    cost_limit: { type: 'number', minimum: 0, default: 0, description: "USD after which no further call is made; 0 = none; the run's --cost-limit wins." },
  },
} as const satisfies Record<string, unknown>

/**
 * Validates raw options against {@link oneshotOptionsSchema} and fills in the defaults.
 * Throws CONFIG_INVALID naming every bad key (`agents.oneshot.attempts: must be >= 1`).
 */
export function parseOneshotOptions(raw: Record<string, unknown> = {}): OneshotOptions {
  return validatePluginOptions('agent', 'oneshot', oneshotOptionsSchema, raw) as unknown as OneshotOptions
}

/** The model calls a run may make: `attempts`, capped by the harness' step limit. */
export function callBudget(options: OneshotOptions): number {
  return options.step_limit > 0 ? Math.min(options.attempts, options.step_limit) : options.attempts
}
