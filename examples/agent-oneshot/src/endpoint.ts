import { CooperbenchError } from '@cooperbench/spec'
import type { OneshotOptions } from './options.js'

/** Where the model is reached and as what. */
export interface ModelEndpoint {
  /** The id sent in the request body. */
  model: string
  /** Without a trailing slash; requests go to `${baseUrl}/chat/completions`. */
  baseUrl: string
  /** null: no Authorization header (only allowed for loopback URLs). */
  apiKey: string | null
}

/**
 * LiteLLM-style prefixes that only say "an OpenAI-compatible server"; the harness' `--model`
 * is written that way (`openai/gpt-4.1`, `hosted_vllm/Qwen…`), the server wants the bare id.
 */
const COMPATIBLE_PREFIXES = ['openai', 'openai_compatible', 'hosted_vllm', 'litellm_proxy', 'lm_studio', 'ollama', 'ollama_chat']

/**
 * The endpoint of a run: the `model` option (sent as-is) or the run's model (its
 * self-hosting prefix removed); the `baseUrl` option, else the run's `--model-base-url` (`ctx.modelBaseUrl`,
 * or the `model_base_url` option from hosts that only pass it that way); the key
 * from the variable named by `apiKeyEnv`. Throws CONFIG_INVALID naming what is missing and
 * how to set it, so `preflight` fails once instead of every pair.
 */
export function resolveEndpoint(runModel: string, options: OneshotOptions, env: NodeJS.ProcessEnv, runBaseUrl: string | null = null): ModelEndpoint {
  const model = options.model ?? stripCompatiblePrefix(runModel.trim())
  if (model === '') {
    throw new CooperbenchError('CONFIG_INVALID', 'agent oneshot: no model is configured', {
      hint: 'Pass --model <id>, or set agents.oneshot.model in the config file.',
    })
  }
  const configured = options.baseUrl ?? runBaseUrl ?? options.model_base_url
  if (configured === null || configured.trim() === '') {
    throw new CooperbenchError('CONFIG_INVALID', 'agent oneshot: no model base URL is configured', {
      hint: 'Pass --model-base-url <url> (e.g. https://api.openai.com/v1 or http://127.0.0.1:8000/v1), or set agents.oneshot.baseUrl.',
    })
  }
  const baseUrl = configured.trim().replace(/\/+$/, '')
  let url: URL
  try {
    url = new URL(baseUrl)
  } catch {
    throw new CooperbenchError('CONFIG_INVALID', `agent oneshot: the model base URL "${baseUrl}" is not a URL`, {
      hint: 'Write it as http(s)://host[:port]/path, e.g. http://127.0.0.1:8000/v1.',
    })
  }
  const key = env[options.apiKeyEnv]?.trim() || null
  if (key === null && !isLoopback(url)) {
    throw new CooperbenchError('CONFIG_INVALID', `agent oneshot: ${options.apiKeyEnv} is not set, and ${url.host} is not on this machine`, {
      hint: `Export ${options.apiKeyEnv}=<key> (or put it in .env), or name another variable with agents.oneshot.apiKeyEnv.`,
    })
  }
  return { model, baseUrl, apiKey: key }
}

/** A URL on this machine: a key is optional there (a local vLLM, Ollama or test server). */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host)
}

function stripCompatiblePrefix(model: string): string {
  const slash = model.indexOf('/')
  if (slash < 0) return model
  return COMPATIBLE_PREFIXES.includes(model.slice(0, slash).toLowerCase()) ? model.slice(slash + 1) : model
}
