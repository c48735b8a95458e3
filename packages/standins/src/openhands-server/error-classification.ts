/** sdk/event/error_classification.py: how an error is classified for the client (kind, retryable, user action). */
import type { JsonObject } from './json.js'

/** sdk/event/error_classification.py ErrorClassification, as AGENT_OUTCOME and classify_error build it. */
export const AGENT_OUTCOME = { kind: 'agent_action', retryable: true, user_action: 'retry' }

export function classifyError(code: string, detail: string): JsonObject {
  const failure = (kind: string, retryable = false, userAction = 'none'): JsonObject => ({ kind, retryable, user_action: userAction })
  if (code === 'LLMAuthenticationError' || code === 'ACPAuthRequired') return failure('auth', false, 'settings')
  if (code === 'LLMRateLimitError') return failure('rate_limit', true, 'retry')
  if (code === 'MaxBudgetReached') return failure('quota', false, 'settings')
  if (['LLMBadRequestError', 'ACPInitError', 'ACPSpawnError', 'ACPPromptError', 'NotFoundError', 'LibTmuxException'].includes(code))
    return failure('config', false, 'settings')
  if (code === 'LLMContextWindowExceedError' || code === 'LLMMalformedConversationHistoryError') return failure('agent_action', true, 'retry')
  if (code === 'MaxIterationsReached' || code === 'ConversationOwnershipLostError') return failure('agent_action')
  if (['KeyError', 'AssertionError', 'PydanticSerializationError', 'AttributeError', 'TypeError'].includes(code)) return failure('internal')
  const text = detail.toLowerCase()
  const has = (tokens: string[]): boolean => tokens.some((token) => text.includes(token))
  if (
    has([
      'invalid api key',
      'incorrect api key',
      'authentication required',
      'invalid bearer token',
      'invalid proxy server token',
      'unauthorized',
      'error code: 401',
      'status": 401',
      'token_not_found',
      'api key is missing',
    ])
  )
    return failure('auth', false, 'settings')
  if (has(['weekly usage limit', 'daily quota', 'session usage limit', 'insufficient balance', 'more credits', 'budget has been exceeded']))
    return failure('quota', false, 'settings')
  if (has(['rate limit', 'error code: 429', 'status": 429'])) return failure('rate_limit', true, 'retry')
  if (
    has([
      'provider not provided',
      'no models loaded',
      'does not support thinking',
      'model is no longer available',
      'model not found',
      'invalid params',
      'inactive_service',
      'powershell is not available',
    ])
  )
    return failure('config', false, 'settings')
  if (
    has([
      'timeout',
      'connection error',
      'connection closed',
      'service temporarily unavailable',
      'bad gateway',
      'cloudflare',
      'cannot connect',
      'name or service not known',
      'error code: 5',
    ])
  )
    return failure('transient', true, 'retry')
  if (has(['on_token callback', 'duplicate tool names', 'list_tools', 'on_tools_changed', 'surrogates not allowed'])) return failure('internal')
  if (
    [
      'LLMServiceUnavailableError',
      'LLMTimeoutError',
      'ReadTimeout',
      'LLMNoResponseError',
      'MCPTimeoutError',
      'BadGatewayError',
      'HTTPStatusError',
      'RequestError',
      'CloudflareError',
      'OpenAIError',
      'APIError',
      'BaseLLMException',
      'AnthropicError',
      'OpenRouterException',
      'OllamaError',
    ].includes(code)
  )
    return failure('transient', true, 'retry')
  return failure('unknown')
}
