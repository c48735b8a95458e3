import type { ExecResult } from '@cooperbench/spec'
import type { CappedOutput } from './capped-output.js'

/** Why a command ended before it exited on its own. */
export type StopReason = 'timeout' | 'abort' | 'terminate'

/** Where a command's stdout and stderr go, each capped. */
export interface CapturedOutput {
  stdout: CappedOutput
  stderr: CappedOutput
}

/** How a command ended, with its captured output. */
export interface CommandOutcome extends CapturedOutput {
  /** Exit status; -1 when it was stopped (or the backend lost it). */
  exitCode: number
  /** What ended the command early; null when it exited by itself. */
  stoppedBy: StopReason | null
  durationMs: number
}

/** The contract's result of a command whose output went into capped buffers. */
export function cappedExecResult(output: CapturedOutput, end: { exitCode: number; timedOut: boolean; durationMs: number }): ExecResult {
  return {
    exitCode: end.exitCode,
    stdout: output.stdout.text(),
    stderr: output.stderr.text(),
    timedOut: end.timedOut,
    truncated: output.stdout.truncated || output.stderr.truncated,
    durationMs: end.durationMs,
  }
}

/** The contract's result of a {@link CommandOutcome}: a stop by the timeout or the signal is `timedOut`, one by `terminate` is not. */
export function commandResult(outcome: CommandOutcome): ExecResult {
  return cappedExecResult(outcome, { ...outcome, timedOut: outcome.stoppedBy === 'timeout' || outcome.stoppedBy === 'abort' })
}

/** The result of a command whose signal was aborted before it started: stopped like one that timed out, with no output. */
export function abortedBeforeStart(): ExecResult {
  return { exitCode: -1, stdout: '', stderr: '', timedOut: true, truncated: false, durationMs: 0 }
}
