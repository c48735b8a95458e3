import { CooperbenchError } from '@cooperbench/spec'

/** The client family a model is reached with. */
type ProviderKind = 'openai' | 'anthropic' | 'google' | 'vertex' | 'openrouter' | 'openai-compatible'

/** Where an OpenAI-compatible model is served and which variables configure it. */
interface CompatibleEndpoint {
  /** Provider name given to the AI SDK (it keys provider options and appears in its errors). */
  name: string
  /** Used when none of `baseUrlVariables` is set; `null`: a base URL must be configured. */
  defaultBaseUrl: string | null
  baseUrlVariables: string[]
  /** Appended to a configured base URL that does not end with it (Ollama's `/v1`). */
  pathSuffix?: string
  keyVariables: string[]
  /** Without a key: a CONFIG_INVALID error at creation when true, a dummy key when false. */
  keyRequired: boolean
}

/** A resolved model and how to reach it. */
export interface ModelRoute {
  provider: ProviderKind
  /** The id sent to the provider (the `provider/` prefix removed). */
  modelId: string
  /** The `@pydantic/genai-prices` provider id used for cost; `null`: no price (cost recorded as null). */
  priceProvider: string | null
  /** The id looked up in the price table when it is not `modelId` (a custom endpoint priced by the model's name). */
  priceModelId?: string
  /** The model string as given. */
  model: string
  /** The LiteLLM-style prefix that chose the route (`openai`, `hosted_vllm`…), null for a bare id. */
  prefix: string | null
  /** OpenAI-compatible routes: the endpoint; `baseUrl` given → that URL. */
  endpoint?: CompatibleEndpoint & { fixedBaseUrl?: string }
}

interface PrefixRoute {
  provider: ProviderKind
  priceProvider: string | null
  endpoint?: CompatibleEndpoint
}

const hosted = (name: string, baseUrl: string, keyVariables: string[], baseUrlVariables: string[] = []): CompatibleEndpoint => ({
  name,
  defaultBaseUrl: baseUrl,
  baseUrlVariables,
  keyVariables,
  keyRequired: true,
})

/** A local Ollama server (its OpenAI-compatible API). */
const OLLAMA: PrefixRoute = {
  provider: 'openai-compatible',
  priceProvider: null,
  endpoint: {
    name: 'ollama',
    defaultBaseUrl: 'http://localhost:11434/v1',
    baseUrlVariables: ['OLLAMA_API_BASE'],
    pathSuffix: '/v1',
    keyVariables: [],
    keyRequired: false,
  },
}

/**
 * `provider/` prefixes as LiteLLM spells them. Prefixes of self-hosted OpenAI-compatible
 * servers are removed from the id sent to the server even with an explicit base URL.
 */
const PREFIXES: Record<string, PrefixRoute> = {
  openai: { provider: 'openai', priceProvider: 'openai' },
  anthropic: { provider: 'anthropic', priceProvider: 'anthropic' },
  gemini: { provider: 'google', priceProvider: 'google' },
  vertex_ai: { provider: 'vertex', priceProvider: 'google' },
  openrouter: {
    provider: 'openrouter',
    priceProvider: 'openrouter',
    endpoint: hosted('openrouter', 'https://openrouter.ai/api/v1', ['OPENROUTER_API_KEY'], ['OPENROUTER_API_BASE', 'OPENROUTER_BASE_URL']),
  },
  deepseek: {
    provider: 'openai-compatible',
    priceProvider: 'deepseek',
    endpoint: hosted('deepseek', 'https://api.deepseek.com/v1', ['DEEPSEEK_API_KEY'], ['DEEPSEEK_API_BASE']),
  },
  xai: { provider: 'openai-compatible', priceProvider: 'x-ai', endpoint: hosted('xai', 'https://api.x.ai/v1', ['XAI_API_KEY'], ['XAI_API_BASE']) },
  groq: {
    provider: 'openai-compatible',
    priceProvider: 'groq',
    endpoint: hosted('groq', 'https://api.groq.com/openai/v1', ['GROQ_API_KEY'], ['GROQ_API_BASE']),
  },
  together_ai: {
    provider: 'openai-compatible',
    priceProvider: 'together',
    endpoint: hosted('together_ai', 'https://api.together.xyz/v1', ['TOGETHERAI_API_KEY', 'TOGETHER_API_KEY', 'TOGETHER_AI_API_KEY']),
  },
  fireworks_ai: {
    provider: 'openai-compatible',
    priceProvider: 'fireworks',
    endpoint: hosted('fireworks_ai', 'https://api.fireworks.ai/inference/v1', ['FIREWORKS_AI_API_KEY', 'FIREWORKS_API_KEY']),
  },
  mistral: {
    provider: 'openai-compatible',
    priceProvider: 'mistral',
    endpoint: hosted('mistral', 'https://api.mistral.ai/v1', ['MISTRAL_API_KEY'], ['MISTRAL_API_BASE']),
  },
  moonshot: {
    provider: 'openai-compatible',
    priceProvider: 'moonshotai',
    endpoint: hosted('moonshot', 'https://api.moonshot.ai/v1', ['MOONSHOT_API_KEY'], ['MOONSHOT_API_BASE']),
  },
  cerebras: { provider: 'openai-compatible', priceProvider: 'cerebras', endpoint: hosted('cerebras', 'https://api.cerebras.ai/v1', ['CEREBRAS_API_KEY']) },
  hosted_vllm: {
    provider: 'openai-compatible',
    priceProvider: null,
    endpoint: {
      name: 'hosted_vllm',
      defaultBaseUrl: null,
      baseUrlVariables: ['HOSTED_VLLM_API_BASE'],
      keyVariables: ['HOSTED_VLLM_API_KEY'],
      keyRequired: false,
    },
  },
  ollama: OLLAMA,
  /** LiteLLM's chat-endpoint prefix for Ollama: the same server, the same OpenAI-compatible route here. */
  ollama_chat: OLLAMA,
  lm_studio: {
    provider: 'openai-compatible',
    priceProvider: null,
    endpoint: {
      name: 'lm_studio',
      defaultBaseUrl: 'http://localhost:1234/v1',
      baseUrlVariables: ['LM_STUDIO_API_BASE'],
      keyVariables: ['LM_STUDIO_API_KEY'],
      keyRequired: false,
    },
  },
  litellm_proxy: {
    provider: 'openai-compatible',
    priceProvider: null,
    endpoint: {
      name: 'litellm_proxy',
      defaultBaseUrl: null,
      baseUrlVariables: ['LITELLM_PROXY_API_BASE'],
      keyVariables: ['LITELLM_PROXY_API_KEY'],
      keyRequired: false,
    },
  },
  openai_compatible: {
    provider: 'openai-compatible',
    priceProvider: null,
    endpoint: {
      name: 'openai_compatible',
      defaultBaseUrl: null,
      baseUrlVariables: ['OPENAI_BASE_URL', 'OPENAI_API_BASE'],
      keyVariables: ['OPENAI_API_KEY'],
      keyRequired: false,
    },
  },
}

/** Prefixes that only say "an OpenAI-compatible server": removed from the id sent to an explicit base URL. */
const COMPATIBLE_PREFIXES = new Set(['openai', 'openai_compatible', 'hosted_vllm', 'ollama', 'ollama_chat', 'lm_studio', 'litellm_proxy'])

/** Bare ids LiteLLM knows without a prefix. */
const BARE_IDS: Array<{ pattern: RegExp; prefix: string }> = [
  { pattern: /^(gpt-|chatgpt-|codex-|o[134](-|$)|ft:(gpt|o[134]))/i, prefix: 'openai' },
  { pattern: /^claude-/i, prefix: 'anthropic' },
  { pattern: /^gemini-/i, prefix: 'gemini' },
]

const fixHint = (model: string): string =>
  `Write the model as provider/model (${['openai', 'anthropic', 'gemini', 'vertex_ai', 'openrouter', 'hosted_vllm', 'ollama'].join('/, ')}/, …), e.g. openrouter/${model}, ` +
  'or pass --model-base-url <url> to send it to an OpenAI-compatible server (vLLM, Ollama, a LiteLLM proxy).'

function invalidModel(message: string, hint: string): CooperbenchError {
  return new CooperbenchError('CONFIG_INVALID', message, { hint })
}

/** `baseUrl` normalised: trimmed, `null` when empty. */
function normalizeBaseUrl(baseUrl: string | null | undefined): string | null {
  const trimmed = baseUrl?.trim()
  return trimmed === undefined || trimmed === '' ? null : trimmed.replace(/\/+$/, '')
}

/**
 * Which provider serves `model`, under which id, at which price and endpoint, the way LiteLLM users expect:
 * `provider/model` prefixes (`openai/`, `anthropic/`, `gemini/`, `vertex_ai/`, `openrouter/`,
 * `hosted_vllm/`, `ollama/`…), bare `gpt-*`/`o1*`/`o3*`/`o4*`/`chatgpt-*` (OpenAI), `claude-*`
 * (Anthropic), `gemini-*` (Gemini). With `baseUrl` any model goes to that OpenAI-compatible
 * server (self-hosting prefixes such as `hosted_vllm/` are removed; no price). Throws a
 * CONFIG_INVALID CooperbenchError naming the model and the fix otherwise.
 */
export function routeModel(model: string, baseUrl?: string | null, pricing: { byName?: boolean } = {}): ModelRoute {
  const trimmed = model.trim()
  if (trimmed === '') throw invalidModel('no model given', 'Pass --model provider/model, e.g. --model openai/gpt-4o.')
  const explicitBase = normalizeBaseUrl(baseUrl)
  const slash = trimmed.indexOf('/')
  const head = slash === -1 ? null : trimmed.slice(0, slash).toLowerCase()
  const known = head === null ? undefined : PREFIXES[head]

  if (explicitBase !== null) {
    const stripped = head !== null && COMPATIBLE_PREFIXES.has(head) ? trimmed.slice(slash + 1) : trimmed
    if (stripped === '') throw invalidModel(`model '${model}' names no model after '${head}/'`, fixHint('<model>'))
    const named = pricing.byName === true ? priceByName(trimmed, head) : null
    return {
      model,
      prefix: head !== null && COMPATIBLE_PREFIXES.has(head) ? head : null,
      provider: 'openai-compatible',
      modelId: stripped,
      priceProvider: named?.priceProvider ?? null,
      ...(named === null || named.modelId === stripped ? {} : { priceModelId: named.modelId }),
      endpoint: {
        name: 'openai-compatible',
        defaultBaseUrl: explicitBase,
        baseUrlVariables: [],
        keyVariables: ['OPENAI_API_KEY'],
        keyRequired: false,
        fixedBaseUrl: explicitBase,
      },
    }
  }

  if (head !== null && known !== undefined) {
    const modelId = trimmed.slice(slash + 1)
    if (modelId === '') throw invalidModel(`model '${model}' names no model after '${head}/'`, fixHint('<model>'))
    return {
      model,
      prefix: head,
      provider: known.provider,
      modelId,
      priceProvider: known.priceProvider,
      ...(known.endpoint === undefined ? {} : { endpoint: known.endpoint }),
    }
  }

  if (head === null) {
    const bare = BARE_IDS.find((entry) => entry.pattern.test(trimmed))
    if (bare !== undefined) {
      const route = PREFIXES[bare.prefix] as PrefixRoute
      return { model, prefix: null, provider: route.provider, modelId: trimmed, priceProvider: route.priceProvider }
    }
    throw invalidModel(`unknown model '${model}': cannot tell which provider serves it`, fixHint(model))
  }
  throw invalidModel(`unknown provider '${head}' in model '${model}'`, fixHint(model))
}

/**
 * The price the model's name alone gives, whatever server answers: LiteLLM's
 * `completion_cost(response, model=<the configured name>)`, which the reference's model client
 * calls (0.0.14), looks the name up by its provider prefix and ignores `api_base`. `openai/gpt-4o`
 * and bare `gpt-4o` get OpenAI's price; a self-hosting prefix (`hosted_vllm/`, `ollama/`…) or an
 * unknown name gets none.
 */
function priceByName(trimmed: string, head: string | null): { priceProvider: string; modelId: string } | null {
  if (head !== null) {
    const provider = PREFIXES[head]?.priceProvider ?? null
    return provider === null ? null : { priceProvider: provider, modelId: trimmed.slice(trimmed.indexOf('/') + 1) }
  }
  const bare = BARE_IDS.find((entry) => entry.pattern.test(trimmed))
  const provider = bare === undefined ? null : (PREFIXES[bare.prefix]?.priceProvider ?? null)
  return provider === null ? null : { priceProvider: provider, modelId: trimmed }
}
