/** How a step of a run ends early: cancelled (interrupt, pause+interrupt, DELETE), or an error the SDK names. */

/** The run was cancelled: the step in flight stops (its LLM request aborted, its command killed). */
export class CancelledError extends Error {
  constructor() {
    super('cancelled')
  }
}

/** An error the run loop turns into a ConversationErrorEvent with `code` = the SDK's exception class. */
export class CodedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}
