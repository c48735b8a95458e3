import { errorMessage, type Sandbox } from '@cooperbench/spec'
import { TASK_COMMAND_BIN_DIR } from '@cooperbench/setting-team/agent'
import type { TeamTask } from '@cooperbench/spec/team'

/**
 * Upstream's OpenHands in the team setting (PR #55, `coop_definition.py`): its `task_tracker` tool backed by the team's
 * list, here a client tool of that shape run through the harness's commands (so changes are in the log and mirror). `view`
 * shows every task with its holder; `plan` updates the agent's tasks of those titles, creating and claiming new ones.
 * Upstream's plan first deleted the agent's tasks; the list has no deletion, so a task the plan leaves out stays.
 */
export const TASK_TRACKER_TOOL = 'task_tracker'

/** The tool's statuses and the list's: blocked reads as in progress, as upstream maps it. */
const FROM_LIST: Record<string, 'todo' | 'in_progress' | 'done'> = { open: 'todo', in_progress: 'in_progress', blocked: 'in_progress', done: 'done' }
const TO_LIST = { todo: 'open', in_progress: 'in_progress', done: 'done' } as const

export function taskTrackerSpec(): Record<string, unknown> {
  const item = {
    type: 'object',
    properties: { title: { type: 'string' }, notes: { type: 'string' }, status: { type: 'string', enum: Object.keys(TO_LIST) } },
    required: ['title'],
  }
  return {
    name: TASK_TRACKER_TOOL,
    description:
      'The team\'s shared task list. "view" shows every task of the team, with its holder. "plan" sets your own tasks: give all of them, ' +
      'each with a title, a status (todo, in_progress, done) and notes; tasks of your teammates are not touched.',
    parameters: {
      type: 'object',
      properties: { command: { type: 'string', enum: ['view', 'plan'] }, task_list: { type: 'array', items: item } },
      required: ['command'],
    },
  }
}

type Exec = (argv: string[]) => Promise<{ exitCode: number; stdout: string; stderr: string }>

/** Runs one call of the tool as `agentId`; returns what the model is told. */
export async function runTaskTracker(sandbox: Sandbox, agentId: string, args: Record<string, unknown>, signal: AbortSignal): Promise<string> {
  const exec: Exec = (argv) => sandbox.exec([`${TASK_COMMAND_BIN_DIR}/${argv[0]}`, ...argv.slice(1)], { timeoutMs: 360_000, signal })
  try {
    if (args.command === 'plan') {
      const planned = Array.isArray(args.task_list) ? (args.task_list as Array<Record<string, unknown>>) : []
      for (const item of planned) await planItem(exec, agentId, item)
      const tasks = await listed(exec)
      return `[${TASK_TRACKER_TOOL}] Updated your tasks in the shared list (${tasks.length} across the team).\n${view(tasks)}`
    }
    if (args.command === 'view') return `[${TASK_TRACKER_TOOL}] ${view(await listed(exec))}`
    return `[${TASK_TRACKER_TOOL} failed] unknown command ${JSON.stringify(args.command)}: "view" or "plan"`
  } catch (error) {
    return `[${TASK_TRACKER_TOOL} failed] the shared task list could not be used: ${errorMessage(error)}`
  }
}

async function listed(exec: Exec): Promise<TeamTask[]> {
  const out = await exec(['coop-task-list'])
  if (out.exitCode !== 0) throw new Error(`coop-task-list exited ${out.exitCode}: ${out.stderr.trim()}`)
  return JSON.parse(out.stdout) as TeamTask[]
}

function view(tasks: readonly TeamTask[]): string {
  if (tasks.length === 0) return 'The shared task list is empty: "plan" adds your tasks.'
  return tasks
    .map((t) => `- [${FROM_LIST[t.status] ?? t.status}] ${t.owner ? `[${t.owner}] ` : ''}${t.title}${t.last_note ? ` (${t.last_note})` : ''}`)
    .join('\n')
}

/** One planned task: the agent's task of that title, or a new one it creates and claims; then its status and notes. */
async function planItem(exec: Exec, agentId: string, item: Record<string, unknown>): Promise<void> {
  // A title read back from `view` carries its holder: `[agent1] Write the parser`.
  const title = String(item.title ?? '').replace(/^\[[^\]]*\] /, '')
  if (title.trim() === '') return
  const status = TO_LIST[item.status as keyof typeof TO_LIST] ?? 'open'
  let task = (await listed(exec)).find((t) => t.owner === agentId && t.title === title)
  if (!task) {
    const made = await exec(['coop-task-create', '--assign', agentId, '--', title])
    task = { id: made.stdout.trim() } as TeamTask
  }
  // Claimed as upstream's plan claims each task (the claim leaves it in progress), then set to its status.
  await exec(['coop-task-claim', task.id])
  const note = typeof item.notes === 'string' ? [`--note=${item.notes}`] : []
  if (status !== 'in_progress' || note.length > 0) await exec(['coop-task-update', ...note, '--', task.id, status])
}
