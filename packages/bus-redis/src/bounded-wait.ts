import { errorMessage } from '@cooperbench/spec'

/** What {@link settleWithin} reports when the promise did not settle in time. */
export const TIMED_OUT = Symbol('timed out')

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown }

/** Waits for `promise` at most `ms` (not past `signal`); it keeps running, its rejection handled; the result says whether and how it settled in time. */
export function settleWithin<T>(promise: Promise<T>, ms: number, signal?: AbortSignal): Promise<Settled<T>> {
  return new Promise((resolve) => {
    const finish = (result: Settled<T>) => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      resolve(result)
    }
    const onAbort = () => finish({ ok: false, error: signal?.reason })
    const timer = setTimeout(() => finish({ ok: false, error: TIMED_OUT }), Math.max(0, ms))
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => finish({ ok: true, value }),
      (error: unknown) => finish({ ok: false, error }),
    )
  })
}

/** The reason of a failed {@link Settled}, for messages. */
export function failureReason(error: unknown): string {
  return error === TIMED_OUT ? 'Redis did not answer in time' : errorMessage(error)
}
