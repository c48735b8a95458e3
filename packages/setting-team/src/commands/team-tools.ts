import { type CommandTool, errorMessage, type Sandbox, type SeatTool, type ToolAnswer } from '@cooperbench/spec'
import type { TaskList } from '../task-list/task-types.js'
import { answerTaskCommand } from './task-commands.js'
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

/** Each command, what it does, and (for the protocol's) where its body may come from stdin and whether it waits. */
const COMMANDS: ReadonlyArray<Pick<CommandTool, 'name' | 'description' | 'stdinAfter' | 'waitOption'>> = [
  { name: 'coop-task-list', description: "The team's shared task list as JSON (`--mine`, `--open`)." },
  { name: 'coop-task-claim', description: 'Takes a task of the shared list, also one assigned to you. Exit code 0: it is yours; 2: someone else holds it.' },
  { name: 'coop-task-update', description: 'Sets the status of a task you hold, with a note (`-n`). Exit code 3: someone else holds it.' },
  { name: 'coop-task-create', description: 'Adds a task to the shared list and prints its id (`--assign <agent>`: for that agent, who still claims it).' },
  {
    name: 'coop-request',
    description: "Sends a typed request to a teammate; prints its id, or with `--wait N` the response's JSON.",
    stdinAfter: 2,
    waitOption: '--wait',
  },
  { name: 'coop-respond', description: 'Answers a request addressed to you. Exit code 6: no such open request; 7: not addressed to you.', stdinAfter: 1 },
  { name: 'coop-pending', description: 'The open requests addressed to you, as JSON.' },
]

/** The team's commands of one seat (the task list's four, the protocol's three with `protocol`), and upstream OpenHands' tracker. */
export function teamTools(input: TeamToolsInput): SeatTool[] {
  const { list, agentId, agents, protocol } = input
  const commands = COMMANDS.filter((command) => protocol || command.name.startsWith('coop-task-')).map(
    (command): CommandTool => ({
      kind: 'command',
      ...command,
      async run(argv, call) {
        const sub = command.name.replace(/^coop-(task-)?/, '')
        let answer: ToolAnswer
        try {
          answer = await answerTaskCommand(list, agentId, [sub, ...argv], { team: agents, protocol, waitSignal: call.signal }, call.stdin)
        } catch (error) {
          // A list that fails (Redis down) gives exit 1 and the cause, never a made-up outcome.
          return { exitCode: 1, output: `${command.name}: the task list failed: ${errorMessage(error)}\n` }
        }
        // The command answered: its agent's own mirror failing is the mirror's warning, not the command's failure.
        if (sub === 'list') await input.afterList?.(call.sandbox, call.signal).catch(() => {})
        return answer
      },
    }),
  )
  return [...commands, taskTrackerTool(list, agentId)]
}
