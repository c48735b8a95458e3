import { get as httpGet, type IncomingMessage } from 'node:http'
import { get as httpsGet } from 'node:https'
import { CooperbenchError, errorMessage } from '@cooperbench/spec'
import { redactUrlCredentials } from '@cooperbench/spec-utils'

/** How long the model's base URL may take to answer the preflight before the run is refused. */
const MODEL_ANSWER_TIMEOUT_MS = 10_000

export interface ModelEndpoint {
  /** The agent that will call it (for the message). */
  agent: string
  baseUrl: string
  /** Where the URL was set, for the hint: `--model-base-url` or `agents.<name>.model_base_url`. */
  setBy: string
  /** The run's backend, when known: on `local` the hint names `backends.local.network`. */
  backend?: string
  timeoutMs?: number
}

/**
 * Checks from this machine that the model's base URL answers HTTP, before any sandbox starts (a CLI would retry a silent
 * server until the harness's bound). Any status counts (servers answer their root differently); no key or URL credentials
 * are sent and no redirect followed: the request goes nowhere the CLI would not.
 */
export async function checkModelAnswers(endpoint: ModelEndpoint): Promise<void> {
  const timeoutMs = endpoint.timeoutMs ?? MODEL_ANSWER_TIMEOUT_MS
  const shown = redactUrlCredentials(endpoint.baseUrl)
  const failure = await httpAnswer(httpUrl(endpoint, shown), timeoutMs)
  if (failure === null) return
  const network =
    endpoint.backend === 'local' ? "; the CLI calls it from inside the sandbox, which shares this machine's network only with backends.local.network: true" : ''
  throw new CooperbenchError('BACKEND_UNAVAILABLE', `${endpoint.agent}: the model server at ${shown} does not answer (${failure})`, {
    hint: `Start the model server at ${shown}, or fix ${endpoint.setBy}${network}`,
  })
}

/** `GET url`: null once a status line comes back, else why none came; Node's `http`, as `fetch` refuses ports such as 6000 or 10080 untried. */
function httpAnswer(url: URL, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const answered = (response: IncomingMessage) => {
      clearTimeout(timer)
      // The status answered the question; the body is not read.
      response.destroy()
      resolve(null)
    }
    // A certificate this machine does not trust still answers; the CLI may be told to trust it, and nothing secret is sent.
    const request = url.protocol === 'https:' ? httpsGet(url, { rejectUnauthorized: false }, answered) : httpGet(url, answered)
    const timer = setTimeout(() => {
      resolve(`no answer within ${timeoutMs / 1000} s`)
      request.destroy()
    }, timeoutMs)
    request.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      resolve(typeof error.code === 'string' ? error.code : errorMessage(error))
    })
  })
}

/** The URL to ask, without user and password; anything but an http(s) URL is a configuration error. */
function httpUrl(endpoint: ModelEndpoint, shown: string): URL {
  const url = URL.parse(endpoint.baseUrl)
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new CooperbenchError('CONFIG_INVALID', `${endpoint.agent}: the model base URL ${shown} is not an http(s) URL`, {
      hint: `Fix ${endpoint.setBy} (e.g. http://127.0.0.1:8000/v1)`,
    })
  }
  url.username = ''
  url.password = ''
  return url
}
