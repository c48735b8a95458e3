import { SecretScrubber, silentLogger } from '@cooperbench/spec-utils'
import { createModelAttempt, type ModelCallContext } from './model-attempt.js'
import { completeWithRetries, type RetryPolicy } from './retries.js'
import { routeModel } from './routing.js'
import { resolveClientSettings } from './settings.js'
import type { ChatModel, ChatModelOptions } from './types.js'

const DEFAULT_TIMEOUT_MS = 300_000
const DEFAULT_MAX_RETRIES = 10
const DEFAULT_RETRY_BASE_MS = 4_000
const DEFAULT_RETRY_MAX_MS = 60_000

/**
 * A chat model on the Vercel AI SDK, routed by `routeModel`; a missing key (from `options.env`) is CONFIG_INVALID here,
 * before any request. `complete` retries 429, 5xx, timeouts and connection errors with backoff, and fails with a
 * secrets-free `ModelCallError` or the caller's abort reason.
 */
export function createChatModel(options: ChatModelOptions): ChatModel {
  const env = options.env ?? process.env
  const route = routeModel(options.model, options.baseUrl, { byName: options.priceByName === true })
  const settings = resolveClientSettings(route, env)
  const logger = options.logger ?? silentLogger
  const scrubber = new SecretScrubber(['apiKey' in settings ? settings.apiKey : undefined], env)
  const policy = retryPolicyOf(options)
  silenceSdkWarnings()
  const call: ModelCallContext = {
    model: options.model,
    route,
    settings,
    logger,
    scrubber,
    sendsToolChoice: options.sendsToolChoice ?? true,
    captureTokenIds: options.captureTokenIds === true,
    liteLlmBodies: options.liteLlmBodies === true,
  }
  const attempt = createModelAttempt(call)
  return { id: options.model, complete: (request) => completeWithRetries(request, attempt, policy, call) }
}

/** The options' timeout and retries, defaults for unset or unusable values. */
function retryPolicyOf(options: ChatModelOptions): RetryPolicy {
  const retryBaseMs = Math.max(0, options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS)
  return {
    timeoutMs: positive(options.timeoutMs, DEFAULT_TIMEOUT_MS),
    maxRetries: Math.max(0, Math.floor(options.maxRetries ?? DEFAULT_MAX_RETRIES)),
    retryBaseMs,
    retryMaxMs: Math.max(retryBaseMs, options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS),
  }
}

/** The AI SDK's warnings to stderr would garble the CLI's output (they are logged at debug level); only an unset global is changed. */
function silenceSdkWarnings(): void {
  const global = globalThis as { AI_SDK_LOG_WARNINGS?: unknown }
  if (global.AI_SDK_LOG_WARNINGS === undefined) global.AI_SDK_LOG_WARNINGS = false
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback
}
