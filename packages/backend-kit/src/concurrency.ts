/**
 * Runs `worker` over `items` with at most `limit` in flight, in order of `items`.
 * Stops taking new items once `signal` is aborted or a worker fails (rejecting with that failure);
 * items already started finish (or abort themselves through the same signal).
 * Hand-written rather than p-map: the kit loads nothing but the spec and node built-ins.
 */
export async function forEachConcurrent<T>(
  items: readonly T[],
  limit: number,
  worker: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0
  let failed = false
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    // After a failure the other lanes finish their item and take no new one.
    while (next < items.length && !signal?.aborted && !failed) {
      const index = next++
      try {
        await worker(items[index]!, index)
      } catch (error) {
        failed = true
        throw error
      }
    }
  })
  await Promise.all(lanes)
}

/** A counting semaphore: `use` runs `task` once fewer than `limit` tasks hold it. */
export class Semaphore {
  private active = 0
  private readonly waiting: Array<() => void> = []

  constructor(private readonly limit: number) {}

  async use<T>(task: () => Promise<T>): Promise<T> {
    // A released slot is handed straight to the next waiter, so a newcomer can never slip in
    // between and push the count over the limit.
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.active++
    try {
      return await task()
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.active--
    }
  }
}
