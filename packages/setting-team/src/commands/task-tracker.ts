import { errorMessage, type FunctionTool } from '@cooperbench/spec'
import type { TaskList, TeamTask } from '../task-list/task-types.js'

/**
 * Upstream's OpenHands in the team setting (PR #55, `coop_definition.py`): its `task_tracker` tool backed by the team's list, a
 * function tool (agents that call functions offer it). `view` shows every task with its holder; `plan` updates the agent's tasks of
 * those titles, creating (assigned to it) and claiming new ones. Upstream's plan first deleted the agent's tasks; the list has no
 * deletion, so a task the plan leaves out stays.
 */
export const TASK_TRACKER_TOOL = 'task_tracker'

/** The tool's statuses and the list's: blocked reads as in progress, as upstream maps it. */
const FROM_LIST: Record<string, 'todo' | 'in_progress' | 'done'> = { open: 'todo', in_progress: 'in_progress', blocked: 'in_progress', done: 'done' }
const TO_LIST = { todo: 'open', in_progress: 'in_progress', done: 'done' } as const

export function taskTrackerTool(list: TaskList, agentId: string): FunctionTool {
  const item = {
    type: 'object',
    properties: { title: { type: 'string' }, notes: { type: 'string' }, status: { type: 'string', enum: Object.keys(TO_LIST) } },
    required: ['title'],
  }
  return {
    kind: 'function',
    name: TASK_TRACKER_TOOL,
    description:
      'The team\'s shared task list. "view" shows every task of the team, with its holder. "plan" sets your own tasks: give all of them, ' +
      'each with a title, a status (todo, in_progress, done) and notes; tasks of your teammates are not touched.',
    parameters: {
      type: 'object',
      properties: { command: { type: 'string', enum: ['view', 'plan'] }, task_list: { type: 'array', items: item } },
      required: ['command'],
    },
    async call(args) {
      try {
        if (args.command === 'plan') {
          const planned = Array.isArray(args.task_list) ? (args.task_list as Array<Record<string, unknown>>) : []
          for (const entry of planned) await planItem(list, agentId, entry)
          const tasks = await list.list()
          return `[${TASK_TRACKER_TOOL}] Updated your tasks in the shared list (${tasks.length} across the team).\n${view(tasks)}`
        }
        if (args.command === 'view') return `[${TASK_TRACKER_TOOL}] ${view(await list.list())}`
        return `[${TASK_TRACKER_TOOL} failed] unknown command ${JSON.stringify(args.command)}: "view" or "plan"`
      } catch (error) {
        return `[${TASK_TRACKER_TOOL} failed] the shared task list could not be used: ${errorMessage(error)}`
      }
    },
  }
}

function view(tasks: readonly TeamTask[]): string {
  if (tasks.length === 0) return 'The shared task list is empty: "plan" adds your tasks.'
  return tasks
    .map((t) => `- [${FROM_LIST[t.status] ?? t.status}] ${t.owner ? `[${t.owner}] ` : ''}${t.title}${t.last_note ? ` (${t.last_note})` : ''}`)
    .join('\n')
}

/** One planned task: the agent's task of that title, or a new one it creates and claims; then its status and notes. */
async function planItem(list: TaskList, agentId: string, item: Record<string, unknown>): Promise<void> {
  // A title read back from `view` carries its holder: `[agent1] Write the parser`.
  const title = String(item.title ?? '').replace(/^\[[^\]]*\] /, '')
  if (title.trim() === '') return
  const status = TO_LIST[item.status as keyof typeof TO_LIST] ?? 'open'
  const task = (await list.list({ owner: agentId })).find((t) => t.title === title) ?? (await list.create(agentId, title, { assign: agentId }))
  // Claimed as upstream's plan claims each task (the claim leaves it in progress), then set to its status.
  await list.claim(task.id, agentId)
  const note = typeof item.notes === 'string' ? item.notes : undefined
  if (status !== 'in_progress' || note !== undefined) await list.update(task.id, agentId, status, note)
}
