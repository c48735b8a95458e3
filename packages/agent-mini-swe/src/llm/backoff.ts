/** The longest `Retry-After` honoured, whatever `retryMaxMs` says. */
export const MAX_RETRY_AFTER_MS = 10 * 60_000

/**
 * The wait before retry `retry` (from 1): the server's `Retry-After`, else doubling from `baseMs` up to `maxMs` with
 * "equal jitter" (a random point in the upper half), so concurrent agents do not retry in step.
 */
export function backoffDelayMs(retry: number, options: { baseMs: number; maxMs: number; retryAfterMs?: number | undefined; random?: () => number }): number {
  if (options.retryAfterMs !== undefined) return Math.min(Math.max(0, options.retryAfterMs), MAX_RETRY_AFTER_MS)
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, retry - 1))
  const random = options.random ?? Math.random
  return Math.round(exponential / 2 + (exponential / 2) * random())
}
