import { type FailureKind, isModelCallError } from '../llm/errors.js'

/**
 * Model call failures of the provider's or the configuration's making (down, overloaded,
 * unreachable, too slow; a key it refuses; a URL that does not serve the API): never the agent's.
 */
export function providerFailure(cause: unknown): boolean {
  return isModelCallError(cause) && PROVIDER_FAILURES.has(cause.kind)
}

const PROVIDER_FAILURES = new Set<FailureKind>(['connection', 'timeout', 'server', 'rate-limit', 'auth', 'protocol'])

/** A model call that failed after the client's retries: the agent ends with status `Error`. */
export class ModelCallFailed extends Error {}
