import { silentLogger } from '@cooperbench/spec'
import { generateText, type LanguageModelMiddleware, wrapLanguageModel } from 'ai'
import pRetry, { AbortError } from 'p-retry'
import { abortReason, backoffDelayMs, sleep } from './backoff.js'
import { classifyFailure, type Failure, hintFor, ModelCallError } from './errors.js'
import { toModelMessages, toToolSet } from './messages.js'
import { computeCost } from './pricing.js'
import { routeModel } from './routing.js'
import { SecretScrubber } from './secrets.js'
import { type SdkLanguageModel, sharedSdkModel } from './sdk-client.js'
import { resolveClientSettings } from './settings.js'
import type { ChatModel, ChatModelOptions, CompleteRequest, ModelResponse, ToolCall, Usage } from './types.js'

export const DEFAULT_TIMEOUT_MS = 300_000
export const DEFAULT_MAX_RETRIES = 10
export const DEFAULT_RETRY_BASE_MS = 4_000
export const DEFAULT_RETRY_MAX_MS = 60_000

/** What one successful attempt's model call returned, as the provider said it. */
interface RawGeneration {
  content: ReadonlyArray<{ type: string; [key: string]: unknown }>
  response?: { body?: unknown; modelId?: string }
}

/**
 * A chat model on the Vercel AI SDK. The model string is routed as `resolveModelId` describes;
 * keys and endpoints come from `options.env` (`process.env` by default) and a missing key is a
 * CONFIG_INVALID CooperbenchError here, before any request. `complete` makes one request
 * (`generateText`, tools without `execute`), retrying 429, 5xx, timeouts and connection errors
 * with backoff; it fails with a secrets-free `ModelCallError`, or with the caller's abort reason.
 */
export function createChatModel(options: ChatModelOptions): ChatModel {
  const env = options.env ?? process.env
  const route = routeModel(options.model, options.baseUrl)
  const settings = resolveClientSettings(route, env)
  const logger = options.logger ?? silentLogger
  const scrubber = new SecretScrubber(['apiKey' in settings ? settings.apiKey : undefined], env)
  const timeoutMs = positive(options.timeoutMs, DEFAULT_TIMEOUT_MS)
  const maxRetries = Math.max(0, Math.floor(options.maxRetries ?? DEFAULT_MAX_RETRIES))
  const retryBaseMs = Math.max(0, options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS)
  const retryMaxMs = Math.max(retryBaseMs, options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS)
  const rawArguments = settings.client === 'openai-chat' || settings.client === 'openai-compatible' || settings.client === 'openai-responses'
  const cacheBreakpoints = settings.client === 'anthropic' || settings.client === 'vertex-anthropic'

  silenceSdkWarnings()
  const reportedWarnings = new Set<string>()

  let sdkModel: Promise<SdkLanguageModel> | undefined
  const loadModel = (): Promise<SdkLanguageModel> => {
    sdkModel ??= sharedSdkModel(settings).catch((error: unknown) => {
      sdkModel = undefined
      throw error
    })
    return sdkModel
  }

  const fail = (failure: Failure, attempts: number, exhausted: boolean): ModelCallError => {
    const status = failure.status === undefined ? '' : `HTTP ${failure.status}: `
    const prefix = exhausted ? `failed after ${attempts} attempts: ` : ''
    return new ModelCallError({
      model: options.model,
      message: scrubber.text(`${options.model}: ${prefix}${status}${failure.message}`),
      kind: failure.kind,
      status: failure.status,
      attempts,
      transient: failure.retryable,
      ...withHint(hintFor(failure.kind, settings.keyVariable)),
    })
  }

  async function attempt(request: CompleteRequest, signal: AbortSignal): Promise<ModelResponse> {
    const base = await loadModel()
    let raw: RawGeneration | undefined
    const capture: LanguageModelMiddleware = {
      specificationVersion: 'v4',
      wrapGenerate: async ({ doGenerate }) => {
        const result = await doGenerate()
        raw = result as unknown as RawGeneration
        return result
      },
    }
    const tools = request.tools.length > 0 ? toToolSet(request.tools) : undefined
    const messages = toModelMessages(request.messages, {
      rawArguments,
      cacheBreakpoints,
      onRepair: (message) => logger.debug(`${options.model}: ${message}`),
    })
    const started = performance.now()
    const result = await generateText({
      model: wrapLanguageModel({ model: base, middleware: capture }),
      messages,
      allowSystemInMessages: true,
      ...(tools === undefined ? {} : { tools, toolChoice: 'auto' as const }),
      maxRetries: 0,
      abortSignal: signal,
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.maxOutputTokens === undefined ? {} : { maxOutputTokens: request.maxOutputTokens }),
      ...samplingSettings(request),
      // Responses API: keep nothing on OpenAI's side (the conversation is resent every step anyway).
      ...(settings.client === 'openai-responses' ? { providerOptions: { openai: { store: false } } } : {}),
    })
    const durationMs = Math.round(performance.now() - started)
    for (const warning of result.warnings ?? []) {
      const text = describeWarning(warning)
      if (reportedWarnings.has(text)) continue
      reportedWarnings.add(text)
      logger.debug(scrubber.text(`${options.model}: AI SDK warning: ${text}`))
    }
    const usage: Usage = {
      inputTokens: result.usage.inputTokens ?? 0,
      outputTokens: result.usage.outputTokens ?? 0,
      cacheReadTokens: result.usage.inputTokenDetails?.cacheReadTokens ?? 0,
      cacheWriteTokens: result.usage.inputTokenDetails?.cacheWriteTokens ?? 0,
    }
    const toolCalls =
      rawToolCalls(raw) ??
      result.toolCalls.map((call) => ({
        id: call.toolCallId,
        name: call.toolName,
        arguments: typeof call.input === 'string' ? call.input : JSON.stringify(call.input ?? {}),
      }))
    const cost = computeCost({ model: options.model, priceProvider: route.priceProvider, modelIds: [route.modelId, raw?.response?.modelId], usage, logger })
    return {
      text: result.text,
      toolCalls,
      usage,
      cost,
      finishReason: result.finishReason,
      durationMs,
      raw: scrubber.value(raw?.response?.body ?? null),
    }
  }

  return {
    id: options.model,
    async complete(request: CompleteRequest): Promise<ModelResponse> {
      const callerSignal = request.signal
      // p-retry runs the attempts; the waits are ours (Retry-After, else equal-jitter backoff),
      // taken in onFailedAttempt, which p-retry awaits before the next attempt.
      const once = async (attempts: number): Promise<ModelResponse> => {
        if (callerSignal?.aborted) throw new AbortError(asError(abortReason(callerSignal)))
        const timeout = new AbortController()
        const timer = setTimeout(() => timeout.abort(new DOMException(`no response within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs)
        const signal = callerSignal === undefined ? timeout.signal : AbortSignal.any([callerSignal, timeout.signal])
        try {
          return await attempt(request, signal)
        } catch (error) {
          if (callerSignal?.aborted) throw new AbortError(asError(abortReason(callerSignal)))
          if (error instanceof ModelCallError) throw new AbortError(error)
          const failure = classifyFailure(error, timeout.signal.aborted, timeoutMs)
          if (!failure.retryable) throw new AbortError(fail(failure, attempts, false))
          throw new FailedAttempt(failure, attempts)
        } finally {
          clearTimeout(timer)
        }
      }
      try {
        return await pRetry(once, {
          retries: maxRetries,
          minTimeout: 0,
          maxTimeout: 0,
          randomize: false,
          onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
            if (retriesLeft === 0 || !(error instanceof FailedAttempt)) return
            const { failure } = error
            const delay = backoffDelayMs(attemptNumber, { baseMs: retryBaseMs, maxMs: retryMaxMs, retryAfterMs: failure.retryAfterMs })
            const status = failure.status === undefined ? failure.kind : `HTTP ${failure.status}`
            logger.warn(scrubber.text(`${options.model}: ${status}: ${failure.message}; retry ${attemptNumber}/${maxRetries} in ${(delay / 1000).toFixed(1)}s`))
            await sleep(delay, callerSignal)
          },
        })
      } catch (error) {
        if (callerSignal?.aborted) throw abortReason(callerSignal)
        if (error instanceof FailedAttempt) throw fail(error.failure, error.attempts, maxRetries > 0)
        throw error
      }
    },
  }
}

/** One failed, retryable attempt, as p-retry sees it. */
class FailedAttempt extends Error {
  constructor(
    readonly failure: Failure,
    readonly attempts: number,
  ) {
    super(failure.message)
  }
}

/** p-retry's AbortError wants an Error; an abort reason may be anything. */
function asError(reason: unknown): Error {
  return reason instanceof Error ? reason : Object.assign(new Error(String(reason)), { reason })
}

/** The tool calls exactly as the provider returned them (arguments as raw text). */
function rawToolCalls(raw: RawGeneration | undefined): ToolCall[] | undefined {
  if (raw === undefined || !Array.isArray(raw.content)) return undefined
  const calls: ToolCall[] = []
  for (const part of raw.content) {
    if (part.type !== 'tool-call' || part.providerExecuted === true) continue
    const input = part.input
    calls.push({ id: String(part.toolCallId), name: String(part.toolName), arguments: typeof input === 'string' ? input : JSON.stringify(input ?? {}) })
  }
  return calls
}

/**
 * The AI SDK prints call warnings (an unsupported setting…) to stderr through
 * `process.emitWarning`, which would garble the CLI's output; they are logged at debug level
 * instead. Only an unset `AI_SDK_LOG_WARNINGS` global is changed.
 */
function silenceSdkWarnings(): void {
  const global = globalThis as { AI_SDK_LOG_WARNINGS?: unknown }
  if (global.AI_SDK_LOG_WARNINGS === undefined) global.AI_SDK_LOG_WARNINGS = false
}

function describeWarning(warning: unknown): string {
  if (typeof warning !== 'object' || warning === null) return String(warning)
  const { type, message, feature, setting, details } = warning as Record<string, unknown>
  return [type, feature ?? setting, message ?? details].filter((part) => typeof part === 'string' && part !== '').join(': ') || JSON.stringify(warning)
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback
}

function withHint(hint: string | undefined): { hint?: string } {
  return hint === undefined ? {} : { hint }
}

/** The optional sampling settings of a request, as the AI SDK names them; unset ones are left to the provider. */
function samplingSettings(request: CompleteRequest): Record<string, unknown> {
  const settings = {
    topP: request.topP,
    seed: request.seed,
    stopSequences: request.stopSequences,
    presencePenalty: request.presencePenalty,
    frequencyPenalty: request.frequencyPenalty,
  }
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined))
}
