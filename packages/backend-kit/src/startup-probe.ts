import { firstPrintedLine } from './first-printed-line.js'
import { CooperbenchError, SANDBOX_REPO_DIR, type SandboxSpec } from '@cooperbench/spec'
import { CONTAINER_STARTUP_SCRIPT, LOGIN_PATH_HOOK_FILE } from './long-command.js'
import { cleanRepoHistoryArgv, uncleanRepoError } from './repo-history.js'

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

/** Throws SANDBOX_FAILED unless startup found the repository at the base commit: a wrong or stale image fails at creation, not as a failed test. */
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

/** What a command run as root in a new sandbox printed, and how it exited. */
export interface RootCommandResult {
  exitCode: number
  stdout: string
  stderr: string
}

const STARTUP_TIMEOUT_MS = 120_000
/** Removing the later history of a large repository (repack + prune) takes seconds, rarely minutes. */
const CLEAN_TIMEOUT_MS = 600_000

/**
 * Starts a sandbox of a task image pulled as is (Modal, GCP) through `runAsRoot`: the checked startup script, then the later
 * history removed at each start (as upstream 0.0.23 does; other backends clean once per image). Returns the image's PATH.
 */
export async function startPulledSandbox(
  runAsRoot: (argv: string[], timeoutMs: number) => Promise<RootCommandResult>,
  sandboxId: string,
  spec: SandboxSpec,
  failedHint: string,
): Promise<string> {
  const probe = await runAsRoot(['sh', '-c', CONTAINER_STARTUP_SCRIPT, 'cooperbench-startup', LOGIN_PATH_HOOK_FILE], STARTUP_TIMEOUT_MS)
  const [path = '', head = ''] = probe.exitCode === 0 ? probe.stdout.trim().split('\n') : []
  // A failure says why on stderr; stdout then starts with the PATH line.
  checkStartupProbe({ exitCode: probe.exitCode, output: probe.stderr || probe.stdout, head }, sandboxId, spec, {
    notTaskImage: 'Task images clone the repository to /workspace/repo; check image.template and image.namespace point at task images.',
    failed: failedHint,
    stale: 'The pushed image is stale or belongs to another task: rebuild and push it.',
  })
  const cleaned = await runAsRoot(cleanRepoHistoryArgv(SANDBOX_REPO_DIR, spec.task.source.baseCommit ?? 'HEAD'), CLEAN_TIMEOUT_MS)
  if (cleaned.exitCode !== 0) throw uncleanRepoError(sandboxId, cleaned.exitCode, `${cleaned.stdout}${cleaned.stderr}`)
  return path.trim() || '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
}
