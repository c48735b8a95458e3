/** Interrupted work leaves no verdict: when the caller's signal fires the evaluator rejects with an `AbortError` (and no eval.json is written). */
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
