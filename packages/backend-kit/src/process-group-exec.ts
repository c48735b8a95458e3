/**
 * The in-container kill protocol of every container backend: killing a command's client (`docker exec`, Modal's exec) does not
 * stop what it started inside, so each command runs under a wrapper that makes it findable ({@link processGroupExecArgv}) and a
 * second command kills it ({@link processGroupKillArgv}). Only POSIX sh and /proc are needed.
 */

/** Where the wrapper records running commands: outside /tmp, which agents and tests look at. */
export const EXEC_RECORD_DIR = '/run/cooperbench'

/** Environment variable whose value is the exec id; every process of the command inherits it. */
export const EXEC_MARKER_VARIABLE = 'COOPERBENCH_EXEC_ID'

/**
 * `sh -c PROCESS_GROUP_EXEC_WRAPPER cooperbench-exec <exec id> <limit seconds> <cwd> <argv…>`: enters `cwd` (missing: exit 1),
 * runs argv as a child marked with {@link EXEC_MARKER_VARIABLE}, its pid recorded under the exec id until it ends. With a limit,
 * GNU `timeout` leads its own group and kills it at the limit (KILL 5 s later): exit 124 / 137. Without (0), `setsid` (if present)
 * makes the child lead a session and group, so the kill reaches it all at once. Stdin goes through fd 3: a non-interactive
 * shell's background job would read /dev/null.
 */
const PROCESS_GROUP_EXEC_WRAPPER = [
  // The folder exists from the sandbox's first command on: no mkdir process for every later one.
  `d=${EXEC_RECORD_DIR}; [ -d "$d" ] || mkdir -p "$d" 2>/dev/null || d=/tmp`,
  `f="$d/exec-$1"; ${EXEC_MARKER_VARIABLE}=$1; export ${EXEC_MARKER_VARIABLE}; limit=$2`,
  'cd -- "$3" || exit 1',
  'shift 3',
  'exec 3<&0',
  'if [ "$limit" != 0 ]; then timeout -k 5 "$limit" "$@" <&3 3<&- &',
  'elif command -v setsid >/dev/null 2>&1; then setsid "$@" <&3 3<&- &',
  'else "$@" <&3 3<&- &',
  'fi',
  'pid=$!',
  'echo "$pid" > "$f"',
  'wait "$pid"; code=$?',
  'rm -f "$f"',
  'exit "$code"',
].join('\n')

/**
 * `sh -c PROCESS_GROUP_KILL_SCRIPT cooperbench-kill <exec id>`, best as root: reads the recorded process (waiting up to 5 s for one
 * still starting), lists it and its group, every process with the exec's marker, all in their sessions and groups and all their
 * descendants, then SIGKILLs the list at once: a child that called setsid and cleared its environment is found only as a
 * descendant, and killing its parent first would orphan it out of reach. Sessions and groups persist across rounds, catching a
 * process forked between two. Exits 0 once a round finds nothing, 1 after 20. (dash's `kill` takes no `--`: a group is `-<pid>`.)
 */
const PROCESS_GROUP_KILL_SCRIPT = [
  'id=$1',
  'recorded=',
  'for i in $(seq 1 50); do',
  `  for d in ${EXEC_RECORD_DIR} /tmp; do`,
  '    if recorded=$(cat "$d/exec-$id" 2>/dev/null); then break 2; fi',
  '  done',
  '  sleep 0.1',
  'done',
  `marker="${EXEC_MARKER_VARIABLE}=$id"`,
  'read -r own < /proc/self/stat 2>/dev/null || exit 0',
  'set -- ${own##*) }',
  // Our own session is skipped (the listing's tr and grep live there), unless it is the init's.
  'own_session=$4',
  '[ "$own_session" -gt 1 ] || own_session=none',
  "sessions=' ' groups=' '",
  // The recorded command leads its own group (timeout or setsid made it so): the group is a seed.
  '[ -n "$recorded" ] && groups=" $recorded "',
  'round=0',
  'while [ "$round" -lt 20 ]; do',
  '  round=$((round + 1))',
  "  table='' victims=' '",
  '  [ -n "$recorded" ] && [ -d "/proc/$recorded" ] && victims=" $recorded "',
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
  '  [ "$victims" = \' \' ] && exit 0',
  '  kill -KILL $victims 2>/dev/null',
  'done',
  'exit 1',
].join('\n')

/** `timeout`'s exit codes when the limit was reached (124) or it had to KILL (137). */
const TIMEOUT_EXIT_CODES: ReadonlySet<number> = new Set([124, 137])

/**
 * The wrapper's argv for one command. `timeoutMs` enforces the limit inside the sandbox (for platforms that cannot stop a command
 * from outside); a backend killing on its own timer passes undefined. `cwd` defaults to where the platform starts it.
 */
export function processGroupExecArgv(execId: string, timeoutMs: number | undefined, argv: readonly string[], cwd = '.'): string[] {
  const limitSeconds = timeoutMs === undefined ? 0 : Math.max(1, Math.ceil(timeoutMs / 1000))
  return ['sh', '-c', PROCESS_GROUP_EXEC_WRAPPER, 'cooperbench-exec', execId, String(limitSeconds), cwd, ...argv]
}

/** The kill script's argv for one command. */
export function processGroupKillArgv(execId: string): string[] {
  return ['sh', '-c', PROCESS_GROUP_KILL_SCRIPT, 'cooperbench-kill', execId]
}

/** Whether a command under `timeout` stopped at `limitMs`: a {@link TIMEOUT_EXIT_CODES} code at most 1 s early (an earlier KILL, OOM or outside, is none). */
export function reachedTimeLimit(exitCode: number, durationMs: number, limitMs: number): boolean {
  return TIMEOUT_EXIT_CODES.has(exitCode) && durationMs >= limitMs - 1000
}
