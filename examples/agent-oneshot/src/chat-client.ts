import { CooperbenchError } from '@cooperbench/spec'
import pRetry, { AbortError } from 'p-retry'
import type { ModelEndpoint } from './endpoint.js'

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

export interface ChatUsage {
  promptTokens: number
  completionTokens: number
  /** Prompt tokens served from the provider's cache (`prompt_tokens_details.cached_tokens`). */
  cachedTokens: number
}

export interface ChatReply {
  content: string
  /** `stop`, `length` (cut by max_tokens), …; null when the server sent none. */
  finishReason: string | null
  usage: ChatUsage
}

export interface ChatRequest {
  messages: ChatMessage[]
  maxTokens: number | null
  temperature: number | null
  signal: AbortSignal
}

export interface ChatClient {
  complete(request: ChatRequest): Promise<ChatReply>
}

export interface ChatClientOptions {
  /** Per-request timeout; a request that times out is not retried (the next would likely time out too). */
  timeoutMs: number
  /** Retries of rate limits, 5xx answers and refused connections; default 2. */
  retries?: number
  /** First wait before a retry without `Retry-After`, doubled each time; default 1000 ms. */
  backoffMs?: number
}

/** Answers worth another try: rate limits and server trouble. */
const TRANSIENT = new Set([408, 409, 429, 500, 502, 503, 504])
const MAX_RETRY_WAIT_MS = 30_000
const NOT_CHAT_COMPLETIONS = 'Check the base URL: it must serve the OpenAI Chat Completions API.'

/**
 * A client of one OpenAI-compatible Chat Completions endpoint using plain `fetch`: POST
 * `${baseUrl}/chat/completions`, bearer key when there is one, `timeoutMs` per request.
 * Rate limits, 5xx answers and refused connections are retried (twice by default, honouring
 * `Retry-After` up to 30 s); other failures reject with a CooperbenchError whose hint names
 * the fix. Aborting `signal` rejects with its reason at once.
 */
export function createChatClient(endpoint: ModelEndpoint, options: ChatClientOptions): ChatClient {
  const { timeoutMs, retries = 2, backoffMs = 1000 } = options
  const url = `${endpoint.baseUrl}/chat/completions`
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' }
  if (endpoint.apiKey !== null) headers['authorization'] = `Bearer ${endpoint.apiKey}`

  async function once(request: ChatRequest): Promise<ChatReply> {
    const body = JSON.stringify({
      model: endpoint.model,
      messages: request.messages,
      ...(request.maxTokens === null ? {} : { max_tokens: request.maxTokens }),
      ...(request.temperature === null ? {} : { temperature: request.temperature }),
    })
    const timeout = AbortSignal.timeout(timeoutMs)
    let response: Response
    let text: string
    try {
      response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.any([request.signal, timeout]) })
      text = await response.text()
    } catch (error) {
      request.signal.throwIfAborted()
      if (timeout.aborted) {
        throw new CallFailed(`the model at ${url} did not answer within ${timeoutMs} ms`, {
          hint: 'Raise agents.oneshot.requestTimeoutMs, or check the server.',
        })
      }
      throw new CallFailed(`cannot reach the model at ${url}: ${causeOf(error)}`, {
        hint: 'Check the base URL (--model-base-url or agents.oneshot.baseUrl) and that the server is running.',
        transient: true,
        cause: error,
      })
    }
    if (!response.ok) throw httpError(url, response, text)
    return parseCompletion(url, text)
  }

  return {
    async complete(request) {
      try {
        // p-retry counts the attempts; the wait is the server's Retry-After, else doubling from backoffMs.
        return await pRetry(
          async () => {
            try {
              return await once(request)
            } catch (error) {
              if (error instanceof CallFailed && error.transient) throw error
              throw new AbortError(error instanceof Error ? error : new Error(String(error)))
            }
          },
          {
            retries,
            minTimeout: 0,
            maxTimeout: 0,
            randomize: false,
            onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
              if (retriesLeft === 0 || !(error instanceof CallFailed)) return
              await sleep(error.retryAfterMs ?? backoffMs * 2 ** (attemptNumber - 1), request.signal)
            },
          },
        )
      } catch (error) {
        throw toCooperbenchError(error)
      }
    },
  }
}

/** A failed request, before it is known whether it will be retried. */
class CallFailed extends Error {
  readonly hint: string
  /** Worth another try (rate limit, server trouble, dropped connection). */
  readonly transient: boolean
  readonly retryAfterMs: number | null
  /** CONFIG_INVALID when the setup is wrong (key, model id); BACKEND_UNAVAILABLE otherwise. */
  readonly code: 'BACKEND_UNAVAILABLE' | 'CONFIG_INVALID'

  constructor(
    message: string,
    options: { hint: string; transient?: boolean; cause?: unknown; retryAfterMs?: number | null; code?: 'BACKEND_UNAVAILABLE' | 'CONFIG_INVALID' },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.hint = options.hint
    this.transient = options.transient ?? false
    this.retryAfterMs = options.retryAfterMs ?? null
    this.code = options.code ?? 'BACKEND_UNAVAILABLE'
  }
}

function toCooperbenchError(error: unknown): unknown {
  if (!(error instanceof CallFailed)) return error
  return new CooperbenchError(error.code, error.message, { hint: error.hint, cause: error.cause })
}

function httpError(url: string, response: Response, text: string): CallFailed {
  const status = response.status
  const detail = errorDetail(text)
  const message = `the model at ${url} answered ${status}${detail ? `: ${detail}` : ''}`
  if (status === 401 || status === 403) {
    return new CallFailed(message, {
      hint: 'Check the API key in the variable named by agents.oneshot.apiKeyEnv (default OPENAI_API_KEY).',
      code: 'CONFIG_INVALID',
    })
  }
  if (status === 404 || status === 400 || status === 422) {
    return new CallFailed(message, {
      hint: 'Check the model id (--model or agents.oneshot.model) and the base URL; it must end where /chat/completions is served (often /v1).',
      code: 'CONFIG_INVALID',
    })
  }
  return new CallFailed(message, {
    hint: 'The server is overloaded or failing; try again later or lower --concurrency.',
    transient: TRANSIENT.has(status),
    retryAfterMs: retryAfter(response.headers.get('retry-after')),
  })
}

function parseCompletion(url: string, text: string): ChatReply {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new CallFailed(`the model at ${url} answered with something other than JSON: ${text.slice(0, 200)}`, { hint: NOT_CHAT_COMPLETIONS })
  }
  const choice = (body as { choices?: Array<{ message?: { content?: unknown }; finish_reason?: unknown }> }).choices?.[0]
  if (!choice?.message) {
    throw new CallFailed(`the model at ${url} answered without choices[0].message`, { hint: NOT_CHAT_COMPLETIONS })
  }
  const usage = (body as { usage?: { prompt_tokens?: unknown; completion_tokens?: unknown; prompt_tokens_details?: { cached_tokens?: unknown } } }).usage
  return {
    content: contentText(choice.message.content),
    finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
    usage: {
      promptTokens: count(usage?.prompt_tokens),
      completionTokens: count(usage?.completion_tokens),
      cachedTokens: count(usage?.prompt_tokens_details?.cached_tokens),
    },
  }
}

/** `content` is a string, or (some servers) an array of `{ type: 'text', text }` parts. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content)) return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('')
  return ''
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0
}

function errorDetail(text: string): string {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message
    if (typeof message === 'string') return message
  } catch {
    // not JSON: show the start of the text
  }
  return text.trim().slice(0, 200)
}

function retryAfter(header: string | null): number | null {
  if (header === null) return null
  const seconds = Number(header)
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_WAIT_MS) : null
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause
  if (typeof cause?.code === 'string') return cause.code
  if (typeof cause?.message === 'string') return cause.message
  return error instanceof Error ? error.message : String(error)
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', done)
      resolve()
    }, ms)
    if (signal.aborted) done()
    else signal.addEventListener('abort', done, { once: true })
  })
}
