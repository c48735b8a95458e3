import { jinjaToJson } from './python-values.js'

/** Characters of the task's beginning that must appear: a template may cut a long task short (`task[:2000]`). */
const TASK_HEAD = 200

/** Whether the first messages show the task's beginning, as is or as `tojson` prints it (without it the agent has nothing to do). */
export function showsTask(messages: readonly string[], task: string): boolean {
  const head = Array.from(task).slice(0, TASK_HEAD).join('')
  const asJson = jinjaToJson(head).slice(1, -1)
  return messages.some((message) => message.includes(head) || message.includes(asJson))
}

/** What is wrong with templates that never show the task (`who`: ` to agent2`, or '' in solo; `when`: with which values). */
export function taskNotShown(who: string, when = ''): string {
  return `the agent config's agent.instance_template and agent.system_template never show the task${who}${when}: the agent would have nothing to do`
}

/** How to fix them. */
export const TASK_NOT_SHOWN_FIX =
  "Put {{ task }} in agent.instance_template for every agent, outside any condition on the run's values (image, backend, …), as the reference configurations do."
