/**
 * Interrupted work must not leave a verdict behind: when the caller's signal fires, the
 * evaluator rejects with an error named `AbortError` (and the runner writes no eval.json).
 */
export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason
  if (reason instanceof Error && reason.name === 'AbortError') return reason
  const error = new Error('The evaluation was aborted', reason === undefined ? undefined : { cause: reason })
  error.name = 'AbortError'
  return error
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted === true) throw abortError(signal)
}
