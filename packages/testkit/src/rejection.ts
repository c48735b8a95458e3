import { type CooperbenchError, isCooperbenchError } from '@cooperbench/core'

/**
 * The CooperbenchError a promise rejects with; throws when it resolves or rejects with anything else.
 * Call it on the promise as soon as it exists, so a rejection is never unhandled while a test awaits something else.
 */
export async function cooperbenchRejection(promise: Promise<unknown>): Promise<CooperbenchError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  )
  if (!isCooperbenchError(error)) throw new Error(`expected a CooperbenchError, got ${String(error)}`)
  return error
}
