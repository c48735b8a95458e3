import { randomUUID } from 'node:crypto'
import { posix } from 'node:path'
import { type ExecOptions, SANDBOX_REPO_DIR, CooperbenchError } from '@cooperbench/spec'

/** Longest string command (UTF-8 bytes) passed inline to `bash -lc`: half Linux's 128 KiB MAX_ARG_STRLEN, as a backend may wrap it in more. */
export const INLINE_COMMAND_MAX_BYTES = 64 * 1024

/** A script a backend writes into the sandbox before running a long command. */
export interface CommandScript {
  /** Absolute path inside the sandbox: a unique name under `/tmp`. */
  path: string
  /** The script: a first line that deletes the script, then the command. */
  content: string
}

/** How a backend runs one string command of `Sandbox.exec`. */
export interface LoginShellInvocation {
  /** What to execute: `['bash', '-lc', command]`, or `['bash', '-l', script.path]`. */
  argv: string[]
  /** Present for a long command: write it (as the command's user) before running `argv`. */
  script?: CommandScript
}

/**
 * The argv running a string command in a login shell, as `Sandbox.exec` promises. One over {@link INLINE_COMMAND_MAX_BYTES} goes
 * into a `/tmp` script for `bash -l` that deletes itself as it starts; a backend removes it when the command was stopped before.
 */
export function loginShellInvocation(command: string): LoginShellInvocation {
  if (Buffer.byteLength(command, 'utf8') <= INLINE_COMMAND_MAX_BYTES) return { argv: ['bash', '-lc', command] }
  const path = `/tmp/.cooperbench-command-${randomUUID()}.sh`
  return {
    argv: ['bash', '-l', path],
    script: { path, content: `rm -f -- "$0"\n${command}\n` },
  }
}

/**
 * Login-shell hook written into every container sandbox: Debian's and older Alpine's `/etc/profile` reset PATH (a rust or go image
 * would lose its toolchain under `bash -lc`), so each string command passes PATH in `COOPERBENCH_PATH`, which the hook restores.
 */
export const LOGIN_PATH_HOOK_FILE = '/etc/profile.d/zz-cooperbench-path.sh'
export const LOGIN_PATH_HOOK = [
  '# Written by cooperbench: /etc/profile may reset PATH for login shells (bash -lc);',
  '# this restores the PATH the command was given.',
  'if [ -n "${COOPERBENCH_PATH-}" ]; then PATH=$COOPERBENCH_PATH; export PATH; fi',
  'unset COOPERBENCH_PATH',
].join('\n')

/**
 * `sh -c <script> cooperbench-startup <hook file>`, once per new container sandbox as root: makes `/patches`, writes the
 * {@link LOGIN_PATH_HOOK}, prints the image's PATH first when `printPath` (for a backend that cannot read the image's config) and
 * the repository's HEAD last (the repository may be another user's). Exit 3: no `/workspace/repo`.
 */
export function containerStartupScript(printPath: boolean): string {
  return [
    'mkdir -p /patches "$(dirname "$1")" || exit 1',
    `cat > "$1" <<'COOPERBENCH_EOF'\n${LOGIN_PATH_HOOK}\nCOOPERBENCH_EOF`,
    ...(printPath ? ['printf "%s\\n" "$PATH"'] : []),
    'cd /workspace/repo || exit 3',
    `git -c safe.directory='*' rev-parse HEAD`,
  ].join('\n')
}

/** {@link containerStartupScript} printing the PATH. */
export const CONTAINER_STARTUP_SCRIPT = containerStartupScript(true)

/** What a container backend runs for one `Sandbox.exec` call, from its command and options. */
export interface SandboxCommand {
  argv: string[]
  /** `options.env`, plus `COOPERBENCH_PATH` (the PATH to restore in the login shell) for a string command. */
  env: Record<string, string>
  /** Absolute: `options.cwd` resolved against `/workspace/repo`. */
  cwd: string
  /** For a long string command: write it first, and remove it after (see {@link loginShellInvocation}). */
  script: CommandScript | null
}

/** A string command runs in a login shell with the image's PATH (`imagePath`, `options.env.PATH`) for the PATH hook; an argv as is (empty: throws). */
export function sandboxCommand(sandboxId: string, command: string | string[], options: ExecOptions, imagePath: string): SandboxCommand {
  const env: Record<string, string> = { ...options.env }
  const cwd = posix.resolve(SANDBOX_REPO_DIR, options.cwd ?? SANDBOX_REPO_DIR)
  if (typeof command !== 'string') {
    if (command.length === 0) throw new CooperbenchError('SANDBOX_FAILED', `sandbox ${sandboxId}: exec was given an empty argv`)
    return { argv: command, env, cwd, script: null }
  }
  const invocation = loginShellInvocation(command)
  env.COOPERBENCH_PATH = options.env?.PATH ?? imagePath
  return { argv: invocation.argv, env, cwd, script: invocation.script ?? null }
}
