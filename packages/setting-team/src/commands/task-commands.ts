/**
 * `coop-task-*` (the protocol's are in protocol-commands.ts) with the reference's arguments, output and exit codes (CooperBench 0.0.16
 * `team_harness/coop_task.py`), answered on the host against the team's `TaskList` as the seat's agent (never another): the harness
 * installs each as a command in the agent's sandbox (`SeatTool`s, see team-tools.ts).
 */
import { pythonJsonDumps } from '@cooperbench/spec-utils/host'
import { type TaskList, TEAM_TASK_STATUSES, type TeamTaskStatus } from '../task-list/task-types.js'
import { type CommandAnswer, invalidChoice, parseArguments, pyRepr, type SubcommandSpec, usageError } from './command-arguments.js'
import { answerProtocolCommand, PROTOCOL_SPECS } from './protocol-commands.js'

export const TASK_COMMANDS = ['coop-task-create', 'coop-task-claim', 'coop-task-update', 'coop-task-list'] as const

/** What the team offers a sandbox's agent beside the task list. */
export interface TeamCommandContext {
  /** Every agent of the team (the protocol's requests must name one of the others); default: the agent alone. */
  team?: readonly string[]
  /** Whether the typed protocol is on (`coop-request` and the rest are answered); default off. */
  protocol?: boolean
  /** Aborts the `coop-request --wait` under way (answered as timed out). */
  waitSignal?: AbortSignal
}

/**
 * Runs one command for `agentId` exactly as the reference's `coop-task <sub> …` would (with the protocol on, its commands too);
 * `stdinBody`: the body a protocol command read from stdin.
 */
export async function answerTaskCommand(
  list: TaskList,
  agentId: string,
  argv: readonly string[],
  context: TeamCommandContext = {},
  stdinBody?: string,
): Promise<CommandAnswer> {
  const specs: Record<string, SubcommandSpec> = context.protocol ? { ...TASK_SPECS, ...PROTOCOL_SPECS } : TASK_SPECS
  const subcommands = Object.keys(specs)
  const [sub = '', ...rest] = argv
  if (!subcommands.includes(sub)) return invalidChoice(sub, subcommands)
  const spec = specs[sub]!
  const parsed = parseArguments(spec, rest)
  if ('help' in parsed) return { exitCode: 0, output: `${spec.usage}\n` }
  if ('error' in parsed) return usageError(spec.usage, parsed.error)
  if (sub in PROTOCOL_SPECS) {
    return answerProtocolCommand({ list, agentId, team: context.team ?? [agentId], waitSignal: context.waitSignal }, sub, parsed, stdinBody)
  }
  const { positional: p, options: o } = parsed
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
      const update = await list.update(taskId, agentId, status as TeamTaskStatus, typeof o.note === 'string' ? o.note : undefined)
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

/** Each subcommand's arguments, in the order argparse lists them. */
const TASK_SPECS: Record<string, SubcommandSpec> = {
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
