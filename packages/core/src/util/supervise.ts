/**
 * A plugin is trusted, not relied on, to honour its signal: at the deadline or an interruption it aborts, the call gets a grace period,
 * then the harness moves on (rejection swallowed). Timers are referenced, so a never-settling call cannot drop the process out of its
 * event loop ("unsettled top-level await").
 */
export type SupervisedOutcome<T> =
  /** The call settled by itself (possibly after its signal was aborted, within the grace period). */
  | { kind: 'fulfilled'; value: T; aborted: AbortCause | null }
  | { kind: 'rejected'; error: unknown; aborted: AbortCause | null }
  /** The call did not settle within the grace period after its signal was aborted. */
  | { kind: 'abandoned'; aborted: AbortCause }

/** Why a supervised call's signal was aborted: its deadline, or the caller's signal (Ctrl+C). */
type AbortCause = 'deadline' | 'interrupted'

/** Handed to a supervised call: `pause()` stops its deadline's clock (a wait in a capacity queue) until its return is called; a signal still aborts. */
export interface DeadlineClock {
  pause(): () => void
}

export interface SupervisedCall<T> {
  run(signal: AbortSignal, clock: DeadlineClock): Promise<T>
  /** Milliseconds from now until the harness aborts the call; null = no deadline of its own. */
  timeoutMs: number | null
  /** How long an aborted call may take to settle before it is abandoned. */
  graceMs: number
  /** The caller's signal (the run's); aborting it aborts the call too. */
  signal?: AbortSignal | undefined
}

/** Runs `call.run` under its deadline; never rejects, never waits longer than deadline + grace. */
export async function supervise<T>(call: SupervisedCall<T>): Promise<SupervisedOutcome<T>> {
  const controller = new AbortController()
  let cause: AbortCause | null = null
  const timers: NodeJS.Timeout[] = []
  let graceExpired: (() => void) | null = null
  const grace = new Promise<'grace'>((resolve) => {
    graceExpired = () => resolve('grace')
  })
  const abort = (why: AbortCause, reason: unknown): void => {
    if (cause !== null) return
    cause = why
    controller.abort(reason)
    timers.push(setTimeout(() => graceExpired?.(), Math.max(0, call.graceMs)))
  }
  const onParentAbort = (): void => abort('interrupted', call.signal?.reason ?? new DOMException('interrupted', 'AbortError'))
  if (call.signal?.aborted) onParentAbort()
  else call.signal?.addEventListener('abort', onParentAbort, { once: true })
  const ms = call.timeoutMs === null ? null : Math.max(0, call.timeoutMs)
  let remaining = ms ?? 0
  let armedAt = 0
  let deadline: NodeJS.Timeout | null = null
  let pauses = 0
  let settled = false
  const arm = (): void => {
    armedAt = Date.now()
    deadline = setTimeout(() => abort('deadline', new DOMException(`deadline of ${ms} ms reached`, 'TimeoutError')), remaining)
    timers.push(deadline)
  }
  if (ms !== null && cause === null) arm()
  const clock: DeadlineClock = {
    pause() {
      if (ms === null || cause !== null) return () => {}
      if (pauses++ === 0 && deadline) {
        clearTimeout(deadline)
        deadline = null
        remaining = Math.max(0, remaining - (Date.now() - armedAt))
      }
      let resumed = false
      return () => {
        if (resumed) return
        resumed = true
        if (--pauses === 0 && cause === null && !settled) arm()
      }
    },
  }
  const running = (async () => call.run(controller.signal, clock))()
  try {
    const first = await Promise.race([
      running.then(
        (value) => ({ kind: 'fulfilled' as const, value }),
        (error: unknown) => ({ kind: 'rejected' as const, error }),
      ),
      grace,
    ])
    if (first === 'grace') {
      running.catch(() => {})
      return { kind: 'abandoned', aborted: cause ?? 'deadline' }
    }
    return { ...first, aborted: cause }
  } finally {
    settled = true
    for (const timer of timers) clearTimeout(timer)
    call.signal?.removeEventListener('abort', onParentAbort)
  }
}
