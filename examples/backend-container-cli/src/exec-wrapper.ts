/**
 * The shell scripts this backend runs inside containers, and the `exec` arguments that run them.
 *
 * Killing a `docker exec` (or `podman exec`) client does not stop what it started in the
 * container. So every command runs under {@link EXEC_WRAPPER}, which the engine starts as the
 * leader of a new session and which stays the parent of the command; the wrapper and everything
 * it starts inherit the variable {@link EXEC_MARKER_VARIABLE}. To stop a command, a second exec
 * runs {@link KILL_SCRIPT} as root: it kills the sessions and process groups of the marked
 * processes and their descendants, in rounds until none is left. Only POSIX sh, `tr` and `grep`
 * are needed, so it works in Debian, Alpine (busybox) and most other images.
 */

/** Environment variable whose value identifies one exec; inherited by all its processes. */
export const EXEC_MARKER_VARIABLE = 'COOPERBENCH_EXEC_ID'

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
 * `sh -c EXEC_WRAPPER cooperbench-exec <dir> <plain|login> <argv...>`: enters the directory (a
 * missing one fails like a shell would, exit 1), then runs argv as a child and exits with its
 * status. It does not `exec` the command, so that the session leader keeps the marker even when
 * the command clears its environment. `login` hands the current PATH to the profile hook.
 */
export const EXEC_WRAPPER = [
  'dir=$1 mode=$2',
  'shift 2',
  'cd -- "$dir" || exit 1',
  `if [ "$mode" = login ]; then ${LOGIN_PATH_VARIABLE}=$PATH "$@"; else "$@"; fi`,
].join('\n')

/**
 * `sh -c KILL_SCRIPT cooperbench-kill <exec id>`, as root: SIGKILLs every process that carries
 * the exec's marker, every process in their sessions and process groups, and their descendants
 * (a child that called setsid and cleared its environment is still a descendant until its parent
 * dies, which this kill causes only after the child is on the list). Sessions and groups found
 * are remembered across rounds, so a process forked between two rounds is caught in the next.
 * Exits 0 once a round finds nothing, 1 after 20 rounds.
 */
export const KILL_SCRIPT = [
  `marker="${EXEC_MARKER_VARIABLE}=$1"`,
  'read -r own < /proc/self/stat',
  'set -- ${own##*) }',
  // Our own session is skipped (the listing's tr and grep live there), unless it is the init's.
  'own_session=$4',
  '[ "$own_session" -gt 1 ] || own_session=none',
  "sessions=' ' groups=' '",
  'round=0',
  'while [ "$round" -lt 20 ]; do',
  '  round=$((round + 1))',
  "  table='' victims=' '",
  '  for dir in /proc/[0-9]*; do',
  '    pid=${dir#/proc/}',
  '    { read -r stat < "$dir/stat"; } 2>/dev/null || continue',
  // Fields after "(comm) ": state, ppid, process group, session.
  '    set -- ${stat##*) }',
  '    [ "$pid" = 1 ] || [ "$pid" = $$ ] || [ "$2" = $$ ] || [ "$4" = "$own_session" ] && continue',
  '    table="$table$pid $2 $3 $4',
  '"',
  '    if { tr "\\000" "\\n" < "$dir/environ" | grep -qxF "$marker"; } 2>/dev/null; then',
  '      victims="$victims$pid "',
  '      if [ "$4" -gt 1 ]; then case $sessions in *" $4 "*) ;; *) sessions="$sessions$4 " ;; esac; fi',
  '      if [ "$3" -gt 1 ]; then case $groups in *" $3 "*) ;; *) groups="$groups$3 " ;; esac; fi',
  '    fi',
  '  done',
  '  grown=1',
  '  while [ -n "$grown" ]; do',
  '    grown=',
  '    while read -r pid ppid group session; do',
  '      [ -n "$pid" ] || continue',
  '      case $victims in *" $pid "*) continue ;; esac',
  '      case $sessions in *" $session "*) victims="$victims$pid " grown=1; continue ;; esac',
  '      case $groups in *" $group "*) victims="$victims$pid " grown=1; continue ;; esac',
  '      case $victims in *" $ppid "*) victims="$victims$pid " grown=1 ;; esac',
  '    done <<COOPERBENCH_TABLE',
  '$table',
  'COOPERBENCH_TABLE',
  '  done',
  "  [ \"$victims\" = ' ' ] && exit 0",
  '  kill -KILL $victims 2>/dev/null',
  'done',
  'exit 1',
].join('\n')

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
  /** The exec's id, the value of the marker variable. */
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

/** `exec` arguments that run one command under {@link EXEC_WRAPPER}. */
export function execArguments(invocation: ExecInvocation): string[] {
  const args = ['exec']
  if (invocation.stdin) args.push('--interactive')
  if (invocation.user !== undefined) args.push('--user', invocation.user)
  // The wrapper changes directory itself, so a missing one fails like in a shell; `/` always exists.
  args.push('--workdir', '/')
  for (const [key, value] of Object.entries(invocation.env)) args.push('--env', `${key}=${value}`)
  args.push('--env', `${EXEC_MARKER_VARIABLE}=${invocation.id}`)
  args.push(invocation.container, 'sh', '-c', EXEC_WRAPPER, 'cooperbench-exec', invocation.cwd, invocation.login ? 'login' : 'plain', ...invocation.argv)
  return args
}

/** `exec` arguments that kill everything exec `id` started. */
export function killArguments(container: string, id: string): string[] {
  return ['exec', '--user', '0', '--workdir', '/', container, 'sh', '-c', KILL_SCRIPT, 'cooperbench-kill', id]
}
