/** Options of one command run inside a sandbox. */
export interface ExecOptions {
  /** Working directory inside the sandbox; defaults to the repository, `/workspace/repo`. */
  cwd?: string
  /** Extra environment variables for this command. */
  env?: Record<string, string>
  /** Kill the command (and everything it started) after this many milliseconds. */
  timeoutMs?: number
  /** Bytes or text written to the command's standard input, then closed; absent: stdin is closed at once (reads see end of file). */
  stdin?: string | Uint8Array
  /** Aborting kills the command like a timeout does. */
  signal?: AbortSignal
  /** Cap on each of stdout and stderr; longer output is cut and marked. */
  maxOutputBytes?: number
}

export interface ExecResult {
  /** The command's exit status; -1 when it was killed by the timeout or the signal. */
  exitCode: number
  stdout: string
  stderr: string
  timedOut: boolean
  /** True when stdout or stderr hit `maxOutputBytes` and were cut. */
  truncated: boolean
  durationMs: number
}

/**
 * An isolated place to run commands for one agent or one evaluation. The task's repository is at
 * `/workspace/repo` at the base commit, its `runner.sh` at `/usr/local/bin/runner.sh`, and
 * `/patches` exists and is writable: the paths the dataset's scripts expect.
 */
export interface Sandbox {
  readonly id: string
  /**
   * A string is run by `bash -lc`, whatever its length (backends run one over the kernel's
   * 128 KiB argument limit from a script: {@link loginShellInvocation}); an array is executed as
   * argv without a shell.
   */
  exec(command: string | string[], options?: ExecOptions): Promise<ExecResult>
  writeFile(path: string, data: string | Uint8Array): Promise<void>
  /**
   * Optional: writes several files in one transfer, each exactly as {@link writeFile} would
   * (the evaluator stages a pair's patches with it). Without it, callers write file by file.
   */
  writeFiles?(files: ReadonlyMap<string, string | Uint8Array>): Promise<void>
  readFile(path: string): Promise<Uint8Array>
  /** Stops everything running in the sandbox and frees it. Idempotent. */
  terminate(): Promise<void>
  /**
   * Optional: makes a TCP port that a process in the sandbox listens on (on 127.0.0.1) reachable
   * from the harness; resolves to its base URL on this machine (`http://127.0.0.1:<port>`), valid
   * until the sandbox is terminated. Agents that run as a server in the sandbox need it.
   */
  exposePort?(port: number): Promise<string>
  /**
   * Optional, for sandboxes that see this machine's files (the local backend): makes the host
   * file or directory `hostPath` readable in the sandbox, even where the sandbox has a directory
   * of its own (its private `/tmp`), and resolves to its path inside (the same path on the
   * local backend). Commands started afterwards see it. Agents that run a program installed on
   * this machine (a CLI agent's npm binary) ask for it; sandboxes on other machines lack it, and
   * such agents need an image layer there. Refuses (SANDBOX_FAILED) a path that does not exist
   * or that the sandbox must not see (the task's dataset folder, the run's log folder).
   */
  shareHostPath?(hostPath: string): Promise<string>
}

export const SANDBOX_REPO_DIR = '/workspace/repo'
export const SANDBOX_PATCHES_DIR = '/patches'
export const SANDBOX_RUNNER_PATH = '/usr/local/bin/runner.sh'
