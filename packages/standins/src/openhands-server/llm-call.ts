/**
 * LLM calls (OpenAI-compatible chat completions, as litellm sends them for an openai-compatible
 * base_url) and their errors mapped as sdk/llm/exceptions/mapping.py names them.
 */
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { CancelledError, CodedError } from './run-errors.js'

export interface HttpAnswer {
  status: number
  headers: Record<string, string>
  text: string
}

export function postJson(url: string, body: unknown, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError())
    let target: URL
    try {
      target = new URL(url)
    } catch {
      return reject(new CodedError('LLMBadRequestError', `invalid LLM base_url: ${url}`))
    }
    const payload = Buffer.from(JSON.stringify(body))
    const requestFn = target.protocol === 'https:' ? httpsRequest : httpRequest
    const req = requestFn(
      target,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          cleanup()
          const answerHeaders: Record<string, string> = {}
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined) answerHeaders[name] = Array.isArray(value) ? value.join(', ') : value
          resolve({ status: res.statusCode ?? 0, headers: answerHeaders, text: Buffer.concat(chunks).toString('utf8') })
        })
        res.on('error', (error) => {
          cleanup()
          reject(signal.aborted ? new CancelledError() : new CodedError('LLMServiceUnavailableError', `Connection error: ${error.message}`))
        })
      },
    )
    const timer =
      timeoutMs > 0 ? setTimeout(() => req.destroy(new CodedError('LLMTimeoutError', `Request timed out after ${timeoutMs / 1000} seconds`)), timeoutMs) : null
    const onAbort = (): void => {
      req.destroy(new CancelledError())
    }
    const cleanup = (): void => {
      if (timer) clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    }
    signal.addEventListener('abort', onAbort, { once: true })
    req.on('error', (error) => {
      cleanup()
      if (error instanceof CancelledError || error instanceof CodedError) reject(error)
      else reject(signal.aborted ? new CancelledError() : new CodedError('LLMServiceUnavailableError', `Connection error: ${error.message}`))
    })
    req.end(payload)
  })
}

export function llmErrorCode(status: number, text: string): string {
  const lower = text.toLowerCase()
  if (status === 400 && (lower.includes('context length') || lower.includes('context window') || lower.includes('maximum context')))
    return 'LLMContextWindowExceedError'
  if (status === 401 || status === 403) return 'LLMAuthenticationError'
  if (status === 429) return 'LLMRateLimitError'
  if (status === 408) return 'LLMTimeoutError'
  if (status === 404) return 'NotFoundError'
  if (status >= 500) return 'LLMServiceUnavailableError'
  return 'LLMBadRequestError'
}

export const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError())
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(new CancelledError())
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })

/** Never resolves; rejects with CancelledError when the signal aborts (the `hang` fault). */
export const forever = (signal: AbortSignal): Promise<never> =>
  new Promise((_resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError())
    signal.addEventListener('abort', () => reject(new CancelledError()), { once: true })
  })

/** litellm drops the provider prefix of an openai-compatible model before sending it. */
export function wireModel(model: string): string {
  for (const prefix of ['openai/', 'litellm_proxy/', 'hosted_vllm/']) if (model.startsWith(prefix)) return model.slice(prefix.length)
  return model
}
