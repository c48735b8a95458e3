import { errorMessage } from '@cooperbench/spec'
import { APICallError } from 'ai'

/** Why a request failed: `rate-limit`, `server`, `timeout` and `connection` are retried; `protocol`: not the API (a wrong base URL or server). */
export type FailureKind = 'rate-limit' | 'server' | 'timeout' | 'connection' | 'auth' | 'protocol' | 'not-found' | 'context-length' | 'bad-request' | 'other'

export type Failure = ReturnType<typeof failure>

/** A model request that failed for good: not retryable, or retries exhausted. Secrets-free. */
export class ModelCallError extends Error {
  override readonly name = 'ModelCallError'
  /** The model string as given. */
  readonly model!: string
  readonly kind!: FailureKind
  readonly status!: number | undefined
  /** Requests made, the first included. */
  readonly attempts!: number
  /** Whether the failure was transient (it was retried until `maxRetries` ran out). */
  readonly transient!: boolean
  readonly hint: string | undefined

  constructor({ message, ...fields }: Pick<ModelCallError, 'model' | 'kind' | 'status' | 'attempts' | 'transient'> & { message: string; hint?: string }) {
    super(message)
    Object.assign(this, fields)
  }
}

export function isModelCallError(error: unknown): error is ModelCallError {
  const candidate = typeof error === 'object' ? (error as { name?: unknown; kind?: unknown } | null) : null
  return candidate?.name === 'ModelCallError' && typeof candidate.kind === 'string'
}

const CONTEXT_LENGTH =
  /context[ _-]?(length|window)|maximum context|prompt is too long|too many (input )?tokens|input is too long|exceeds? the (model's )?(maximum|max)|reduce the length/i
/** The system's connection errors, then undici's (fetch). */
const SOCKET_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']
const UNDICI_CODES = ['UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED']
const NETWORK_CODES = new Set([...SOCKET_CODES, ...UNDICI_CODES])

/** The delay a `Retry-After-Ms` or `Retry-After` (seconds or HTTP date) header asks for. */
export function retryAfterMs(headers: Record<string, string> | undefined, now = Date.now()): number | undefined {
  if (headers === undefined) return undefined
  const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))
  const ms = lower['retry-after-ms']
  if (ms !== undefined && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms))
  const after = lower['retry-after']?.trim()
  if (after === undefined || after === '') return undefined
  if (/^\d+(\.\d+)?$/.test(after)) return Number(after) * 1000
  const date = Date.parse(after)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

function errorCode(error: unknown): string | undefined {
  for (
    let current: unknown = error, depth = 0;
    current !== null && typeof current === 'object' && depth < 5;
    current = (current as { cause?: unknown }).cause, depth++
  ) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code
  }
  return undefined
}

/** The server's own words for an API error: the message, or the body when the message is generic. */
function apiMessage(error: APICallError): string {
  const message = error.message.trim()
  const body = typeof error.responseBody === 'string' ? error.responseBody.trim() : ''
  const generic =
    message === '' ||
    /^(bad request|internal server error|not found|unauthorized|forbidden|too many requests|service unavailable|bad gateway|gateway timeout)$/i.test(message)
  if (generic && body !== '') return `${message === '' ? '' : `${message}: `}${body.length > 1000 ? `${body.slice(0, 1000)}…` : body}`
  return message
}

/** The title ('' without one) of a web page answered in place of the API (by content type, else first bytes); null for no page. */
export function htmlPageTitle(body: unknown, contentType: string): string | null {
  const text = typeof body === 'string' ? body : ''
  if (!/text\/html/i.test(contentType) && !/^\s*<(!doctype|html|head|body)\b/i.test(text)) return null
  return /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.trim() ?? ''
}

/** `message`: the server's (or the client's), not yet scrubbed; `retryAfterMs` from `Retry-After-Ms` / `Retry-After`, when the server sent one. */
function failure(kind: FailureKind, retryable: boolean, status: number | undefined, message: string, retryAfterMs?: number) {
  return { kind, retryable, status, message, retryAfterMs }
}

/** Classifies an error thrown by a request attempt. `timedOut`: our per-request timer fired. */
export function classifyFailure(error: unknown, timedOut: boolean, timeoutMs: number): Failure {
  if (timedOut) return failure('timeout', true, undefined, `no response within ${timeoutMs} ms`)
  if (APICallError.isInstance(error)) {
    const status = error.statusCode
    const message = apiMessage(error)
    const retryAfter = retryAfterMs(error.responseHeaders)
    if (status === undefined) return failure('connection', error.isRetryable || errorCode(error) !== undefined, status, message, retryAfter)
    if (CONTEXT_LENGTH.test(message)) return failure('context-length', false, status, message)
    // A proxy's HTML page on a 5xx is the provider down (retried below); on another status a page or non-API JSON: not the API.
    const contentType = Object.entries(error.responseHeaders ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? ''
    const page = htmlPageTitle(error.responseBody, contentType)
    if (status < 500 && page !== null) {
      return failure('protocol', false, status, `the server answered with an HTML page${page ? ` ("${page}")` : ''}, not the model API`)
    }
    if (status < 500 && error.message === 'Invalid JSON response') {
      return failure('protocol', false, status, `${error.message}: the server's answer is not the model API's`)
    }
    if (status === 501) return failure('protocol', false, status, message)
    if (status === 429) return failure('rate-limit', true, status, message, retryAfter)
    if (status >= 500 || status === 408) return failure(status === 408 ? 'timeout' : 'server', true, status, message, retryAfter)
    if (status === 401 || status === 403) return failure('auth', false, status, message)
    return failure(status === 404 ? 'not-found' : 'bad-request', false, status, message)
  }
  const code = errorCode(error)
  if (code !== undefined || (error instanceof TypeError && /fetch failed|network|socket/i.test(error.message))) {
    const message = errorMessage(error)
    return failure('connection', true, undefined, `cannot connect: ${message}${code !== undefined && !message.includes(code) ? ` (${code})` : ''}`)
  }
  return failure('other', false, undefined, errorMessage(error))
}

const PROVIDER_DOWN = 'The provider did not answer; check it is reachable and up.'

/** What to do about each failure kind but `auth` (see {@link hintFor}). */
const HINTS: Partial<Record<FailureKind, string>> = {
  protocol: 'The URL does not serve an OpenAI-compatible API: check --model-base-url (it usually ends in /v1).',
  'not-found': 'Check the model name and, for an OpenAI-compatible server, --model-base-url.',
  'context-length': "The conversation no longer fits the model's context window.",
  'rate-limit': 'The provider kept rate-limiting; lower --concurrency or raise your rate limit.',
  timeout: PROVIDER_DOWN,
  connection: PROVIDER_DOWN,
  server: PROVIDER_DOWN,
}

/** What to do about a failure kind, for the error's hint. */
export function hintFor(kind: FailureKind, keyVariable: string | null): string | undefined {
  if (kind === 'auth') return keyVariable === null ? 'Check the API key the server expects.' : `Check ${keyVariable}.`
  return HINTS[kind]
}
