import { processGroupExecArgv, processGroupKillArgv } from '@cooperbench/backend-kit'

/**
 * The shell scripts this backend runs inside containers, and the `exec` arguments that run them.
 *
 * Killing a `docker exec` (or `podman exec`) client does not stop what it started in the
 * container. So every command runs under the backend kit's exec wrapper (`processGroupExecArgv`,
 * without a limit: the timeout is kept on this machine), and a stop runs the kit's kill script as
 * root in a second exec (`processGroupKillArgv`).
 */

/** Variable through which a string command's PATH survives `/etc/profile` in `bash -lc`. */
export const LOGIN_PATH_VARIABLE = 'COOPERBENCH_LOGIN_PATH'

/** Where the startup script installs {@link LOGIN_PATH_HOOK}. */
export const LOGIN_PATH_HOOK_FILE = '/etc/profile.d/zz-cooperbench-container-cli.sh'

/**
 * Sourced by login shells after `/etc/profile`, which on Debian and Alpine resets PATH and would
 * hide e.g. `/usr/local/cargo/bin` of a Rust image from `bash -lc`.
 */
export const LOGIN_PATH_HOOK = [
  '# Installed by the cooperbench container-cli backend: /etc/profile may have replaced PATH;',
  '# a command started with a PATH gets it back.',
  `if [ -n "\${${LOGIN_PATH_VARIABLE}-}" ]; then PATH=$${LOGIN_PATH_VARIABLE}; export PATH; fi`,
  `unset ${LOGIN_PATH_VARIABLE}`,
].join('\n')

/**
 * `sh -c LOGIN_ENTRY cooperbench-login <argv...>`: runs a login shell with the current PATH in
 * {@link LOGIN_PATH_VARIABLE}, for the profile hook to restore.
 */
export const LOGIN_ENTRY = `${LOGIN_PATH_VARIABLE}=$PATH exec "$@"`

/**
 * Run once as root when a sandbox starts (`sh -c STARTUP_SCRIPT cooperbench-startup <hook file>`):
 * makes `/patches` (writable by any user when we create it), installs the PATH hook, and prints
 * the repository's HEAD. Exit 3: the image has no `/workspace/repo`.
 */
export const STARTUP_SCRIPT = [
  '[ -d /patches ] || { mkdir -p /patches && chmod 1777 /patches; } || exit 2',
  'mkdir -p "$(dirname "$1")" || exit 2',
  `cat > "$1" <<'COOPERBENCH_HOOK' || exit 2\n${LOGIN_PATH_HOOK}\nCOOPERBENCH_HOOK`,
  'cd /workspace/repo || exit 3',
  // The repository may belong to another user than root; only HEAD is read.
  `git -c safe.directory='*' rev-parse HEAD`,
].join('\n')

/** What {@link execArguments} needs to know about one command. */
export interface ExecInvocation {
  container: string
  /** The exec's id, which the kill script is given. */
  id: string
  argv: readonly string[]
  cwd: string
  env: Readonly<Record<string, string>>
  /** Whether standard input is passed (`--interactive`). */
  stdin: boolean
  /** Whether argv is a login shell (`bash -lc`) that should get its PATH back. */
  login: boolean
  /** Run as this user (`0` for the backend's own housekeeping); default the image's user. */
  user?: string
}

/** `exec` arguments that run one command under the kit's exec wrapper. */
export function execArguments(invocation: ExecInvocation): string[] {
  const args = ['exec']
  if (invocation.stdin) args.push('--interactive')
  if (invocation.user !== undefined) args.push('--user', invocation.user)
  // The wrapper changes directory itself, so a missing one fails like in a shell; `/` always exists.
  args.push('--workdir', '/')
  for (const [key, value] of Object.entries(invocation.env)) args.push('--env', `${key}=${value}`)
  const argv = invocation.login ? ['sh', '-c', LOGIN_ENTRY, 'cooperbench-login', ...invocation.argv] : invocation.argv
  args.push(invocation.container, ...processGroupExecArgv(invocation.id, undefined, argv, invocation.cwd))
  return args
}

/** `exec` arguments that kill everything exec `id` started. */
export function killArguments(container: string, id: string): string[] {
  return ['exec', '--user', '0', '--workdir', '/', container, ...processGroupKillArgv(id)]
}
