import type { FailureOrigin } from '@cooperbench/spec'

/** The harness's status of a SWE-agent exit status. */
type Status = 'Submitted' | 'LimitsExceeded' | 'Error'

/**
 * How a run ended: SWE-agent 1.1's exit status and the harness's. Upstream's adapter maps all but `submitted` to `Error`
 * (it waits for `max_steps`/`cost_limit`, never reported); here SWE-agent's limits are `LimitsExceeded`, as for every agent.
 */
export class Exit extends Error {
  constructor(
    readonly sweStatus: string,
    readonly status: Status,
    /** What ended the run, in words (SWE-agent's log line); the patch for a submission. */
    readonly content: string,
    /** SWE-agent tries to submit the working tree after most exits (`attempt_autosubmission_after_error`). */
    readonly autosubmit: boolean,
    readonly failure?: FailureOrigin,
    /** Thrown on once the exit is recorded: an error of the sandbox or the harness, for the harness to report. */
    readonly rethrow?: unknown,
  ) {
    super(sweStatus)
  }
}

export const exits = {
  submitted: (patch: string) => new Exit('submitted', 'Submitted', patch, false),
  cost: (what: string) => new Exit('exit_cost', 'LimitsExceeded', `Exit due to cost limit (${what})`, true),
  totalExecutionTime: () => new Exit('exit_total_execution_time', 'LimitsExceeded', 'Exit due to total execution time exceeded', true),
  commandTimeouts: () => new Exit('exit_command_timeout', 'Error', 'Exit due to multiple consecutive command timeouts', true, 'agent'),
  format: () => new Exit('exit_format', 'Error', 'Exit due to repeated format/blocklist/bash syntax errors', true, 'agent'),
  exitCommand: () => new Exit('exit_command', 'Error', 'Exited (the model ran `exit`)', false, 'agent'),
  unpriced: (model: string, limit: number) =>
    new Exit(
      'exit_error',
      'Error',
      `Exit due to unknown error: no price is known for model ${model}, and SWE-agent refuses to go on under a cost limit ($${limit}) it cannot count: set it to 0 (--cost-limit 0)`,
      true,
      'infra',
    ),
  api: (message: string, failure: FailureOrigin) => new Exit('exit_api', 'Error', `Exit due to model error: ${message}`, true, failure),
  wallClock: () => new Exit('exit_total_execution_time', 'LimitsExceeded', 'the harness wall-clock limit was reached', false),
  /** A configuration that cannot run this pair (its first messages hide the task): not the agent's failure, and no pair to judge. */
  configuration: (message: string) => new Exit('exit_error', 'Error', message, false, 'infra'),
  environment: (message: string, error: unknown) =>
    new Exit('exit_environment_error', 'Error', `Exit due to environment error: ${message}`, false, undefined, error),
}
