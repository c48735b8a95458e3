/**
 * Waits `ms`, or less when one of `waiters` is called (what was waited for arrived) or `signal`
 * aborts; the waiter it added is gone when it resolves. What the buses' and task lists' waits share.
 */
export function sleepOrWake(ms: number, waiters: Set<() => void>, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      waiters.delete(done)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    waiters.add(done)
    signal?.addEventListener('abort', done, { once: true })
  })
}
