import pRetry, { AbortError } from 'p-retry'
import { setTimeout as wait } from 'node:timers/promises'
import { backoffDelayMs } from './backoff.js'
import { classifyFailure, type Failure, hintFor, ModelCallError } from './errors.js'
import type { ModelAttempt, ModelCallContext } from './model-attempt.js'
import type { ChatModelOptions, CompleteRequest, ModelResponse } from './types.js'

/** How long an attempt may take and how failed ones are retried: the chat model's options, defaults filled in. */
export type RetryPolicy = Required<Pick<ChatModelOptions, 'timeoutMs' | 'maxRetries' | 'retryBaseMs' | 'retryMaxMs'>>

/** One request through `attempt`, each under the policy's timeout, transient failures retried as `createChatModel` says. */
export async function completeWithRetries(
  request: CompleteRequest,
  attempt: ModelAttempt,
  policy: RetryPolicy,
  call: ModelCallContext,
): Promise<ModelResponse> {
  const callerSignal = request.signal
  const { maxRetries } = policy
  // p-retry runs the attempts; the waits are ours (Retry-After, else equal-jitter backoff), in its awaited onFailedAttempt.
  try {
    return await pRetry((attempts) => attemptWithTimeout(request, attempt, { ...call, timeoutMs: policy.timeoutMs, attempts }), {
      retries: maxRetries,
      minTimeout: 0,
      maxTimeout: 0,
      randomize: false,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft === 0 || !(error instanceof FailedAttempt)) return
        const { failure } = error
        const delay = backoffDelayMs(attemptNumber, { baseMs: policy.retryBaseMs, maxMs: policy.retryMaxMs, retryAfterMs: failure.retryAfterMs })
        const status = failure.status === undefined ? failure.kind : `HTTP ${failure.status}`
        call.logger.warn(
          call.scrubber.text(`${call.model}: ${status}: ${failure.message}; retry ${attemptNumber}/${maxRetries} in ${(delay / 1000).toFixed(1)}s`),
        )
        // An abort rejects the wait; the catch below answers with the caller's reason.
        await wait(delay, undefined, { signal: callerSignal })
      },
    })
  } catch (error) {
    if (callerSignal?.aborted) throw callerSignal.reason
    if (error instanceof FailedAttempt) throw modelCallError(call, error.failure, error.attempts, maxRetries > 0)
    throw error
  }
}

/** Attempt number `attempts`, aborted at `timeoutMs`: a retryable failure thrown as `FailedAttempt`, others as p-retry's `AbortError`. */
async function attemptWithTimeout(request: CompleteRequest, attempt: ModelAttempt, call: ModelCallContext & { timeoutMs: number; attempts: number }) {
  const { timeoutMs, attempts } = call
  const callerSignal = request.signal
  if (callerSignal?.aborted) throw new AbortError(asError(callerSignal.reason))
  const timeout = new AbortController()
  const timer = setTimeout(() => timeout.abort(new DOMException(`no response within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs)
  const signal = callerSignal === undefined ? timeout.signal : AbortSignal.any([callerSignal, timeout.signal])
  try {
    return await attempt(request, signal)
  } catch (error) {
    if (callerSignal?.aborted) throw new AbortError(asError(callerSignal.reason))
    if (error instanceof ModelCallError) throw new AbortError(error)
    const failure = classifyFailure(error, timeout.signal.aborted, timeoutMs)
    if (!failure.retryable) throw new AbortError(modelCallError(call, failure, attempts, false))
    throw new FailedAttempt(failure, attempts)
  } finally {
    clearTimeout(timer)
  }
}

/** The error a failed request ends with: secrets-free, with a hint for its kind of failure. */
function modelCallError(call: ModelCallContext, failure: Failure, attempts: number, exhausted: boolean): ModelCallError {
  const status = failure.status === undefined ? '' : `HTTP ${failure.status}: `
  const prefix = exhausted ? `failed after ${attempts} attempts: ` : ''
  return new ModelCallError({
    model: call.model,
    message: call.scrubber.text(`${call.model}: ${prefix}${status}${failure.message}`),
    kind: failure.kind,
    status: failure.status,
    attempts,
    transient: failure.retryable,
    hint: hintFor(failure.kind, call.settings.keyVariable),
  })
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
