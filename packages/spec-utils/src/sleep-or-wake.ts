/** Waits `ms`, or less if a `waiters` entry is called (what was awaited arrived) or `signal` aborts, then drops its waiter; for buses and task lists. */
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
