import { CooperbenchError } from '@cooperbench/spec'
import { type SupervisedCall, supervise } from '../util/supervise.js'
import type { RunPlan } from './plan.js'

/** Bounds on plugin calls: the signal aborts at the deadline; a call running `graceMs` later is abandoned, an error naming plugin and call. */
export const HARNESS_DEADLINES = {
  /** After an abort (deadline or Ctrl+C), how long a plugin call may take to settle. */
  graceMs: 10_000,
  /** A backend creating one sandbox (images are built beforehand). */
  createSandboxMs: 15 * 60_000,
  /** Taking an agent's patch: a few git commands. */
  extractPatchMs: 5 * 60_000,
  /** An evaluator's fixed part (sandbox, branches, merges); each feature's test run adds its timeout. */
  evaluationBaseMs: 20 * 60_000,
  /** One message-bus operation (send, receive, open, transcript…); a reply wait adds its own timeout. */
  busOperationMs: 30_000,
  /** A plugin's preflight check (a backend reaching its engine, an agent its model server). */
  preflightMs: 2 * 60_000,
  /** Per step of the step limit, when no agent wall clock is configured. */
  agentPerStepMs: 180_000,
  /** The agent's wall clock when neither a wall clock nor a step limit bounds it (step limit 0): two days. */
  agentNoStepLimitMs: 48 * 3_600_000,
} as const

/** `agentTimeoutMs`, else 3 minutes per step, else (no step limit) {@link HARNESS_DEADLINES.agentNoStepLimitMs}: never forever. */
export function agentDeadlineMs(plan: Pick<RunPlan, 'agentTimeoutMs' | 'agentLimits'>): number {
  if (plan.agentTimeoutMs !== null) return plan.agentTimeoutMs
  const { steps } = plan.agentLimits
  return steps > 0 ? steps * HARNESS_DEADLINES.agentPerStepMs : HARNESS_DEADLINES.agentNoStepLimitMs
}

/**
 * The value of a call supervised within its bound: an interruption or a rejection rethrows; one
 * abandoned at its deadline is an error naming `what` and the bound.
 */
export async function settledOrThrow<T>(what: string, call: SupervisedCall<T> & { timeoutMs: number; signal: AbortSignal }): Promise<T> {
  const { timeoutMs, signal } = call
  const outcome = await supervise(call)
  if (signal.aborted) throw signal.reason ?? new Error('interrupted')
  if (outcome.kind === 'fulfilled') return outcome.value
  if (outcome.kind === 'rejected' && outcome.aborted === null) throw outcome.error
  throw new CooperbenchError('SANDBOX_FAILED', `${what} did not finish within the harness's bound of ${Math.round(timeoutMs / 1000)} s`, {
    hint: "The plugin ignored its deadline; it was abandoned and its sandbox terminated. Report it to the plugin's authors.",
  })
}

/**
 * A preflight that never answers (a hung engine or model server) fails the run before any pair starts, naming the plugin. An
 * interrupted one gets the grace period to clean up what it made (the local backend's probe sandbox) before the command exits.
 */
export async function preflightWithinBound(what: string, check: (signal: AbortSignal) => Promise<void>, signal: AbortSignal): Promise<void> {
  const timeoutMs = HARNESS_DEADLINES.preflightMs
  const outcome = await supervise({ run: check, timeoutMs, graceMs: HARNESS_DEADLINES.graceMs, signal })
  if (signal.aborted) throw signal.reason ?? new Error('interrupted')
  if (outcome.kind === 'fulfilled') return
  if (outcome.kind === 'rejected' && outcome.aborted === null) throw outcome.error
  throw new CooperbenchError('BACKEND_UNAVAILABLE', `${what}: preflight did not answer within ${Math.round(timeoutMs / 1000)} s`, {
    hint: 'The service it checks accepts connections but does not answer; check that it is up and not overloaded, then run again.',
  })
}
