import pLimit from 'p-limit'

/** Runs `work` per item, `concurrency` at a time: the first failure aborts the others, thrown once all settle; a `signal` abort skips unstarted items. */
export async function forEachConcurrently<T>(
  items: T[],
  concurrency: number,
  signal: AbortSignal,
  work: (item: T, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const failed = new AbortController()
  const poolSignal = AbortSignal.any([signal, failed.signal])
  let firstError: { error: unknown } | null = null
  const limit = pLimit(Math.max(1, concurrency))
  const runOne = async (item: T) => {
    if (poolSignal.aborted) return
    try {
      await work(item, poolSignal)
    } catch (error) {
      // Errors after the first (or after an interrupt) are the abort's echoes.
      if (firstError === null && !signal.aborted) {
        firstError = { error }
        failed.abort(new DOMException('another download failed', 'AbortError'))
      }
    }
  }
  await Promise.all(items.map((item) => limit(runOne, item)))
  if (firstError !== null && !signal.aborted) throw (firstError as { error: unknown }).error
}
