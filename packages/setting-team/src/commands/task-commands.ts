/**
 * `coop-task-*` (the protocol's are in protocol-commands.ts) with the reference's arguments, output and exit codes (CooperBench 0.0.16
 * `team_harness/coop_task.py`), as POSIX sh needing no Python, Redis client or network: a command drops its argv in a spool folder and
 * waits for the answer file, which the harness (`TaskCommandServer`) files after running it against the `TaskList` as the sandbox's
 * agent (never another). Files and a poll work on every backend, `--network none` and remote VMs included.
 *
 * Spool under `dir`: `req/<id>.req` (argv, NUL-separated, subcommand first), `res/<id>` (exit code line, then output), `bin/`.
 */
import { errorMessage } from '@cooperbench/spec'
import { type TaskList, TEAM_TASK_STATUSES, type TeamTaskStatus } from '@cooperbench/spec/team'
import { pythonJsonDumps } from '@cooperbench/spec-utils/host'
import { type CommandAnswer, invalidChoice, parseArguments, pyRepr, type SubcommandSpec, usageError } from './command-arguments.js'
import { teamTaskCommandsOn } from '../agent/team-commands-on.js'
import { answerProtocolCommand, PROTOCOL_SPECS, PROTOCOL_SUBCOMMANDS, type ProtocolCommandName, STDIN_BODY_SUFFIX } from './protocol-commands.js'
import type { TaskCommandRequest } from './task-spool.js'

export const TASK_COMMAND_SPOOL_DIR = '/tmp/.cooperbench-tasks'

/** Where the harness installs the commands in a team sandbox; an agent puts it on the PATH of its commands (`teamCommandPath`). */
export const TASK_COMMAND_BIN_DIR = `${TASK_COMMAND_SPOOL_DIR}/bin`

/** What an agent puts before each command when the team's commands are installed (inside it: a login shell may reset PATH); else ''. */
export function teamCommandPath(team: Parameters<typeof teamTaskCommandsOn>[0]): string {
  return teamTaskCommandsOn(team) ? `export PATH="${TASK_COMMAND_BIN_DIR}:$PATH"\n` : ''
}
export const TASK_COMMANDS = ['coop-task-create', 'coop-task-claim', 'coop-task-update', 'coop-task-list'] as const
export type TaskCommandName = (typeof TASK_COMMANDS)[number]
/** Every team command: the task list's, then the protocol's. */
export type TeamCommandName = TaskCommandName | ProtocolCommandName

/** How long a command waits for the harness's answer before it gives up (exit 1), unless `COOP_TASK_TIMEOUT` says otherwise; `coop-request --wait N` adds N. */
export const TASK_COMMAND_TIMEOUT_SECONDS = 300

/** The command scripts by file name (for `<dir>/bin` or any folder on PATH): the task list's four, with `protocol` the protocol's three. */
export function taskCommandScripts(dir?: string): Record<TaskCommandName, string>
export function taskCommandScripts(dir: string, options: { protocol: true }): Record<TeamCommandName, string>
export function taskCommandScripts(dir: string = TASK_COMMAND_SPOOL_DIR, options: { protocol?: boolean } = {}): Partial<Record<TeamCommandName, string>> {
  const scripts: Partial<Record<TeamCommandName, string>> = {}
  for (const name of TASK_COMMANDS) scripts[name] = commandScript(dir, name, name.slice('coop-task-'.length), null)
  if (options.protocol) {
    scripts['coop-request'] = commandScript(dir, 'coop-request', 'request', { bodyAt: 3, waits: true })
    scripts['coop-respond'] = commandScript(dir, 'coop-respond', 'respond', { bodyAt: 2, waits: false })
    scripts['coop-pending'] = commandScript(dir, 'coop-pending', 'pending', null)
  }
  return scripts
}

/** One command's script; `stdin`: the position of the optional body (read from stdin when left out) and whether it takes `--wait N`. */
function commandScript(dir: string, name: string, sub: string, stdin: { bodyAt: number; waits: boolean } | null): string {
  const waitOptions = stdin?.waits ? `\n    --wait) next=1 ;;\n    --wait=*) wait_s="\${a#--wait=}" ;;` : ''
  const write = stdin
    ? `# The body, when left out, comes from stdin (as the reference reads it); --wait N lengthens the wait for the answer.
npos=0; help=0; only=0; next=; wait_s=0
for a in "$@"; do
  if [ -n "$next" ]; then next=; wait_s="$a"; continue; fi
  if [ "$only" = 1 ]; then npos=$((npos + 1)); continue; fi
  case "$a" in
    --) only=1 ;;
    -h|--help) help=1 ;;${waitOptions}
    -) npos=$((npos + 1)) ;;
    -*) ;;
    *) npos=$((npos + 1)) ;;
  esac
done
wait_s="\${wait_s%%.*}"
case "$wait_s" in ''|*[!0-9]*) wait_s=0 ;; esac
if [ "$help" = 0 ] && [ "$npos" = ${stdin.bodyAt - 1} ]; then
  { printf '%s\\0' ${sub}${STDIN_BODY_SUFFIX} "$#" "$@"; cat; printf '\\0'; } > "$spool/req/.$id.tmp"
else
  printf '%s\\0' ${sub} "$@" > "$spool/req/.$id.tmp"
fi
`
    : `wait_s=0
printf '%s\\0' ${sub} "$@" > "$spool/req/.$id.tmp"
`
  const protocol = stdin !== null || sub === 'pending'
  return `#!/bin/sh
# ${name}: the team's ${protocol ? 'typed requests' : 'shared task list'} (run \`${name} --help\`). Answered by the harness.
spool=${dir}
id="$(date +%s).$$"
mkdir -p "$spool/req" "$spool/res" 2>/dev/null
${write}[ -f "$spool/req/.$id.tmp" ] && mv "$spool/req/.$id.tmp" "$spool/req/$id.req" || {
  echo "${name}: cannot write to $spool" >&2; exit 1; }
limit=$(( (\${COOP_TASK_TIMEOUT:-${TASK_COMMAND_TIMEOUT_SECONDS}} + wait_s) * 10 ))
n=0
while [ ! -f "$spool/res/$id" ]; do
  n=$((n + 1))
  if [ "$n" -gt "$limit" ]; then
    if rm "$spool/req/$id.req" 2>/dev/null; then
      echo "${name}: no answer from the harness; nothing was done (is this a team run?)" >&2
    else
      echo "${name}: the harness took the request but did not answer in time; run ${protocol ? 'coop-pending' : 'coop-task-list'} to see whether it was done" >&2
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
export function prepareTaskCommandsCommand(dir: string = TASK_COMMAND_SPOOL_DIR, commands: readonly string[] = TASK_COMMANDS): string {
  return `mkdir -p ${dir}/req ${dir}/res ${dir}/bin && chmod 755 ${commands.map((c) => `${dir}/bin/${c}`).join(' ')}`
}

/** What the team offers a sandbox's agent beside the task list. */
export interface TeamCommandContext {
  /** Every agent of the team (the protocol's requests must name one of the others); default: the agent alone. */
  team?: readonly string[]
  /** Whether the typed protocol is on (`coop-request` and the rest are answered); default off. */
  protocol?: boolean
  /** Aborts the `coop-request --wait` under way (answered as timed out). */
  waitSignal?: AbortSignal
}

const TASK_SUBCOMMANDS = ['create', 'claim', 'update', 'list'] as const

/** Runs one command for `agentId` exactly as the reference's `coop-task <sub> …` would (with the protocol on, its commands too). */
export async function answerTaskCommand(list: TaskList, agentId: string, argv: readonly string[], context: TeamCommandContext = {}): Promise<CommandAnswer> {
  const subcommands: readonly string[] = context.protocol ? [...TASK_SUBCOMMANDS, ...PROTOCOL_SUBCOMMANDS] : TASK_SUBCOMMANDS
  const [first = '', ...rest] = argv
  const fromStdin = first.endsWith(STDIN_BODY_SUFFIX)
  const sub = fromStdin ? first.slice(0, -STDIN_BODY_SUFFIX.length) : first
  if (!subcommands.includes(sub)) return invalidChoice(sub, subcommands)
  if (sub in PROTOCOL_SPECS) {
    const protocol = { list, agentId, team: context.team ?? [agentId], subcommands, ...(context.waitSignal ? { waitSignal: context.waitSignal } : {}) }
    if (!fromStdin) return answerProtocolCommand(protocol, sub, rest)
    const count = Number(rest[0])
    return answerProtocolCommand(protocol, sub, rest.slice(1, 1 + count), rest.slice(1 + count).join('\0'))
  }
  const spec = TASK_SPECS[sub as (typeof TASK_SUBCOMMANDS)[number]]
  const parsed = parseArguments(spec, rest)
  if ('help' in parsed) return { exitCode: 0, output: `${spec.usage}\n` }
  if ('error' in parsed) return usageError(spec.usage, parsed.error, subcommands)
  const { positional: p, options: o } = parsed
  const note = typeof o.note === 'string' ? o.note : undefined
  switch (sub) {
    case 'create': {
      if (p[0]!.trim() === '') return { exitCode: 1, output: 'coop-task-create: a task needs a non-empty title\n' }
      const task = await list.create(agentId, p[0]!, typeof o.assign === 'string' ? { assign: o.assign } : {})
      return { exitCode: 0, output: `${task.id}\n` }
    }
    case 'claim': {
      const claim = await list.claim(p[0]!, agentId)
      if (claim.outcome === 'missing') return { exitCode: 1, output: `task ${p[0]} does not exist\n` }
      if (claim.outcome === 'owned') return { exitCode: 2, output: `task ${p[0]} owned by ${claim.owner}\n` }
      return { exitCode: 0, output: '' }
    }
    case 'update': {
      const [taskId, status] = p as [string, string]
      // Any string goes to the list, which checks it after existence and ownership (the reference's order).
      const update = await list.update(taskId, agentId, status as TeamTaskStatus, note)
      if (update.outcome === 'missing') return { exitCode: 1, output: `task ${taskId} does not exist\n` }
      if (update.outcome === 'not-owner') return { exitCode: 3, output: `task ${taskId} owned by ${pyRepr(update.owner)}, not you\n` }
      if (update.outcome === 'invalid-status') {
        const expected = `[${[...TEAM_TASK_STATUSES].sort().map(pyRepr).join(', ')}]`
        return { exitCode: 4, output: `invalid status ${pyRepr(status)}; expected one of ${expected}\n` }
      }
      return { exitCode: 0, output: '' }
    }
    default: {
      const tasks = await list.list({ ...(o.mine ? { owner: agentId } : {}), ...(o.open ? { status: 'open' as const } : {}) })
      return { exitCode: 0, output: `${pythonJsonDumps(tasks, { indent: 2 })}\n` }
    }
  }
}

/** Answers one taken request; a list that fails (Redis down) gives exit 1 and the cause, never a made-up outcome. Returns the answer line to file. */
export async function answerTaskRequest(list: TaskList, agentId: string, request: TaskCommandRequest, context: TeamCommandContext = {}): Promise<string> {
  let answer: CommandAnswer
  try {
    answer = await answerTaskCommand(list, agentId, request.argv, context)
  } catch (error) {
    const sub = (request.argv[0] ?? '').replace(STDIN_BODY_SUFFIX, '')
    const name = (PROTOCOL_SUBCOMMANDS as readonly string[]).includes(sub) ? `coop-${sub}` : `coop-task-${sub}`
    answer = { exitCode: 1, output: `${name}: the task list failed: ${errorMessage(error)}\n` }
  }
  return `${request.id} ${Buffer.from(`${answer.exitCode}\n${answer.output}`, 'utf8').toString('base64')}`
}

const TASK_SPECS: Record<(typeof TASK_SUBCOMMANDS)[number], SubcommandSpec> = {
  create: { usage: 'usage: coop-task create [-h] [--assign ASSIGN] title', positional: ['title'], values: { '--assign': 'assign' }, flags: {} },
  claim: { usage: 'usage: coop-task claim [-h] task_id', positional: ['task_id'], values: {}, flags: {} },
  update: {
    usage: 'usage: coop-task update [-h] [-n NOTE] task_id status',
    positional: ['task_id', 'status'],
    values: { '-n': 'note', '--note': 'note' },
    flags: {},
  },
  list: { usage: 'usage: coop-task list [-h] [--mine] [--open]', positional: [], values: {}, flags: { '--mine': 'mine', '--open': 'open' } },
}
