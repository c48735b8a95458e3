/**
 * The team's in-sandbox task commands, `coop-task-create`, `coop-task-claim`, `coop-task-update`
 * and `coop-task-list`, with the reference's arguments, output and exit codes (CooperBench 0.0.16
 * `agents/_team/coop_task.py`), as POSIX sh scripts that need no Python, no Redis client and no
 * network: a command drops its argv in a spool folder and waits for the answer file; the harness
 * ({@link serveTaskCommands}) collects requests through `Sandbox.exec`, runs them against the
 * team's `TaskList` as the sandbox's agent (an agent cannot claim as another) and files the
 * answers. It is the channel the CLI agents' teammate commands use (files and a poll), so it works
 * on every backend, `--network none` containers and remote VMs included.
 *
 * Spool layout under `dir`: `req/<id>.req` (argv, NUL-separated, subcommand first), `res/<id>`
 * (exit code on the first line, then the output), `bin/` (the commands).
 */
import { type TaskList, type TeamTask, type TeamTaskStatus, TEAM_TASK_STATUSES } from '../contracts/task-list.js'
import type { Sandbox } from '../contracts/sandbox.js'
import { errorMessage } from '../errors.js'

export const TASK_COMMAND_SPOOL_DIR = '/tmp/.cooperbench-tasks'

/** Where the harness installs the commands in a team sandbox; an agent puts it on the PATH of its commands (`teamCommandPath`). */
export const TASK_COMMAND_BIN_DIR = `${TASK_COMMAND_SPOOL_DIR}/bin`

/**
 * The line an agent puts before each command of a team run with the task list on, so `coop-task-*`
 * are found (a login shell may reset PATH, so it goes inside the command); '' otherwise.
 */
export function teamCommandPath(team: { features: { task_list: boolean } } | null | undefined): string {
  return team?.features.task_list ? `export PATH="${TASK_COMMAND_BIN_DIR}:$PATH"\n` : ''
}
export const TASK_COMMANDS = ['coop-task-create', 'coop-task-claim', 'coop-task-update', 'coop-task-list'] as const
export type TaskCommandName = (typeof TASK_COMMANDS)[number]

/** How long a command waits for the harness's answer before it gives up (exit 1), unless `COOP_TASK_TIMEOUT` says otherwise. */
export const TASK_COMMAND_TIMEOUT_SECONDS = 300

/** The command scripts by file name (install them in `<dir>/bin` or any folder on the agent's PATH). */
export function taskCommandScripts(dir: string = TASK_COMMAND_SPOOL_DIR): Record<TaskCommandName, string> {
  const script = (sub: string) => `#!/bin/sh
# coop-task-${sub}: the team's shared task list (run \`coop-task-${sub} --help\`). Answered by the harness.
spool=${dir}
id="$(date +%s).$$"
mkdir -p "$spool/req" "$spool/res" 2>/dev/null
printf '%s\\0' ${sub} "$@" > "$spool/req/.$id.tmp" && mv "$spool/req/.$id.tmp" "$spool/req/$id.req" || {
  echo "coop-task-${sub}: cannot write to $spool" >&2; exit 1; }
limit=$(( \${COOP_TASK_TIMEOUT:-${TASK_COMMAND_TIMEOUT_SECONDS}} * 10 ))
n=0
while [ ! -f "$spool/res/$id" ]; do
  n=$((n + 1))
  if [ "$n" -gt "$limit" ]; then
    if rm "$spool/req/$id.req" 2>/dev/null; then
      echo "coop-task-${sub}: no answer from the harness; nothing was done (is this a team run?)" >&2
    else
      echo "coop-task-${sub}: the harness took the request but did not answer in time; run coop-task-list to see whether it was done" >&2
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
  return {
    'coop-task-create': script('create'),
    'coop-task-claim': script('claim'),
    'coop-task-update': script('update'),
    'coop-task-list': script('list'),
  }
}

/** The shell command that creates the spool and installs the commands in `<dir>/bin` (the caller writes the scripts first). */
export function prepareTaskCommandsCommand(dir: string = TASK_COMMAND_SPOOL_DIR): string {
  return `mkdir -p ${dir}/req ${dir}/res ${dir}/bin && chmod 755 ${TASK_COMMANDS.map((c) => `${dir}/bin/${c}`).join(' ')}`
}

/**
 * One exchange with the sandbox, as a shell script: stdin carries answers (`<id> <base64>` a line),
 * filed atomically as `res/<id>`; then every request is taken (renamed into `taken/`), printed as
 * `Q <id> <base64>` and removed.
 */
export function taskSpoolExchangeScript(dir: string = TASK_COMMAND_SPOOL_DIR): string {
  return `set -u
while IFS=' ' read -r id data; do
  [ -n "$id" ] || continue
  printf '%s' "$data" | base64 -d > "${dir}/res/.$id.tmp" && mv "${dir}/res/.$id.tmp" "${dir}/res/$id"
done
mkdir -p "${dir}/taken"
for f in $(ls "${dir}/req" 2>/dev/null | grep '\\.req$' | sort); do
  # The rename takes the request: of two exchanges only one gets it.
  mv "${dir}/req/$f" "${dir}/taken/$f" 2>/dev/null || continue
  printf 'Q %s %s\\n' "\${f%.req}" "$(base64 -w0 < "${dir}/taken/$f" 2>/dev/null || base64 < "${dir}/taken/$f" | tr -d '\\n')"
  rm -f "${dir}/taken/$f"
done
`
}

export interface TaskCommandRequest {
  id: string
  /** The subcommand, then the arguments as the agent gave them. */
  argv: string[]
}

/** The requests in an exchange's output. */
export function parseTaskRequests(stdout: string): TaskCommandRequest[] {
  const requests: TaskCommandRequest[] = []
  for (const line of stdout.split('\n')) {
    const match = /^Q (\S+) (\S*)$/.exec(line)
    if (!match) continue
    const fields = Buffer.from(match[2]!, 'base64').toString('utf8').split('\0')
    if (fields.at(-1) === '') fields.pop()
    requests.push({ id: match[1]!, argv: fields })
  }
  return requests
}

export interface TaskCommandAnswer {
  exitCode: number
  /** Printed on stdout when `exitCode` is 0, on stderr otherwise (the reference's split). */
  output: string
}

/**
 * Runs one command for `agentId`, exactly as the reference's `coop-task <sub> …` would: exit 0
 * (create prints the id, list the JSON); claim of another's task 2; missing task 1; update by a
 * non-owner 3; unknown status 4; bad arguments 2 with an argparse-style usage line.
 */
export async function answerTaskCommand(list: TaskList, agentId: string, argv: readonly string[]): Promise<TaskCommandAnswer> {
  const [sub = '', ...args] = argv
  const spec = SUBCOMMANDS[sub]
  if (!spec) return usageError('', `argument cmd: invalid choice: ${pyRepr(sub)} (choose from ${Object.keys(SUBCOMMANDS).map(pyRepr).join(', ')})`)
  const parsed = parseArguments(spec, args)
  if ('help' in parsed) return { exitCode: 0, output: `${spec.usage}\n` }
  if ('error' in parsed) return usageError(spec.usage, parsed.error)
  const { positional: p, options: o } = parsed
  switch (sub) {
    case 'create': {
      if (p[0]!.trim() === '') return { exitCode: 1, output: 'coop-task-create: a task needs a non-empty title\n' }
      const task = await list.create(agentId, p[0]!, o.assign !== undefined ? { assign: o.assign } : {})
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
      const update = await list.update(taskId, agentId, status as TeamTaskStatus, o.note)
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
      return { exitCode: 0, output: `${pythonJson(tasks)}\n` }
    }
  }
}

export interface ServeTaskCommandsOptions {
  dir?: string
  signal?: AbortSignal
  /** Bounds each exchange with the sandbox. Default 30 000 ms. */
  timeoutMs?: number
}

/**
 * One round: takes the pending requests out of the sandbox's spool, answers each against `list`
 * as `agentId`, and files the answers. Returns how many requests it answered. A request the list
 * cannot answer (Redis down) gets exit 1 and the cause, never a made-up outcome.
 */
export async function serveTaskCommands(sandbox: Sandbox, list: TaskList, agentId: string, options: ServeTaskCommandsOptions = {}): Promise<number> {
  const dir = options.dir ?? TASK_COMMAND_SPOOL_DIR
  const exec = (stdin: string) =>
    sandbox.exec(['sh', '-c', taskSpoolExchangeScript(dir)], {
      cwd: '/',
      stdin,
      timeoutMs: options.timeoutMs ?? 30_000,
      ...(options.signal ? { signal: options.signal } : {}),
    })
  // Each exchange files the answers it is given and takes the requests that wait; requests taken
  // while answers are filed are answered in the next exchange, until one takes none.
  let answered = 0
  let stdin = ''
  for (;;) {
    const exchanged = await exec(stdin)
    if (exchanged.exitCode !== 0) {
      throw new Error(`the task command spool could not be used (exit ${exchanged.exitCode}): ${exchanged.stderr.trim()}`)
    }
    const requests = parseTaskRequests(exchanged.stdout)
    if (requests.length === 0) return answered
    const lines: string[] = []
    for (const request of requests) {
      let answer: TaskCommandAnswer
      try {
        answer = await answerTaskCommand(list, agentId, request.argv)
      } catch (error) {
        answer = { exitCode: 1, output: `coop-task-${request.argv[0] ?? ''}: the task list failed: ${errorMessage(error)}\n` }
      }
      lines.push(`${request.id} ${Buffer.from(`${answer.exitCode}\n${answer.output}`, 'utf8').toString('base64')}`)
    }
    answered += requests.length
    stdin = `${lines.join('\n')}\n`
  }
}

// --- argument parsing as the reference's argparse does it ----------------------------------

interface SubcommandSpec {
  usage: string
  positional: string[]
  /** Option → its value-taking long name; flags map to themselves with a boolean. */
  values: Record<string, 'assign' | 'note'>
  flags: Record<string, 'mine' | 'open'>
}

const SUBCOMMANDS: Record<string, SubcommandSpec> = {
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

type Parsed = { help: true } | { error: string } | { positional: string[]; options: { assign?: string; note?: string; mine?: boolean; open?: boolean } }

function parseArguments(spec: SubcommandSpec, args: readonly string[]): Parsed {
  const positional: string[] = []
  const options: { assign?: string; note?: string; mine?: boolean; open?: boolean } = {}
  const unknown: string[] = []
  let onlyPositional = false
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (onlyPositional || arg === '-' || !arg.startsWith('-')) {
      positional.push(arg)
      continue
    }
    if (arg === '--') {
      onlyPositional = true
      continue
    }
    if (arg === '-h' || arg === '--help') return { help: true }
    const eq = arg.indexOf('=')
    const name = eq > 0 && arg.startsWith('--') ? arg.slice(0, eq) : arg
    const value = spec.values[name]
    if (value) {
      if (eq > 0 && arg.startsWith('--')) options[value] = arg.slice(eq + 1)
      else if (i + 1 < args.length && !(args[i + 1]!.startsWith('-') && args[i + 1] !== '-')) options[value] = args[++i]!
      else return { error: `argument ${Object.keys(spec.values).join('/')}: expected one argument` }
      continue
    }
    const flag = spec.flags[arg]
    if (flag) options[flag] = true
    else unknown.push(arg)
  }
  if (positional.length < spec.positional.length) {
    return { error: `the following arguments are required: ${spec.positional.slice(positional.length).join(', ')}` }
  }
  unknown.push(...positional.slice(spec.positional.length))
  if (unknown.length > 0) return { error: `unrecognized arguments: ${unknown.join(' ')}` }
  return { positional, options }
}

function usageError(usage: string, message: string): TaskCommandAnswer {
  const prog = usage ? usage.slice('usage: '.length).split(' [')[0]! : 'coop-task'
  const head = usage || 'usage: coop-task [-h] {create,claim,update,list} ...'
  return { exitCode: 2, output: `${head}\n${prog}: error: ${message}\n` }
}

/** Python's `repr` of a str, for the messages the reference prints with `!r`. */
function pyRepr(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'"
  const body = value.replaceAll('\\', '\\\\').replaceAll('\n', '\\n').replaceAll('\r', '\\r').replaceAll('\t', '\\t').replaceAll(quote, `\\${quote}`)
  return `${quote}${body}${quote}`
}

/** `json.dumps(tasks, indent=2)`: JSON.stringify's layout with Python's default ASCII escapes. */
function pythonJson(tasks: readonly TeamTask[]): string {
  return JSON.stringify(tasks, null, 2).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
