import type { OptionsOf, OptionsSchema } from '@cooperbench/spec'
import { limitOptions, optionsDefaults } from '@cooperbench/spec-utils'
import type { CompleteRequest } from '../llm/index.js'

export const DEFAULT_SUMMARY_PROMPT =
  'Write a summary of the work above so that you can continue from it alone; the history it ' +
  'replaces will be removed. Cover: what the task asks for, what you learned about the code ' +
  '(files, functions, line numbers), every change you made and whether it is finished, commands ' +
  'that matter and what they showed, agreements with your teammate if you have one, and the next ' +
  'steps. Be complete and concrete; do not call any tool.'

/**
 * The settings of agent `mini_swe_agent` with their defaults, declared once: {@link MiniSweAgentOptions}, {@link DEFAULT_OPTIONS}
 * and the keys of each layer of {@link miniSweAgentOptionsSchema} (without defaults: they apply after merging) derive from it.
 */
const settingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...limitOptions('Model calls before LimitsExceeded', 'USD before LimitsExceeded, checked before each call'),
    wall_time_limit_seconds: {
      type: ['number', 'null'],
      exclusiveMinimum: 0,
      // setTimeout cannot wait longer than 2^31 ms (~24.8 days); a week is plenty.
      maximum: 604_800,
      default: null,
      description: 'Whole-agent wall clock before LimitsExceeded; null = none (the harness may still impose its own).',
    },
    command_timeout_seconds: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 3600,
      description:
        "Per-command timeout: the model sees return code -1 and the partial output; default 3600 (reference_version 0.0.25 on: 300, and a timed-out command shows 124 and upstream's notice).",
    },
    observation_max_chars: {
      type: 'integer',
      minimum: 100,
      default: 10_000,
      description: 'Longer command output is shown as first half + elided count + last half.',
    },
    format_error_limit: {
      type: 'integer',
      minimum: 0,
      default: 0,
      description: 'Consecutive replies without a usable bash tool call before LimitsExceeded; 0 = no limit.',
    },
    compaction: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'Summarise older turns when the prompt grows past trigger_tokens.',
      properties: {
        enabled: { type: 'boolean', default: true, description: 'Whether older turns are summarised.' },
        trigger_tokens: {
          type: 'integer',
          minimum: 1,
          default: 28_000,
          description: "Compact before a call when the previous call's prompt had at least this many input tokens.",
        },
        keep_last: { type: 'integer', minimum: 0, default: 2, description: 'Assistant turns (each with its observations) kept verbatim.' },
        summary_prompt: {
          type: 'string',
          minLength: 1,
          default: DEFAULT_SUMMARY_PROMPT,
          description: 'Instruction of the summarising call (default: asks for a summary complete enough to continue from).',
        },
      },
    },
    model: {
      type: 'object',
      additionalProperties: false,
      default: {},
      description: 'How the model is called.',
      properties: {
        base_url: {
          type: ['string', 'null'],
          minLength: 1,
          default: null,
          description: 'OpenAI-compatible endpoint (vLLM, a proxy); null = the provider default.',
        },
        temperature: { type: ['number', 'null'], minimum: 0, maximum: 2, default: null, description: 'null = the provider default.' },
        max_output_tokens: { type: ['integer', 'null'], minimum: 1, default: null, description: 'null = the provider default.' },
        timeout_seconds: { type: 'number', exclusiveMinimum: 0, default: 300, description: 'Per-call timeout.' },
        max_retries: { type: 'integer', minimum: 0, default: 10, description: 'Retries of transient failures before the agent ends with Error.' },
        capture_token_ids: {
          type: 'boolean',
          default: false,
          description:
            "Upstream 0.0.20: ask an OpenAI-compatible server (vLLM >= 0.10.2, SGLang) for the token ids it used (`return_token_ids`) and keep them as each model reply's extra.token_capture; none returned: a warning, nothing stored.",
        },
      },
    },
  },
} as const satisfies OptionsSchema

/** The options of agent `mini_swe_agent` an agent runs with: every default filled in. */
export type MiniSweAgentOptions = OptionsOf<typeof settingsSchema>

export const DEFAULT_OPTIONS: MiniSweAgentOptions = optionsDefaults(settingsSchema)

/** The reference's `model:` settings (read by reference/config.ts when the options carry its templates). */
const REFERENCE_MODEL_KEYS = {
  observation_template: { type: 'string', description: 'Reference format: Jinja2 template of each command result.' },
  format_error_template: { type: 'string', description: 'Reference format: Jinja2 template of the answer to an unusable reply.' },
  model_kwargs: { type: 'object', description: 'Reference format: request parameters (temperature, top_p, max_tokens, seed, stop, …).' },
  cost_tracking: { enum: ['default', 'ignore_errors'], description: 'Reference format: "default" makes a call without a known price an error.' },
  litellm_model_registry: { type: ['string', 'null'], description: 'Reference format: refused (prices come from our table).' },
  set_cache_control: { type: ['string', 'null'], description: 'Reference format: refused unless null.' },
  multimodal_regex: { type: 'string', description: 'Reference format: refused unless empty.' },
  model_name: { type: 'string', description: 'Reference format: refused (use --model).' },
} as const

/** The reference's `agent:` settings that only its format has. */
const REFERENCE_AGENT_KEYS = {
  system_template: { type: 'string', description: 'Reference format: Jinja2 template of the system message.' },
  instance_template: { type: 'string', description: 'Reference format: Jinja2 template of the task message.' },
  mode: { type: 'string', description: 'Reference format: accepted, without effect (its agent ignores it too).' },
  output_path: { type: ['string', 'null'], description: 'Reference format: accepted, without effect (the harness writes trajectories).' },
} as const

/** The reference's `environment:` block: `env` is used, its other keys (which its adapter ignores, `forward_env` too) accepted. */
const REFERENCE_ENVIRONMENT = {
  type: 'object',
  description: "Reference format: environment.env is set on every command; its other keys have no effect, as in the reference's adapter.",
  properties: {
    env: { type: 'object', additionalProperties: { type: 'string' } },
    forward_env: { type: 'array', items: { type: 'string' } },
  },
} as const

/** Our keys of one settings block: without their defaults, which a layer must not carry (see {@link undefaulted}). */
const ourKeys = undefaulted(settingsSchema.properties)

/** The keys one settings block may hold: ours, plus the reference's names. */
const settingsProperties = {
  ...ourKeys,
  model: {
    ...ourKeys.model,
    description: "How the model is called: our keys, and the reference's model settings (docs/reproducing-the-paper.md).",
    properties: { ...ourKeys.model.properties, ...REFERENCE_MODEL_KEYS },
  },
  model_base_url: { type: ['string', 'null'], minLength: 1, description: 'Same as model.base_url (what --model-base-url sets).' },
  compaction_enabled: { type: 'boolean', description: 'Reference name of compaction.enabled.' },
  compaction_token_trigger: { type: 'integer', minimum: 1, description: 'Reference name of compaction.trigger_tokens.' },
  compaction_keep_recent_turns: { type: 'integer', minimum: 0, description: 'Reference name of compaction.keep_last.' },
  compaction_summary_prompt: { type: 'string', minLength: 1, description: 'Reference name of compaction.summary_prompt.' },
} as const

type Undefaulted<P> = {
  [K in keyof P]: P[K] extends { readonly properties: infer N } ? Omit<P[K], 'default' | 'properties'> & { properties: Undefaulted<N> } : Omit<P[K], 'default'>
}

/**
 * Properties without `default`s (the host fills them in, so in a layer a flat key's default would hide the `agent:` block's);
 * a scalar default goes in the description (the user guide's table) unless it says it in words.
 */
function undefaulted<P extends Readonly<Record<string, Readonly<Record<string, unknown>>>>>(properties: P): Undefaulted<P> {
  const entries = Object.entries(properties).map(([key, { default: value, ...property }]) => {
    const nested = property['properties'] as P | undefined
    const description = String(property['description'] ?? '')
    const told = value === undefined || (typeof value === 'object' && value !== null) || /\bdefault\b/.test(description)
    return [
      key,
      {
        ...property,
        ...(told ? {} : { description: `${description} Default: ${JSON.stringify(value)}.` }),
        ...(nested ? { properties: undefaulted(nested) } : {}),
      },
    ]
  })
  return Object.fromEntries(entries) as Undefaulted<P>
}

/** One layer of options: flat keys, and the reference's `agent:` block holding the same keys. */
const layerSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...settingsProperties,
    agent: {
      type: 'object',
      additionalProperties: false,
      description: "The reference's nesting ({agent: {step_limit, cost_limit, compaction_enabled, ...}}); flat keys win over it.",
      properties: { ...settingsProperties, ...REFERENCE_AGENT_KEYS },
    },
    environment: REFERENCE_ENVIRONMENT,
    reference_version: {
      type: 'string',
      description:
        "Reference format: the upstream release followed. A patch.txt file: 0.0.14 (its default) or 0.0.22 (0.0.22's messaging: sends to an exited colleague refused, a waiting --wait, exit notices; patch.txt published to team/<agent> at exit). A file submitting through `gh pr create` (required then): 0.0.23 (the pull request's branch judged, remote origin, gh shim), 0.0.24 (its five fixes), 0.0.25 or 0.0.26 (also a 300 s command timeout and its message), 0.0.27 (also a malformed send_message answered with a parse error, a waiting sender's message marked BLOCKED), 0.0.28 (also cargo's and go's directories first on every command's PATH); 0.0.12 or 0.0.13 for those files (docs/reproducing-the-paper.md).",
    },
  },
} as const

/**
 * JSON schema of agent `mini_swe_agent`'s options: flat keys, the reference's `{agent: {...}}` nesting and a top-level
 * `config:` block holding either; no defaults ({@link parseOptions} applies them after merging the layers).
 */
export const miniSweAgentOptionsSchema = {
  ...layerSchema,
  properties: {
    ...layerSchema.properties,
    config: { ...layerSchema, description: "The reference's `config:` block of an agent-config file; keys outside it win." },
  },
} as const satisfies Record<string, unknown>

type Raw = Record<string, unknown>

/**
 * Layers options over `base` (the defaults, or the agent's own): the `config:` block, then the rest; in each the `agent:`
 * block, then flat keys. `step_limit`/`cost_limit` reach the loop through the harness (`ownLimits`, then `ctx.limits`).
 * No validation: the host checks against {@link miniSweAgentOptionsSchema} first; other callers must pass fitting options.
 */
export function parseOptions(raw: unknown, base: MiniSweAgentOptions = DEFAULT_OPTIONS): MiniSweAgentOptions {
  const options = structuredClone(base)
  for (const layer of optionLayers(raw)) {
    applySettings(options, layer['agent'] as Raw | undefined)
    applySettings(options, layer)
  }
  return options
}

/** The layers of options, in the order they apply: the `config:` block, then the rest. */
export function optionLayers(raw: unknown): Raw[] {
  const input = (raw ?? {}) as Raw
  const block = input['config']
  return [...(block && typeof block === 'object' ? [block as Raw] : []), input]
}

const FLAT_KEYS = ['step_limit', 'cost_limit', 'wall_time_limit_seconds', 'command_timeout_seconds', 'observation_max_chars', 'format_error_limit'] as const

const REFERENCE_COMPACTION_KEYS = {
  compaction_enabled: 'enabled',
  compaction_token_trigger: 'trigger_tokens',
  compaction_keep_recent_turns: 'keep_last',
  compaction_summary_prompt: 'summary_prompt',
} as const

/** Copies the keys a validated settings block sets (undefined = not set) into `options`. */
function applySettings(options: MiniSweAgentOptions, settings: Raw | undefined): void {
  if (!settings) return
  const target = options as unknown as Raw
  for (const key of FLAT_KEYS) if (settings[key] !== undefined) target[key] = settings[key]
  Object.assign(options.compaction, definedOnly(settings['compaction']))
  for (const [reference, ours] of Object.entries(REFERENCE_COMPACTION_KEYS)) {
    if (settings[reference] !== undefined) (options.compaction as unknown as Raw)[ours] = settings[reference]
  }
  const model = definedOnly(settings['model'])
  for (const key of Object.keys(model)) if (!(key in DEFAULT_OPTIONS.model)) delete model[key]
  Object.assign(options.model, model)
  if (settings['model_base_url'] !== undefined) options.model.base_url = settings['model_base_url'] as string | null
}

function definedOnly(value: unknown): Raw {
  if (!value || typeof value !== 'object') return {}
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined))
}

/** Our temperature and output cap as request settings (null: the provider's default). */
export function callOptions(options: MiniSweAgentOptions): Partial<CompleteRequest> {
  const { temperature, max_output_tokens } = options.model
  return {
    ...(temperature === null ? {} : { temperature }),
    ...(max_output_tokens === null ? {} : { maxOutputTokens: max_output_tokens }),
  }
}
