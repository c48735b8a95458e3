import type { AgentLimits, OptionsOf, OptionsSchema } from '@cooperbench/spec'
import { optionsDefaults } from '@cooperbench/spec-utils'

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
    step_limit: { type: 'integer', minimum: 0, description: "Caps attempts when positive; the run's --step-limit wins; absent: attempts." },
    cost_limit: { type: 'number', minimum: 0, description: "USD after which no further call is made; 0 = none; the run's --cost-limit wins; absent: none." },
  },
} as const satisfies OptionsSchema

/** The options of agent `oneshot`, with every default filled in (each key's meaning is its schema `description`). */
export type OneshotOptions = OptionsOf<typeof oneshotOptionsSchema>

/**
 * `raw` over the schema's defaults. It does not validate: the host checks the options against
 * {@link oneshotOptionsSchema} before `create`, `preflight` and `run` (CONFIG_INVALID naming
 * every bad key, `agents.oneshot.attempts: must be >= 1`); this fills in what a caller outside
 * the host, or a run's `ctx.options` layered over the creation options, leaves out.
 */
export function withOneshotDefaults(raw: Record<string, unknown> = {}): OneshotOptions {
  return { ...optionsDefaults(oneshotOptionsSchema), ...raw } as OneshotOptions
}

/**
 * The limits its options ask for (the registration's `ownLimits`): `step_limit`, else `attempts`
 * (its model calls at most, which also bounds the harness's wall clock on it); `cost_limit`, else none.
 */
export function oneshotOwnLimits(raw: Record<string, unknown>): Partial<Pick<AgentLimits, 'steps' | 'costUsd'>> {
  const options = withOneshotDefaults(raw)
  return { steps: options.step_limit ?? options.attempts, costUsd: options.cost_limit ?? 0 }
}

/** The model calls a run may make: `attempts`, capped by the step limit it enforces (0 = none). */
export function callBudget(options: OneshotOptions, stepLimit: number): number {
  return stepLimit > 0 ? Math.min(options.attempts, stepLimit) : options.attempts
}
