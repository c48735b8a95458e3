import { firstPrintedLine } from './first-printed-line.js'
import { CooperbenchError, type SandboxSpec } from '@cooperbench/spec'

/** What the startup script of a new container sandbox answered. */
export interface StartupProbeResult {
  exitCode: number | null
  /** Its standard output and error together: the details of a failure. */
  output: string
  /** The repository's HEAD as it printed it. */
  head: string
}

/** The backend's advice for each way a startup check fails. */
export interface StartupProbeHints {
  /** Exit 3: the image has no `/workspace/repo`. */
  notTaskImage: string
  /** Any other failure: how to look inside the image. */
  failed: string
  /** HEAD is not the task's base commit: how to rebuild or remove the image. */
  stale: string
}

/**
 * Throws SANDBOX_FAILED unless the startup script of sandbox `sandboxId` succeeded and found the
 * repository at the task's base commit, so that a wrong or stale image fails at creation and
 * not as a failed test. Exit 3 is the script's "no /workspace/repo".
 */
export function checkStartupProbe(probe: StartupProbeResult, sandboxId: string, spec: SandboxSpec, hints: StartupProbeHints): void {
  const task = `${spec.task.repo}/${spec.task.taskId}`
  if (probe.exitCode === 3) {
    throw new CooperbenchError('SANDBOX_FAILED', `image ${spec.image} has no /workspace/repo, which every task image must have`, { hint: hints.notTaskImage })
  }
  if (probe.exitCode !== 0) {
    const output = probe.output.trim()
    // The message is what eval.json and result.json record: it carries the first line printed.
    const said = output === '' ? '' : `: ${firstPrintedLine(output)}`
    throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${sandboxId} for ${task} does not start (exit ${probe.exitCode})${said}`, {
      details: output === '' ? [] : output.split('\n'),
      hint: hints.failed,
    })
  }
  const head = probe.head.trim()
  const expected = spec.task.source.baseCommit?.toLowerCase()
  if (expected && head !== expected) {
    throw new CooperbenchError('SANDBOX_FAILED', `image ${spec.image} has /workspace/repo at ${head}, but the base commit of ${task} is ${expected}`, {
      hint: hints.stale,
    })
  }
}
