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
 * An isolated place to run one agent's or evaluation's commands, with the paths the dataset's scripts expect: the repository at the
 * base commit in `/workspace/repo`, `runner.sh` at `/usr/local/bin/runner.sh`, a writable `/patches`.
 */
export interface Sandbox {
  readonly id: string
  /** A string runs in `bash -lc`, whatever its length (past 128 KiB from a script: {@link loginShellInvocation}); an array runs as argv, no shell. */
  exec(command: string | string[], options?: ExecOptions): Promise<ExecResult>
  writeFile(path: string, data: string | Uint8Array): Promise<void>
  /** Optional: writes several files in one transfer, each as {@link writeFile} would (the evaluator stages patches so); else callers go one by one. */
  writeFiles?(files: ReadonlyMap<string, string | Uint8Array>): Promise<void>
  readFile(path: string): Promise<Uint8Array>
  /** Stops everything running in the sandbox and frees it. Idempotent. */
  terminate(): Promise<void>
  /**
   * Optional: makes a port a sandbox process listens on (127.0.0.1) reachable from the harness, resolving to its base URL here
   * (`http://127.0.0.1:<port>`) until the sandbox is terminated. For agents running as a server in the sandbox.
   */
  exposePort?(port: number): Promise<string>
  /**
   * Optional, for sandboxes seeing this machine's files (local): makes host file or folder `hostPath` readable inside, even over the
   * sandbox's own (its private `/tmp`), for commands started afterwards; resolves to its path inside (local: the same). For agents running
   * a program installed here (a CLI agent's npm binary); elsewhere they need an image layer. Refuses (SANDBOX_FAILED) a missing path or
   * one the sandbox must not see (the task's dataset folder, the run's log folder).
   */
  shareHostPath?(hostPath: string): Promise<string>
}

export const SANDBOX_REPO_DIR = '/workspace/repo'
export const SANDBOX_PATCHES_DIR = '/patches'
export const SANDBOX_RUNNER_PATH = '/usr/local/bin/runner.sh'
