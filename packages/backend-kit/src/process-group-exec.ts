/**
 * Helpers for backends whose platform cannot kill one running command (Modal's exec, `docker
 * exec` over SSH): a wrapper that makes a command's timeout real inside the sandbox, and a
 * script that kills it from a second command.
 */

/** Where the wrapper records running commands: outside /tmp, which agents and tests look at. */
export const EXEC_RECORD_DIR = '/run/cooperbench'

/**
 * `sh -c PROCESS_GROUP_EXEC_WRAPPER cooperbench-exec <exec id> <limit seconds> <argv…>`: GNU
 * `timeout` runs the command as the leader of a process group of its own and kills the whole
 * group at the limit (then KILLs after 5 s), so a timeout stops the command and what it started.
 * While it runs, the group's id is recorded under the exec id, so {@link PROCESS_GROUP_KILL_SCRIPT}
 * can kill it; the record is removed when the command ends. Standard input goes through fd 3: a
 * background job of a non-interactive shell would otherwise read /dev/null. A limit of 0 means
 * none. Exit codes are the command's, or 124 (limit reached) / 137 (killed).
 */
export const PROCESS_GROUP_EXEC_WRAPPER = [
  `d=${EXEC_RECORD_DIR}; mkdir -p "$d" 2>/dev/null || d=/tmp`,
  'f="$d/exec-$1"; limit=$2; shift 2',
  'exec 3<&0',
  'timeout -k 5 "$limit" "$@" <&3 3<&- &',
  'pid=$!',
  'echo "$pid" > "$f"',
  'wait "$pid"; code=$?',
  'rm -f "$f"',
  'exit "$code"',
].join('\n')

/**
 * `sh -c PROCESS_GROUP_KILL_SCRIPT cooperbench-kill <exec id>`: kills the process group recorded
 * for the exec, waiting up to 5 s for the record when the command is still starting. (dash's
 * `kill` takes no `--`: the group is given as `-<pid>` directly.)
 */
export const PROCESS_GROUP_KILL_SCRIPT = [
  'for i in $(seq 1 50); do',
  `  for d in ${EXEC_RECORD_DIR} /tmp; do`,
  '    if pid=$(cat "$d/exec-$1" 2>/dev/null); then kill -KILL "-$pid" 2>/dev/null; kill -KILL "$pid" 2>/dev/null; exit 0; fi',
  '  done',
  '  sleep 0.1',
  'done',
].join('\n')

/** `timeout`'s exit codes when the limit was reached (124) or it had to KILL (137). */
export const TIMEOUT_EXIT_CODES: ReadonlySet<number> = new Set([124, 137])

/** The wrapper's argv for one command: run it with `sh -c`. */
export function processGroupExecArgv(execId: string, timeoutMs: number | undefined, argv: string[]): string[] {
  const limitSeconds = timeoutMs === undefined ? 0 : Math.max(1, Math.ceil(timeoutMs / 1000))
  return ['sh', '-c', PROCESS_GROUP_EXEC_WRAPPER, 'cooperbench-exec', execId, String(limitSeconds), ...argv]
}

/** The kill script's argv for one command. */
export function processGroupKillArgv(execId: string): string[] {
  return ['sh', '-c', PROCESS_GROUP_KILL_SCRIPT, 'cooperbench-kill', execId]
}
