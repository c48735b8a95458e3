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

/** A hosted OpenAI-compatible service: priced, its key required, its URL known. */
function hosted(name: string, priceProvider: string, baseUrl: string, keyVariables: string[], baseUrlVariables: string[] = []): PrefixRoute {
  return { provider: 'openai-compatible', priceProvider, endpoint: { name, defaultBaseUrl: baseUrl, baseUrlVariables, keyVariables, keyRequired: true } }
}

/** A self-hosted OpenAI-compatible server: no price, no key needed; `baseUrl` null: it must be configured. */
function selfHosted(name: string, baseUrl: string | null, baseUrlVariables: string[], keyVariables: string[], pathSuffix?: string): PrefixRoute {
  const endpoint = { name, defaultBaseUrl: baseUrl, baseUrlVariables, keyVariables, keyRequired: false }
  return { provider: 'openai-compatible', priceProvider: null, endpoint: pathSuffix === undefined ? endpoint : { ...endpoint, pathSuffix } }
}

/** A local Ollama server (its OpenAI-compatible API). */
const OLLAMA = selfHosted('ollama', 'http://localhost:11434/v1', ['OLLAMA_API_BASE'], [], '/v1')

/** `provider/` prefixes as LiteLLM spells them; a self-hosted server's prefix is removed from the id sent, even with an explicit base URL. */
const PREFIXES: Record<string, PrefixRoute> = {
  openai: { provider: 'openai', priceProvider: 'openai' },
  anthropic: { provider: 'anthropic', priceProvider: 'anthropic' },
  gemini: { provider: 'google', priceProvider: 'google' },
  vertex_ai: { provider: 'vertex', priceProvider: 'google' },
  openrouter: {
    ...hosted('openrouter', 'openrouter', 'https://openrouter.ai/api/v1', ['OPENROUTER_API_KEY'], ['OPENROUTER_API_BASE', 'OPENROUTER_BASE_URL']),
    provider: 'openrouter',
  },
  deepseek: hosted('deepseek', 'deepseek', 'https://api.deepseek.com/v1', ['DEEPSEEK_API_KEY'], ['DEEPSEEK_API_BASE']),
  xai: hosted('xai', 'x-ai', 'https://api.x.ai/v1', ['XAI_API_KEY'], ['XAI_API_BASE']),
  groq: hosted('groq', 'groq', 'https://api.groq.com/openai/v1', ['GROQ_API_KEY'], ['GROQ_API_BASE']),
  together_ai: hosted('together_ai', 'together', 'https://api.together.xyz/v1', ['TOGETHERAI_API_KEY', 'TOGETHER_API_KEY', 'TOGETHER_AI_API_KEY']),
  fireworks_ai: hosted('fireworks_ai', 'fireworks', 'https://api.fireworks.ai/inference/v1', ['FIREWORKS_AI_API_KEY', 'FIREWORKS_API_KEY']),
  mistral: hosted('mistral', 'mistral', 'https://api.mistral.ai/v1', ['MISTRAL_API_KEY'], ['MISTRAL_API_BASE']),
  moonshot: hosted('moonshot', 'moonshotai', 'https://api.moonshot.ai/v1', ['MOONSHOT_API_KEY'], ['MOONSHOT_API_BASE']),
  cerebras: hosted('cerebras', 'cerebras', 'https://api.cerebras.ai/v1', ['CEREBRAS_API_KEY']),
  hosted_vllm: selfHosted('hosted_vllm', null, ['HOSTED_VLLM_API_BASE'], ['HOSTED_VLLM_API_KEY']),
  ollama: OLLAMA,
  /** LiteLLM's chat-endpoint prefix for Ollama: the same server, the same OpenAI-compatible route here. */
  ollama_chat: OLLAMA,
  lm_studio: selfHosted('lm_studio', 'http://localhost:1234/v1', ['LM_STUDIO_API_BASE'], ['LM_STUDIO_API_KEY']),
  litellm_proxy: selfHosted('litellm_proxy', null, ['LITELLM_PROXY_API_BASE'], ['LITELLM_PROXY_API_KEY']),
  openai_compatible: selfHosted('openai_compatible', null, ['OPENAI_BASE_URL', 'OPENAI_API_BASE'], ['OPENAI_API_KEY']),
}

/** Prefixes that only say "an OpenAI-compatible server": removed from the id sent to an explicit base URL. */
const COMPATIBLE_PREFIXES = new Set(['openai', 'openai_compatible', 'hosted_vllm', 'ollama', 'ollama_chat', 'lm_studio', 'litellm_proxy'])

/** Bare ids LiteLLM knows without a prefix. */
const BARE_IDS: Array<{ pattern: RegExp; prefix: string }> = [
  { pattern: /^(gpt-|chatgpt-|codex-|o[134](-|$)|ft:(gpt|o[134]))/i, prefix: 'openai' },
  { pattern: /^claude-/i, prefix: 'anthropic' },
  { pattern: /^gemini-/i, prefix: 'gemini' },
]

/** The fix for a model no route serves; the example puts a provider before `model` (a bare id's own, when it has one). */
const fixHint = (model: string): string =>
  `Write the model as provider/model (${['openai', 'anthropic', 'gemini', 'vertex_ai', 'openrouter', 'hosted_vllm', 'ollama'].join('/, ')}/, …), ` +
  `e.g. ${BARE_IDS.find((entry) => entry.pattern.test(model))?.prefix ?? 'openrouter'}/${model}, ` +
  'or pass --model-base-url <url> to send it to an OpenAI-compatible server (vLLM, Ollama, a LiteLLM proxy).'

function invalidModel(message: string, hint: string): CooperbenchError {
  return new CooperbenchError('CONFIG_INVALID', message, { hint })
}

/**
 * Which provider serves `model`, under which id, price and endpoint, as LiteLLM users expect: `provider/model` prefixes,
 * or bare ids LiteLLM knows (`gpt-*`, `claude-*`, `gemini-*`…). With `baseUrl` any model goes to that OpenAI-compatible
 * server (self-hosting prefixes removed, no price); else an unknown model is CONFIG_INVALID naming the fix.
 *
 * With `baseUrl` and `pricing.byName`, the model is priced by its name alone, as LiteLLM's `completion_cost(response,
 * model=<name>)` in the reference's client (0.0.14) does, ignoring `api_base`: `openai/gpt-4o` and `gpt-4o` get OpenAI's
 * price, a self-hosting prefix or an unknown name none.
 */
export function routeModel(model: string, baseUrl?: string | null, pricing: { byName?: boolean } = {}): ModelRoute {
  const trimmed = model.trim()
  if (trimmed === '') throw invalidModel('no model given', 'Pass --model provider/model, e.g. --model openai/gpt-4o.')
  const slash = trimmed.indexOf('/')
  const head = slash === -1 ? null : trimmed.slice(0, slash).toLowerCase()
  const named = head === null ? PREFIXES[BARE_IDS.find((entry) => entry.pattern.test(trimmed))?.prefix ?? ''] : PREFIXES[head]
  const namedId = trimmed.slice(slash + 1)
  const nonEmpty = (id: string) => {
    if (id === '') throw invalidModel(`model '${model}' names no model after '${head}/'`, fixHint('<model>'))
    return id
  }

  if (baseUrl?.trim()) {
    const explicitBase = baseUrl.trim().replace(/\/+$/, '')
    const compatible = head !== null && COMPATIBLE_PREFIXES.has(head)
    const modelId = compatible ? nonEmpty(namedId) : trimmed
    const priceProvider = pricing.byName === true ? (named?.priceProvider ?? null) : null
    return {
      model,
      prefix: compatible ? head : null,
      provider: 'openai-compatible',
      modelId,
      priceProvider,
      ...(priceProvider === null || namedId === modelId ? {} : { priceModelId: namedId }),
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

  if (named === undefined) {
    if (head === null) throw invalidModel(`unknown model '${model}': cannot tell which provider serves it`, fixHint(model))
    if (head === '') throw invalidModel(`model '${model}' names no provider before '/'`, fixHint(trimmed.replace(/^\/+/, '')))
    throw invalidModel(`unknown provider '${head}' in model '${model}'`, fixHint(model))
  }
  return {
    model,
    prefix: head,
    provider: named.provider,
    modelId: nonEmpty(namedId),
    priceProvider: named.priceProvider,
    ...(named.endpoint === undefined ? {} : { endpoint: named.endpoint }),
  }
}
