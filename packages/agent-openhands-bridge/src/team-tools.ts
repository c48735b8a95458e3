import { type AgentTeam, errorMessage, SANDBOX_REPO_DIR, type Sandbox } from '@cooperbench/spec'
import { shellQuote } from '@cooperbench/spec-utils/host'
import { TASK_COMMAND_BIN_DIR, TASK_COMMAND_TIMEOUT_SECONDS, type TeamCommandName, teamTaskCommandsOn } from '@cooperbench/setting-team/agent'
import { TEAM_TASK_STATUSES } from '@cooperbench/spec/team'

/**
 * The `team` setting's commands as client tools: the task list's four with `task_list`, the typed protocol's three with
 * `protocol` as well. A call runs the very command the harness installed in the sandbox, so the audit log, exit codes and
 * mirror are what every agent gets; its output and exit code come back as a user message.
 */

/** Who the tools act for: the agent's team in the `team` setting. */
export type TeamToolsTeam = Pick<AgentTeam, 'agents' | 'features'>

type ToolArguments = Record<string, unknown>

interface TeamTool {
  name: string
  command: TeamCommandName
  description: string
  properties: Record<string, Record<string, unknown>>
  /** Arguments the call must give (non-empty). */
  required: string[]
  /** The command's options and positionals, from the call's arguments (the required ones are there). */
  argv(args: ToolArguments): { options: string[]; positionals: string[] }
}

/** A string argument as the command takes it (a model may give a task id as a number). */
function text(args: ToolArguments, name: string): string | undefined {
  const value = args[name]
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return undefined
}

const RESULT_NOTE = 'Its output and exit code come back as a user message.'

function taskListTools(team: TeamToolsTeam): TeamTool[] {
  return [
    {
      name: 'coop_task_list',
      command: 'coop-task-list',
      description: `Show the team's shared task list as JSON (runs \`coop-task-list\`). ${RESULT_NOTE}`,
      properties: {
        mine: { type: 'boolean', description: 'Only the tasks you hold (`--mine`).' },
        open: { type: 'boolean', description: 'Only the tasks nobody has started yet (`--open`).' },
      },
      required: [],
      argv: (args) => ({ options: [...(args.mine === true ? ['--mine'] : []), ...(args.open === true ? ['--open'] : [])], positionals: [] }),
    },
    {
      name: 'coop_task_claim',
      command: 'coop-task-claim',
      description: `Take a task of the shared list, also one assigned to you (runs \`coop-task-claim <task_id>\`). Exit code 0: it is yours; 2: someone else holds it; 1: no such task. ${RESULT_NOTE}`,
      properties: { task_id: { type: 'string', description: 'The task id, as the list shows it.' } },
      required: ['task_id'],
      argv: (args) => ({ options: [], positionals: [text(args, 'task_id')!] }),
    },
    {
      name: 'coop_task_update',
      command: 'coop-task-update',
      description: `Set the status of a task you hold, with a short note (runs \`coop-task-update <task_id> <status> -n <note>\`). Exit code 0: updated; 1: no such task; 3: someone else holds it. ${RESULT_NOTE}`,
      properties: {
        task_id: { type: 'string', description: 'The task id.' },
        status: { type: 'string', enum: [...TEAM_TASK_STATUSES], description: 'The new status.' },
        note: { type: 'string', description: 'What was done, or what you need when blocked.' },
      },
      required: ['task_id', 'status'],
      argv: (args) => {
        const note = text(args, 'note')
        return { options: note ? [`--note=${note}`] : [], positionals: [text(args, 'task_id')!, text(args, 'status')!] }
      },
    },
    {
      name: 'coop_task_create',
      command: 'coop-task-create',
      description: `Add a task to the shared list; prints its id (runs \`coop-task-create <title>\`). With assign, the task is assigned to that agent, who still claims it. ${RESULT_NOTE}`,
      properties: {
        title: { type: 'string', description: 'What the task is.' },
        assign: { type: 'string', enum: [...team.agents], description: 'The agent the task is meant for.' },
      },
      required: ['title'],
      argv: (args) => {
        const assign = text(args, 'assign')
        return { options: assign ? [`--assign=${assign}`] : [], positionals: [text(args, 'title')!] }
      },
    },
  ]
}

function protocolTools(team: TeamToolsTeam, agentId: string): TeamTool[] {
  const others = team.agents.filter((agent) => agent !== agentId)
  return [
    {
      name: 'coop_request',
      command: 'coop-request',
      description:
        'Send a typed request to a teammate, who answers it with coop_respond (runs `coop-request <to> <request_kind> <body>`). ' +
        "Without wait_seconds it prints the request's id; with it, it waits up to that many seconds and prints the response as JSON " +
        `(exit code 5 when none came in time). ${RESULT_NOTE}`,
      properties: {
        to: { type: 'string', enum: others, description: 'The teammate.' },
        // Not `kind`: an action's `kind` is the server's own (its class name), so the argument would never arrive.
        request_kind: { type: 'string', description: 'What sort of request it is, in a word (e.g. question, review, interface).' },
        body: { type: 'string', description: 'The request itself.' },
        wait_seconds: { type: 'number', description: 'How long to wait for the response (`--wait`).' },
      },
      required: ['to', 'request_kind'],
      argv: (args) => {
        const wait = args.wait_seconds
        return {
          options: typeof wait === 'number' && Number.isFinite(wait) && wait > 0 ? [`--wait=${wait}`] : [],
          positionals: [text(args, 'to')!, text(args, 'request_kind')!, text(args, 'body') ?? ''],
        }
      },
    },
    {
      name: 'coop_respond',
      command: 'coop-respond',
      description: `Answer a request addressed to you (runs \`coop-respond <request_id> <body>\`). Exit code 6: no such open request; 7: it is not addressed to you. ${RESULT_NOTE}`,
      properties: {
        request_id: { type: 'string', description: "The request's id, as coop_pending shows it." },
        body: { type: 'string', description: 'The answer.' },
      },
      required: ['request_id'],
      argv: (args) => ({ options: [], positionals: [text(args, 'request_id')!, text(args, 'body') ?? ''] }),
    },
    {
      name: 'coop_pending',
      command: 'coop-pending',
      description: `The open requests addressed to you, as JSON (runs \`coop-pending\`). ${RESULT_NOTE}`,
      properties: {},
      required: [],
      argv: () => ({ options: [], positionals: [] }),
    },
  ]
}

/** The team tools of the commands installed (none without them). */
export function teamTools(team: TeamToolsTeam, agentId: string): TeamTool[] {
  if (!teamTaskCommandsOn(team)) return []
  return [...taskListTools(team), ...(team.features.protocol ? protocolTools(team, agentId) : [])]
}

/** The client tool declarations of {@link teamTools}. */
export function teamToolSpecs(team: TeamToolsTeam, agentId: string): Array<Record<string, unknown>> {
  return teamTools(team, agentId).map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: { type: 'object', properties: tool.properties, ...(tool.required.length > 0 ? { required: tool.required } : {}) },
  }))
}

/**
 * A call's command line: the command's full path (`Sandbox.exec`'s PATH may lack it), options, then positionals (after `--`
 * when one starts with a dash, never read as an option); a string when an argument is missing.
 */
export function teamToolCommand(tool: TeamTool, args: ToolArguments): string[] | string {
  const missing = tool.required.filter((name) => (text(args, name) ?? '').trim() === '')
  if (missing.length > 0) return `${missing.map((name) => `"${name}"`).join(' and ')} ${missing.length === 1 ? 'is' : 'are'} required`
  const { options, positionals } = tool.argv(args)
  const separator = positionals.some((p) => p.startsWith('-')) ? ['--'] : []
  return [`${TASK_COMMAND_BIN_DIR}/${tool.command}`, ...options, ...separator, ...positionals]
}

/** How long a command may take: the commands' own bound on the harness's answer, its wait, and a margin. */
function commandTimeoutMs(args: ToolArguments): number {
  const wait = typeof args.wait_seconds === 'number' && Number.isFinite(args.wait_seconds) ? Math.max(0, args.wait_seconds) : 0
  return (TASK_COMMAND_TIMEOUT_SECONDS + wait + 30) * 1000
}

/** Runs one team tool call in the sandbox: the user message with its output and exit code, or null when `name` is no team tool. */
export async function runTeamTool(
  sandbox: Sandbox,
  team: TeamToolsTeam,
  agentId: string,
  name: string,
  args: ToolArguments,
  signal: AbortSignal,
): Promise<string | null> {
  const tool = teamTools(team, agentId).find((t) => t.name === name)
  if (tool === undefined) return null
  const argv = teamToolCommand(tool, args)
  if (typeof argv === 'string') return `[${name} failed] ${argv}`
  const shown = [tool.command, ...argv.slice(1)].map((word) => (/^[\w./:=@%+-]+$/.test(word) ? word : shellQuote(word))).join(' ')
  try {
    const result = await sandbox.exec(argv, { cwd: SANDBOX_REPO_DIR, timeoutMs: commandTimeoutMs(args), signal })
    const output = `${result.stdout}${result.stderr}`.trimEnd()
    const ended = result.timedOut || result.exitCode === -1 ? 'was stopped before it ended' : `exited with code ${result.exitCode}`
    return `[${name}] \`${shown}\` ${ended}${output === '' ? ' (no output)' : `:\n${output}`}`
  } catch (error) {
    return `[${name} failed] \`${shown}\` could not be run: ${errorMessage(error)}`
  }
}
