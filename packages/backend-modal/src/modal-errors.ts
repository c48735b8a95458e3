import { ClientError, Status } from 'nice-grpc-common'

/** gRPC codes after which a Modal call is tried again (the SDK's own retries past): unavailable, throttled, too slow. */
const TRANSIENT_CODES: ReadonlySet<Status> = new Set([Status.UNAVAILABLE, Status.RESOURCE_EXHAUSTED, Status.DEADLINE_EXCEEDED])

/** Whether a Modal call that failed with `error` is worth trying again. */
export function isTransientModalError(error: unknown): boolean {
  if (error instanceof ClientError) return TRANSIENT_CODES.has(error.code)
  // The SDK's own error for "too many requests / no capacity yet".
  return error instanceof Error && error.name === 'ResourceExhaustedError'
}

/** Whether Modal refused the credentials. */
export function isAuthenticationError(error: unknown): boolean {
  return error instanceof ClientError && (error.code === Status.UNAUTHENTICATED || error.code === Status.PERMISSION_DENIED)
}

/** A gRPC error's code name and details, or the error's message. */
export function modalMessage(error: unknown): string {
  if (error instanceof ClientError) return `${Status[error.code]}: ${error.details}`
  return error instanceof Error ? error.message : String(error)
}

/** The message the SDK gives when an image cannot be built (a registry image that cannot be pulled, among others). */
export function isImageBuildFailure(error: unknown): boolean {
  return error instanceof Error && /^Image build for \S+ (failed|timed out|terminated)/.test(error.message)
}

/** The message the SDK's exec gives when its own `timeoutMs` passed. */
export function isExecDeadline(error: unknown): boolean {
  return error instanceof Error && /Deadline exceeded while waiting for exec/.test(error.message)
}
