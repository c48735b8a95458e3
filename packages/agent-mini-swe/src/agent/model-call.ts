import { type FailureKind, isModelCallError } from '../llm/errors.js'

/** Failures of the provider's or configuration's making (down, overloaded, unreachable, slow; a refused key; not the API): never the agent's. */
export function providerFailure(cause: unknown): boolean {
  return isModelCallError(cause) && PROVIDER_FAILURES.has(cause.kind)
}

const PROVIDER_FAILURES = new Set<FailureKind>(['connection', 'timeout', 'server', 'rate-limit', 'auth', 'protocol'])

/** A model call that failed after the client's retries: the agent ends with status `Error`. */
export class ModelCallFailed extends Error {}
