import { errorMessage, type FailureOrigin } from '@cooperbench/spec'
import { type FailureKind, isModelCallError } from '../llm/errors.js'
import type { ChatModel, CompleteRequest, ModelResponse } from '../llm/index.js'

const PROVIDER_FAILURES = new Set<FailureKind>(['connection', 'timeout', 'server', 'rate-limit', 'auth', 'protocol'])

/** A model call that failed after the client's retries: the agent ends with status `Error`. */
export class ModelCallFailed extends Error {
  /** `infra` for failures of the provider's or configuration's making (down, overloaded, unreachable, slow; a refused key; not the API). */
  get origin(): FailureOrigin {
    return isModelCallError(this.cause) && PROVIDER_FAILURES.has(this.cause.kind) ? 'infra' : 'agent'
  }
}

/** `model.complete`; a failure that is not the request's abort is thrown as {@link ModelCallFailed}. */
export async function completeOrFail(model: ChatModel, request: CompleteRequest): Promise<ModelResponse> {
  try {
    return await model.complete(request)
  } catch (error) {
    request.signal?.throwIfAborted()
    throw new ModelCallFailed(`model call failed: ${errorMessage(error)}`, { cause: error })
  }
}
