import { CooperbenchError } from '@cooperbench/spec'
import type { ModelRoute } from './routing.js'

/** What the AI SDK client is built from, after reading the environment. */
export type ClientSettings =
  | { client: 'openai-responses' | 'openai-chat'; modelId: string; apiKey: string; baseUrl: string; keyVariable: string | null }
  | { client: 'anthropic'; modelId: string; apiKey: string; baseUrl: string | undefined; keyVariable: string }
  | { client: 'google'; modelId: string; apiKey: string; baseUrl: string | undefined; keyVariable: string }
  | {
      client: 'vertex' | 'vertex-anthropic'
      modelId: string
      project: string
      location: string
      keyFilename: string | undefined
      credentials: Record<string, unknown> | undefined
      keyVariable: string | null
    }
  | { client: 'openai-compatible'; name: string; modelId: string; apiKey: string; baseUrl: string; keyVariable: string | null }

/** The key sent to OpenAI-compatible servers that need none (vLLM's documented placeholder). */
const DUMMY_API_KEY = 'EMPTY'

const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1'
const DEFAULT_VERTEX_LOCATION = 'us-central1'

/** The first non-empty variable of `names`, with its name. */
function firstSet(env: NodeJS.ProcessEnv, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name]?.trim()
    if (value !== undefined && value !== '') return { name, value }
  }
  return undefined
}

function missing(model: string, variables: readonly string[], what: string, extraHint = ''): CooperbenchError {
  const list = variables.length === 1 ? variables[0] : `${variables.slice(0, -1).join(', ')} or ${variables.at(-1)}`
  return new CooperbenchError('CONFIG_INVALID', `model '${model}' needs ${what}: set ${list}`, {
    hint: `Export ${variables[0]} in the environment or put it in .env in the working directory (keys are read only from there and are never written to logs or results).${extraHint}`,
  })
}

function withSuffix(url: string, suffix: string | undefined): string {
  const trimmed = url.replace(/\/+$/, '')
  if (suffix === undefined || trimmed.endsWith(suffix)) return trimmed
  return `${trimmed}${suffix}`
}

/** The client settings for a route, read from `env`; CONFIG_INVALID (naming the variable, never its value) when one is missing. */
export function resolveClientSettings(route: ModelRoute, env: NodeJS.ProcessEnv): ClientSettings {
  const { model, modelId } = route
  switch (route.provider) {
    case 'openai':
      return openAiSettings(model, modelId, env)
    case 'anthropic': {
      const key = firstSet(env, ['ANTHROPIC_API_KEY'])
      if (key === undefined) throw missing(model, ['ANTHROPIC_API_KEY'], 'an Anthropic API key')
      const base = firstSet(env, ['ANTHROPIC_BASE_URL', 'ANTHROPIC_API_BASE'])
      // As in Anthropic's SDKs and LiteLLM, the variable holds the host; the AI SDK wants `/v1`.
      return { client: 'anthropic', modelId, apiKey: key.value, baseUrl: base === undefined ? undefined : withSuffix(base.value, '/v1'), keyVariable: key.name }
    }
    case 'google': {
      const key = firstSet(env, ['GEMINI_API_KEY', 'GOOGLE_GENERATIVE_AI_API_KEY'])
      if (key === undefined) throw missing(model, ['GEMINI_API_KEY', 'GOOGLE_GENERATIVE_AI_API_KEY'], 'a Gemini API key')
      const base = firstSet(env, ['GEMINI_API_BASE'])
      return { client: 'google', modelId, apiKey: key.value, baseUrl: base?.value.replace(/\/+$/, ''), keyVariable: key.name }
    }
    case 'vertex':
      return vertexSettings(model, modelId, env)
    case 'openrouter':
    case 'openai-compatible':
      return compatibleSettings(route, env)
  }
}

function openAiSettings(model: string, modelId: string, env: NodeJS.ProcessEnv): ClientSettings {
  const base = firstSet(env, ['OPENAI_BASE_URL', 'OPENAI_API_BASE'])
  const key = firstSet(env, ['OPENAI_API_KEY'])
  if (base !== undefined) {
    // A custom endpoint (a proxy, a gateway): it implements Chat Completions, not Responses.
    return { client: 'openai-chat', modelId, apiKey: key?.value ?? DUMMY_API_KEY, baseUrl: base.value.replace(/\/+$/, ''), keyVariable: key?.name ?? null }
  }
  if (key === undefined) throw missing(model, ['OPENAI_API_KEY'], 'an OpenAI API key', ' For an OpenAI-compatible server pass --model-base-url instead.')
  return { client: 'openai-responses', modelId, apiKey: key.value, baseUrl: OPENAI_DEFAULT_BASE_URL, keyVariable: key.name }
}

/** Vertex AI: a project (required), a location, and credentials as a file or inline JSON (else gcloud's). */
function vertexSettings(model: string, modelId: string, env: NodeJS.ProcessEnv): ClientSettings {
  const project = firstSet(env, ['VERTEXAI_PROJECT', 'GOOGLE_VERTEX_PROJECT', 'GOOGLE_CLOUD_PROJECT'])
  if (project === undefined) {
    throw missing(
      model,
      ['VERTEXAI_PROJECT', 'GOOGLE_CLOUD_PROJECT'],
      'a Google Cloud project',
      ' Credentials come from GOOGLE_APPLICATION_CREDENTIALS (a service-account file) or gcloud application-default login.',
    )
  }
  const location = firstSet(env, ['VERTEXAI_LOCATION', 'GOOGLE_VERTEX_LOCATION', 'GOOGLE_CLOUD_LOCATION'])?.value ?? DEFAULT_VERTEX_LOCATION
  let credentials: Record<string, unknown> | undefined
  let keyFilename = firstSet(env, ['GOOGLE_APPLICATION_CREDENTIALS'])?.value
  const inline = firstSet(env, ['VERTEXAI_CREDENTIALS'])
  if (inline !== undefined) {
    if (inline.value.startsWith('{')) {
      try {
        credentials = JSON.parse(inline.value) as Record<string, unknown>
      } catch {
        throw new CooperbenchError('CONFIG_INVALID', 'VERTEXAI_CREDENTIALS is not valid JSON', {
          hint: 'Set it to the service-account JSON, or to the path of the file, or use GOOGLE_APPLICATION_CREDENTIALS.',
        })
      }
    } else {
      keyFilename = inline.value
    }
  }
  const isClaude = /^claude-/i.test(modelId)
  return { client: isClaude ? 'vertex-anthropic' : 'vertex', modelId, project: project.value, location, keyFilename, credentials, keyVariable: null }
}

/** OpenRouter and OpenAI-compatible servers: the route's endpoint, its URL from the environment or its default. */
function compatibleSettings(route: ModelRoute, env: NodeJS.ProcessEnv): ClientSettings {
  const { model, modelId, endpoint } = route
  if (endpoint === undefined) throw new Error(`internal: route '${model}' has no endpoint`)
  const base = endpoint.fixedBaseUrl === undefined ? firstSet(env, endpoint.baseUrlVariables) : undefined
  const baseUrl = endpoint.fixedBaseUrl ?? (base === undefined ? endpoint.defaultBaseUrl : withSuffix(base.value, endpoint.pathSuffix))
  if (baseUrl === null) {
    throw new CooperbenchError('CONFIG_INVALID', `model '${model}' needs the URL of its server: set ${endpoint.baseUrlVariables.join(' or ')}`, {
      hint: 'Or pass --model-base-url <url> (e.g. http://localhost:8000/v1 for vLLM).',
    })
  }
  const key = firstSet(env, endpoint.keyVariables)
  if (key === undefined && endpoint.keyRequired) throw missing(model, endpoint.keyVariables, `an API key for ${endpoint.name}`)
  return { client: 'openai-compatible', name: endpoint.name, modelId, apiKey: key?.value ?? DUMMY_API_KEY, baseUrl, keyVariable: key?.name ?? null }
}
