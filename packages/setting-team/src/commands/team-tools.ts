import { type CommandTool, errorMessage, type Sandbox, type SeatTool, type ToolAnswer } from '@cooperbench/spec'
import { TEAM_TASK_STATUSES, type TaskList } from '../task-list/task-types.js'
import type { PROTOCOL_COMMANDS } from './protocol-commands.js'
import { answerTaskCommand, type TASK_COMMANDS } from './task-commands.js'
import { taskTrackerTool } from './task-tracker.js'

/** What one seat's commands act on: the list, who the seat is and who its teammates are, and which commands the team has. */
export interface TeamToolsInput {
  list: TaskList
  agentId: string
  /** Every agent of the team, lead first. */
  agents: readonly string[]
  /** The typed protocol's commands too (`coop-request`, `coop-respond`, `coop-pending`). */
  protocol: boolean
  /** Run after `coop-task-list` is answered, before its answer goes back (the agent's own mirror of the list). */
  afterList?: (sandbox: Sandbox, signal: AbortSignal) => Promise<void>
}

type Args = Record<string, unknown>

/** A string argument as the command takes it (a model may give a task id as a number). */
function text(args: Args, name: string): string | undefined {
  const value = args[name]
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return undefined
}

/** A function call's arguments as the command's: options, then positionals (after `--` when one starts with a dash); a string when one is missing. */
function commandLine(args: Args, required: readonly string[], options: string[], positionals: string[]): string[] | string {
  const missing = required.filter((name) => (text(args, name) ?? '').trim() === '')
  if (missing.length > 0) return `${missing.map((name) => `"${name}"`).join(' and ')} ${missing.length === 1 ? 'is' : 'are'} required`
  return [...options, ...(positionals.some((p) => p.startsWith('-')) ? ['--'] : []), ...positionals]
}

interface TeamCommand {
  name: (typeof TASK_COMMANDS)[number] | (typeof PROTOCOL_COMMANDS)[number]
  description: string
  properties: Record<string, Record<string, unknown>>
  required: string[]
  argv(args: Args): string[] | string
  stdinAfter?: number
  waitOption?: string
}

function taskListCommands(agents: readonly string[]): TeamCommand[] {
  return [
    {
      name: 'coop-task-list',
      description: "Show the team's shared task list as JSON.",
      properties: {
        mine: { type: 'boolean', description: 'Only the tasks you hold (`--mine`).' },
        open: { type: 'boolean', description: 'Only the tasks nobody has started yet (`--open`).' },
      },
      required: [],
      argv: (args) => commandLine(args, [], [...(args.mine === true ? ['--mine'] : []), ...(args.open === true ? ['--open'] : [])], []),
    },
    {
      name: 'coop-task-claim',
      description:
        'Take a task of the shared list, also one assigned to you (`coop-task-claim <task_id>`). Exit code 0: it is yours; 2: someone else holds it; 1: no such task.',
      properties: { task_id: { type: 'string', description: 'The task id, as the list shows it.' } },
      required: ['task_id'],
      argv: (args) => commandLine(args, ['task_id'], [], [text(args, 'task_id') ?? '']),
    },
    {
      name: 'coop-task-update',
      description:
        'Set the status of a task you hold, with a short note (`coop-task-update <task_id> <status> -n <note>`). Exit code 0: updated; 1: no such task; 3: someone else holds it.',
      properties: {
        task_id: { type: 'string', description: 'The task id.' },
        status: { type: 'string', enum: [...TEAM_TASK_STATUSES], description: 'The new status.' },
        note: { type: 'string', description: 'What was done, or what you need when blocked.' },
      },
      required: ['task_id', 'status'],
      argv: (args) => {
        const note = text(args, 'note')
        return commandLine(args, ['task_id', 'status'], note ? [`--note=${note}`] : [], [text(args, 'task_id') ?? '', text(args, 'status') ?? ''])
      },
    },
    {
      name: 'coop-task-create',
      description:
        'Add a task to the shared list; prints its id (`coop-task-create <title>`). With assign, the task is assigned to that agent, who still claims it.',
      properties: {
        title: { type: 'string', description: 'What the task is.' },
        assign: { type: 'string', enum: [...agents], description: 'The agent the task is meant for.' },
      },
      required: ['title'],
      argv: (args) => {
        const assign = text(args, 'assign')
        return commandLine(args, ['title'], assign ? [`--assign=${assign}`] : [], [text(args, 'title') ?? ''])
      },
    },
  ]
}

function protocolCommands(agents: readonly string[], agentId: string): TeamCommand[] {
  return [
    {
      name: 'coop-request',
      description:
        'Send a typed request to a teammate, who answers it with coop-respond (`coop-request <to> <request_kind> <body>`). Without wait_seconds it ' +
        "prints the request's id; with it, it waits up to that many seconds and prints the response as JSON (exit code 5 when none came in time).",
      properties: {
        to: { type: 'string', enum: agents.filter((agent) => agent !== agentId), description: 'The teammate.' },
        request_kind: { type: 'string', description: 'What sort of request it is, in a word (e.g. question, review, interface).' },
        body: { type: 'string', description: 'The request itself.' },
        wait_seconds: { type: 'number', description: 'How long to wait for the response (`--wait`).' },
      },
      required: ['to', 'request_kind'],
      argv: (args) => {
        const wait = args.wait_seconds
        const options = typeof wait === 'number' && Number.isFinite(wait) && wait > 0 ? [`--wait=${wait}`] : []
        return commandLine(args, ['to', 'request_kind'], options, [text(args, 'to') ?? '', text(args, 'request_kind') ?? '', text(args, 'body') ?? ''])
      },
      stdinAfter: 2,
      waitOption: '--wait',
    },
    {
      name: 'coop-respond',
      description: 'Answer a request addressed to you (`coop-respond <request_id> <body>`). Exit code 6: no such open request; 7: it is not addressed to you.',
      properties: {
        request_id: { type: 'string', description: "The request's id, as coop-pending shows it." },
        body: { type: 'string', description: 'The answer.' },
      },
      required: ['request_id'],
      argv: (args) => commandLine(args, ['request_id'], [], [text(args, 'request_id') ?? '', text(args, 'body') ?? '']),
      stdinAfter: 1,
    },
    {
      name: 'coop-pending',
      description: 'The open requests addressed to you, as JSON.',
      properties: {},
      required: [],
      argv: (args) => commandLine(args, [], [], []),
    },
  ]
}

/** The team's commands of one seat (the task list's four, the protocol's three with `protocol`) as tools, and upstream OpenHands' tracker. */
export function teamTools(input: TeamToolsInput): SeatTool[] {
  const { list, agentId, agents, protocol } = input
  const commands = [...taskListCommands(agents), ...(protocol ? protocolCommands(agents, agentId) : [])]
  const context = { team: agents, protocol }
  return [
    ...commands.map(
      (command): CommandTool => ({
        kind: 'command',
        name: command.name,
        description: command.description,
        parameters: { type: 'object', properties: command.properties, ...(command.required.length > 0 ? { required: command.required } : {}) },
        argv: command.argv,
        ...(command.stdinAfter === undefined ? {} : { stdinAfter: command.stdinAfter }),
        ...(command.waitOption === undefined ? {} : { waitOption: command.waitOption }),
        async run(argv, call) {
          const sub = command.name.replace(/^coop-(task-)?/, '')
          let answer: ToolAnswer
          try {
            answer = await answerTaskCommand(list, agentId, [sub, ...argv], { ...context, waitSignal: call.signal }, call.stdin)
          } catch (error) {
            // A list that fails (Redis down) gives exit 1 and the cause, never a made-up outcome.
            return { exitCode: 1, output: `${command.name}: the task list failed: ${errorMessage(error)}\n` }
          }
          // The command answered: its agent's own mirror failing is the mirror's warning, not the command's failure.
          if (sub === 'list') await input.afterList?.(call.sandbox, call.signal).catch(() => {})
          return answer
        },
      }),
    ),
    taskTrackerTool(list, agentId),
  ]
}
