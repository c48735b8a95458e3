/**
 * Runs `work` on every item, `concurrency` at a time. The first failure stops the others (their
 * signal aborts) and is what this throws once every started item has settled; when `signal`
 * aborts, items not yet started are skipped and this returns normally (the caller checks the signal).
 */
export async function forEachConcurrently<T>(items: T[], concurrency: number, signal: AbortSignal, work: (item: T, signal: AbortSignal) => Promise<void>): Promise<void> {
  const failed = new AbortController()
  const poolSignal = AbortSignal.any([signal, failed.signal])
  let firstError: { error: unknown } | null = null
  let next = 0
  const worker = async () => {
    while (next < items.length && !poolSignal.aborted) {
      const item = items[next++]!
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
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker))
  if (firstError !== null && !signal.aborted) throw (firstError as { error: unknown }).error
}
