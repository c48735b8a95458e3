import { patchPaths } from '@cooperbench/spec-utils/patch'
import { applyGold, commandOf, type GoldFeature, heredoc, textOf } from './gold-commands.js'
import { finalTurn, toolCall } from './turns.js'
import type { RecordedChatMessage, ScriptedTurn } from './types.js'

/** An agent of the `team` setting, as its task (profile `cooperbench-v1`'s team briefing) describes it. */
export interface TeamPlayer {
  self: string
  role: 'lead' | 'member'
  /** The members (for a lead), from its Scratchpad section or its role line. */
  members: string[]
  /** The task list's commands are there (its section is in the task). */
  taskList: boolean
  /** The scratchpad's folder; null when the run has none. */
  scratchpad: string | null
}

/** The team briefing in an agent's task; null when the task has none (solo, coop). */
export function teamPlayerOf(task: string): TeamPlayer | null {
  const lead = /You are \*\*([\w.-]+)\*\*, the lead of this team\. The members? (?:is|are) ([^\n]*)/.exec(task)
  const member = /You are \*\*([\w.-]+)\*\*, a member of this team\./.exec(task)
  if (!lead && !member) return null
  const scratchpad = /`([^`\n]+)` is a folder the whole team shares/.exec(task)?.[1] ?? null
  const taskList = task.includes('## Task list') && task.includes('coop-task-list')
  if (lead) return { self: lead[1]!, role: 'lead', members: [...lead[2]!.matchAll(/\*\*([\w.-]+)\*\*/g)].map((m) => m[1]!), taskList, scratchpad }
  return { self: member![1]!, role: 'member', members: [], taskList, scratchpad }
}

/** How many two-second waits the lead spends, at most, for the members before it integrates what is there (well inside mini-SWE's default 100 steps). */
const MEMBER_WAITS = 60

/** One step of a player's script; `command` null skips the step. */
interface Step {
  name: string
  command: string | null
  /** The step repeats (a wait) until this says the team is ready, or the waits run out. */
  until?: (output: string) => boolean
}

/**
 * The team setting played with the gold patches, so a team run can be seen end to end offline.
 * The lead writes a plan to the scratchpad, lists the tasks and claims its own, applies its
 * feature, waits (two-second polls of `coop-task-list`, or of the scratchpad without a task list)
 * until every member's task is done, applies each member's patch from the scratchpad (the task's
 * combined patch when they do not apply together), marks its task done and submits. A member
 * lists its tasks, claims the one assigned to it, reads the plan, applies its feature, leaves its
 * diff in `<scratchpad>/<member>.patch`, marks the task done and submits. What a run has switched
 * off is skipped: no task commands without a task list; no plan, patches or waiting without a
 * scratchpad (each agent then submits its own feature). Each command starts with a `# step: <name>`
 * comment, from which the next step is told.
 */
export function teamPlayTurn(player: TeamPlayer, mine: GoldFeature[], messages: RecordedChatMessage[]): ScriptedTurn {
  const history = toolHistory(messages)
  const steps = player.role === 'lead' ? leadSteps(player, mine, history) : memberSteps(player, mine, history)
  const done = history.flatMap(({ command }) => {
    const name = /^# step: ([\w-]+)/.exec(command)?.[1]
    return name === undefined ? [] : [name]
  })
  const last = done.at(-1)
  let index = last === undefined ? 0 : steps.findIndex((s) => s.name === last)
  const current = steps[index]
  if (current?.until) {
    const waits = done.filter((n) => n === current.name).length
    if (!current.until(history.at(-1)?.output ?? '') && waits < MEMBER_WAITS) return toolCall(`# step: ${current.name}\n${current.command}`)
  }
  if (last !== undefined) index += 1
  for (; index < steps.length; index++) {
    const step = steps[index]!
    if (step.command !== null) return toolCall(`# step: ${step.name}\n${step.command}`)
  }
  return finalTurn()
}

function leadSteps(player: TeamPlayer, mine: GoldFeature[], history: ToolExchange[]): Step[] {
  const dir = player.scratchpad
  const files = [...new Set(mine.flatMap((f) => patchPaths(f.gold)))]
  const plan = [
    '# Plan',
    '',
    `- ${player.self} (lead): its own feature, in ${files.length > 0 ? files.join(', ') : 'no file'}; then integrates the members' patches.`,
    ...player.members.map((m) => `- ${m}: its own feature, leaving its diff in ${dir}/${m}.patch.`),
  ].join('\n')
  const listed = lastOutputOf(history, 'list-tasks')
  const mineTask = tasksIn(listed).find((t) => t.owner === player.self && t.status !== 'done')
  const patches = player.members.map((m) => `${dir}/${m}.patch`)
  const membersDone = (output: string) => {
    const tasks = tasksIn(output)
    return player.members.every((m) => tasks.some((t) => t.owner === m) && tasks.filter((t) => t.owner === m).every((t) => t.status === 'done'))
  }
  const patchesThere = (output: string) => player.members.every((m) => output.split('\n').includes(`${m}.patch`))
  const integrate =
    `${heredoc('/tmp/combined.patch', mine[0]!.combined)}\n` +
    `(${patches.map((p) => `git apply ${p}`).join(' && ')}) || (git checkout -q -- . && git clean -fdq && git apply /tmp/combined.patch)\nrm -f /tmp/combined.patch`
  return [
    { name: 'write-plan', command: dir === null ? null : heredoc(`${dir}/PLAN.md`, plan) },
    { name: 'list-tasks', command: player.taskList ? 'coop-task-list' : null },
    { name: 'claim-own-task', command: mineTask ? `coop-task-claim ${mineTask.id}` : null },
    { name: 'implement', command: applyGold(mine) },
    dir === null
      ? { name: 'wait-for-members', command: null }
      : player.taskList
        ? { name: 'wait-for-members', command: 'sleep 2; coop-task-list', until: membersDone }
        : { name: 'wait-for-members', command: `sleep 2; ls ${dir}`, until: patchesThere },
    { name: 'integrate', command: dir === null || player.members.length === 0 ? null : integrate },
    { name: 'mark-done', command: mineTask ? `coop-task-update ${mineTask.id} done -n "integrated the team's work"` : null },
  ]
}

function memberSteps(player: TeamPlayer, mine: GoldFeature[], history: ToolExchange[]): Step[] {
  const dir = player.scratchpad
  const task = tasksIn(lastOutputOf(history, 'list-my-tasks')).find((t) => t.status !== 'done')
  const patch = dir === null ? null : `${dir}/${player.self}.patch`
  return [
    { name: 'list-my-tasks', command: player.taskList ? 'coop-task-list --mine' : null },
    { name: 'claim', command: task ? `coop-task-claim ${task.id}` : null },
    { name: 'read-plan', command: dir === null ? null : `cat ${dir}/PLAN.md 2>/dev/null || echo "no plan yet"` },
    { name: 'implement', command: applyGold(mine) },
    // Written aside, then renamed: the lead never reads half a patch.
    { name: 'leave-patch', command: patch === null ? null : `git add -A -N && git diff > ${patch}.tmp && mv ${patch}.tmp ${patch}` },
    { name: 'mark-done', command: task ? `coop-task-update ${task.id} done -n "${patch === null ? 'implemented' : `patch at ${patch}`}"` : null },
  ]
}

interface ToolExchange {
  command: string
  /** What the agent showed the model for the command (its observation). */
  output: string
}

/** Every command the agent ran, with its observation, in order. */
function toolHistory(messages: RecordedChatMessage[]): ToolExchange[] {
  const outputs = new Map(messages.filter((m) => m.role === 'tool' && typeof m.tool_call_id === 'string').map((m) => [m.tool_call_id!, textOf(m)]))
  return messages.flatMap((m) =>
    m.role === 'assistant' ? (m.tool_calls ?? []).map((c) => ({ command: commandOf(c.function.arguments), output: outputs.get(c.id) ?? '' })) : [],
  )
}

function lastOutputOf(history: ToolExchange[], step: string): string {
  return history.findLast((e) => e.command.startsWith(`# step: ${step}\n`))?.output ?? ''
}

/** The tasks of a `coop-task-list` output inside an observation; [] when there is none. */
function tasksIn(output: string): Array<{ id: string; owner: string; status: string }> {
  const start = output.indexOf('[')
  const end = output.lastIndexOf(']')
  if (start < 0 || end < start) return []
  try {
    const parsed = JSON.parse(output.slice(start, end + 1)) as unknown
    return Array.isArray(parsed) ? parsed.filter((t): t is { id: string; owner: string; status: string } => typeof t?.id === 'string') : []
  } catch {
    return []
  }
}
