import type { CommandTool } from '@cooperbench/spec'

/**
 * A seat's command tools as POSIX sh needing no Python, client or network: a command drops its argv
 * in a spool folder and waits for the answer file, which the harness (`ToolServer`) files after
 * running the tool on the host as the seat's agent. Files and a poll work on every backend,
 * `--network none` and remote VMs included.
 *
 * Spool under `dir`: `req/<id>.req` (the tool's name, then its arguments, each ended by a NUL;
 * `<name>+stdin`, the count of arguments, the arguments and stdin when it read its last one there),
 * `res/<id>` (the exit code's line, then the output), `bin/` (the commands).
 */

/** The spool's folder inside a sandbox; the commands are in its `bin/` (`SEAT_COMMAND_DIR`). */
export const TOOL_SPOOL_DIR = '/tmp/.cooperbench-tools'

/** The request's first field when the command read its last argument from stdin. */
export const STDIN_SUFFIX = '+stdin'

/** How long a command waits for the harness's answer before it gives up (exit 1), unless `COOPERBENCH_TOOL_TIMEOUT` says otherwise. */
export const TOOL_ANSWER_TIMEOUT_SECONDS = 300

/** The script of one command tool. */
export function toolScript(dir: string, tool: Pick<CommandTool, 'name' | 'description' | 'stdinAfter' | 'waitOption'>): string {
  const { name, stdinAfter, waitOption } = tool
  const waits = waitOption ? `\n    ${waitOption}) next=1 ;;\n    ${waitOption}=*) wait_s="\${a#${waitOption}=}" ;;` : ''
  const write =
    stdinAfter === undefined && !waitOption
      ? `wait_s=0
printf '%s\\0' ${name} "$@" > "$spool/req/.$id.tmp"
`
      : `npos=0; help=0; only=0; next=; wait_s=0
for a in "$@"; do
  if [ -n "$next" ]; then next=; wait_s="$a"; continue; fi
  if [ "$only" = 1 ]; then npos=$((npos + 1)); continue; fi
  case "$a" in
    --) only=1 ;;
    -h|--help) help=1 ;;${waits}
    -) npos=$((npos + 1)) ;;
    -*) ;;
    *) npos=$((npos + 1)) ;;
  esac
done
wait_s="\${wait_s%%.*}"
case "$wait_s" in ''|*[!0-9]*) wait_s=0 ;; esac
${
  stdinAfter === undefined
    ? `printf '%s\\0' ${name} "$@" > "$spool/req/.$id.tmp"`
    : `if [ "$help" = 0 ] && [ "$npos" = ${stdinAfter} ]; then
  # The last argument, left out, comes from stdin.
  { printf '%s\\0' ${name}${STDIN_SUFFIX} "$#" "$@"; cat; printf '\\0'; } > "$spool/req/.$id.tmp"
else
  printf '%s\\0' ${name} "$@" > "$spool/req/.$id.tmp"
fi`
}
`
  return `#!/bin/sh
# ${name}: ${tool.description.split('\n')[0]!.slice(0, 100)} (answered by the harness; \`${name} --help\`)
spool=${dir}
id="$(date +%s).$$"
mkdir -p "$spool/req" "$spool/res" 2>/dev/null
${write}[ -f "$spool/req/.$id.tmp" ] && mv "$spool/req/.$id.tmp" "$spool/req/$id.req" || {
  echo "${name}: cannot write to $spool" >&2; exit 1; }
limit=$(( (\${COOPERBENCH_TOOL_TIMEOUT:-${TOOL_ANSWER_TIMEOUT_SECONDS}} + wait_s) * 10 ))
n=0
while [ ! -f "$spool/res/$id" ]; do
  n=$((n + 1))
  if [ "$n" -gt "$limit" ]; then
    if rm "$spool/req/$id.req" 2>/dev/null; then
      echo "${name}: no answer from the harness; nothing was done" >&2
    else
      echo "${name}: the harness took the request but did not answer in time; it may have been done" >&2
    fi
    exit 1
  fi
  sleep 0.1 2>/dev/null || sleep 1
done
code="$(head -n 1 "$spool/res/$id")"
if [ "$code" = 0 ]; then tail -n +2 "$spool/res/$id"; else tail -n +2 "$spool/res/$id" >&2; fi
rm -f "$spool/res/$id"
exit "$code"
`
}

/** The shell command that creates the spool and makes `commands` (already written to `<dir>/bin`) executable. */
export function prepareToolsCommand(dir: string, commands: readonly string[]): string {
  return `mkdir -p ${dir}/req ${dir}/res ${dir}/bin && chmod 755 ${commands.map((c) => `${dir}/bin/${c}`).join(' ')}`
}
