import { CooperbenchError, errorMessage } from '@cooperbench/spec'
import { htmlPageTitle } from './errors.js'
import { routeModel } from './routing.js'
import { SecretScrubber } from '@cooperbench/spec-utils'
import { resolveClientSettings } from './settings.js'

/** How long the models listing may take before the server counts as not answering. */
const PROBE_TIMEOUT_MS = 10_000

/**
 * Checks without spending a token that a base URL is the model API and takes the key (`GET <baseUrl>/models`): no answer
 * is BACKEND_UNAVAILABLE; a refused key, a web page or 501 is CONFIG_INVALID, before any pair starts. Any other answer
 * passes (some servers have no models route; a 5xx may be momentary).
 */
export async function probeModelServer(model: string, baseUrl: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const settings = resolveClientSettings(routeModel(model, baseUrl), env)
  const apiKey = 'apiKey' in settings ? settings.apiKey : undefined
  const scrubber = new SecretScrubber([apiKey], env)
  const url = `${baseUrl.replace(/\/+$/, '')}/models`
  let response: Response
  let body: string
  try {
    response = await fetch(url, {
      headers: apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    })
    body = await response.text()
  } catch (error) {
    throw new CooperbenchError('BACKEND_UNAVAILABLE', `the model server at ${baseUrl} does not answer (${networkReason(error)})`, {
      hint: 'Start the server, or fix --model-base-url (an OpenAI-compatible base URL such as http://127.0.0.1:8000/v1).',
    })
  }
  const status = response.status
  const title = htmlPageTitle(body, response.headers.get('content-type') ?? '')
  if (title !== null) {
    const page = `an HTML page${title ? ` ("${scrubber.text(title)}")` : ''} (HTTP ${status})`
    throw new CooperbenchError('CONFIG_INVALID', `the model server at ${baseUrl} answers GET /models with ${page}, not an OpenAI-compatible API`, {
      hint: 'Fix --model-base-url: it is the API root the server documents, usually ending in /v1 (e.g. http://127.0.0.1:8000/v1).',
    })
  }
  if (status === 401 || status === 403) {
    const key = settings.keyVariable === null ? 'the API key' : settings.keyVariable
    const said = scrubber.text(apiErrorMessage(body))
    throw new CooperbenchError('CONFIG_INVALID', `the model server at ${baseUrl} refuses ${key} (HTTP ${status}: ${said})`, {
      hint:
        settings.keyVariable === null
          ? 'Set the API key the server expects (OPENAI_API_KEY for an OpenAI-compatible server).'
          : `Check ${settings.keyVariable}.`,
    })
  }
  if (status === 501) {
    const message = `the model server at ${baseUrl} answers 501 Not Implemented: it does not serve the OpenAI API there`
    throw new CooperbenchError('CONFIG_INVALID', message, {
      hint: 'Fix --model-base-url, or use a server with an OpenAI-compatible Chat Completions API.',
    })
  }
}

/** OpenAI's `{"error":{"message":…}}`, else the body's start. */
function apiErrorMessage(body: string): string {
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message
    if (typeof message === 'string' && message !== '') return message
  } catch {
    // not JSON: the body's start says enough
  }
  const text = body.trim()
  return text === '' ? 'no message' : text.length > 300 ? `${text.slice(0, 300)}…` : text
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown; errors?: Array<{ code?: unknown }> } }).cause
  const code = cause?.code ?? cause?.errors?.find((e) => typeof e?.code === 'string')?.code
  if ((error as { name?: unknown }).name === 'TimeoutError') return `no answer within ${PROBE_TIMEOUT_MS / 1000} s`
  if (typeof code === 'string') return code
  return typeof cause?.message === 'string' && cause.message !== '' ? cause.message : errorMessage(error)
}
