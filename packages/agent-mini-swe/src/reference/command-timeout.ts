import type { CommandOutcome } from '../agent/observation.js'
import type { MiniSweAgentOptions } from '../agent/options.js'
import type { ReferenceProtocol } from './config.js'
import { followsAtLeast } from './reference-version.js'

/** Upstream 0.0.25's `command_timeout` default (its environments' config, CHANGELOG 0.0.25). */
const COMMAND_TIMEOUT_FROM_0_0_25 = 300

/** The per-command timeout: the options' when they set one, else the version's (0.0.14: the options' default, 3600 s). */
export function referenceCommandTimeout(config: ReferenceProtocol, options: MiniSweAgentOptions): number {
  if (config.setsCommandTimeout || !followsAtLeast(config.version, '0.0.25')) return options.command_timeout_seconds
  return COMMAND_TIMEOUT_FROM_0_0_25
}

/** What a timed-out command shows the model: its output, return code and `exception_info`, by version. */
export function timedOutResult(
  config: ReferenceProtocol,
  outcome: CommandOutcome,
  timeoutSeconds: number,
): { output: string; returncode: number; exception_info: string } {
  if (!followsAtLeast(config.version, '0.0.25')) {
    // 0.0.14's docker environment: the exception's text, return code -1, the partial output.
    const exception_info = `An error occurred while executing the command: the command timed out after ${timeoutSeconds} seconds`
    return { output: outcome.output, returncode: outcome.returncode, exception_info }
  }
  // 0.0.25 on: coreutils `timeout` ends the command with 124 and the environment appends a notice
  // (upstream environments/modal.py, `execute`, read at 04846de), so the agent is told why.
  const notice = `\n[cooperbench] command killed after ${timeoutSeconds}s. Re-run it in a form that terminates.`
  return { output: outcome.output + notice, returncode: 124, exception_info: '' }
}
