import type { BriefingSection } from '@cooperbench/spec'
import { PROTOCOL_COMMANDS } from '../commands/protocol-commands.js'
import { TASK_COMMANDS } from '../commands/task-commands.js'
import { TEAM_TASKS_MIRROR_DIR, type TeamFeatures, type TeamRole } from '../team-types.js'

/** A team as one seat's briefing sees it. */
interface TeamView {
  role: TeamRole
  /** The lead's agent id (`agent1`). */
  lead: string
  /** Every agent of the team, lead first, in feature order. */
  agents: readonly string[]
  features: TeamFeatures
  /** The scratchpad's path inside the sandbox (null when `scratchpad` is off). */
  scratchpad: string | null
}

/** What the briefing depends on: the seat and whether it can message (each agent explains how in its own prompt). */
interface TeamBriefingInput {
  agentId: string
  team: TeamView
  messaging: boolean
}

/** Whether the seat has the `coop-task-*` commands: with `task_list` or `protocol` on, as upstream installed its helper. */
export function teamTaskCommandsOn(team: { features: TeamFeatures }): boolean {
  return team.features.task_list || team.features.protocol
}

/**
 * Our own text (for agents' own profiles): the role, then the task list, requests and scratchpad only when their feature is on, so a
 * prompt never mentions what an ablation removed.
 */
export function teamBriefing(input: TeamBriefingInput): BriefingSection[] {
  const { team } = input
  const sections = [{ title: 'Your role in the team', body: roleSection(input) }]
  if (teamTaskCommandsOn(team)) sections.push({ title: 'Task list', body: taskListSection(input) })
  if (team.features.protocol) sections.push({ title: 'Requests', body: requestsSection() })
  if (team.features.scratchpad && team.scratchpad !== null) sections.push({ title: 'Scratchpad', body: scratchpadSection(input, team.scratchpad) })
  return sections
}

/** The members of the team: everyone but the lead, in the team's order. */
function membersOf(input: TeamBriefingInput): string[] {
  return input.team.agents.filter((agent) => agent !== input.team.lead)
}

function named(agents: readonly string[]): string {
  const bold = agents.map((a) => `**${a}**`)
  return bold.length <= 1 ? (bold[0] ?? '') : `${bold.slice(0, -1).join(', ')} and ${bold.at(-1)}`
}

/** Whether the lead can bring the members' work into its own tree: through their patch files in the scratchpad. */
const integrates = (input: TeamBriefingInput) => input.team.features.scratchpad && input.team.scratchpad !== null

function roleSection(input: TeamBriefingInput): string {
  const members = membersOf(input)
  const judged =
    "When everyone has finished, the harness combines the team's changes and tests every feature on the result. " +
    "If the changes do not combine cleanly, the lead's changes alone may be tested against every feature."
  if (input.team.role === 'lead') {
    return [
      `You are **${input.agentId}**, the lead of this team. ${members.length === 1 ? 'The member is' : 'The members are'} ${named(members)}.`,
      'Everyone implements their own feature; yours is the task above. As the lead you also organise the work' +
        (integrates(input) ? " and integrate it: the changes you finish with should hold the members' features as well as yours." : '.'),
      judged,
    ].join('\n\n')
  }
  return [
    `You are **${input.agentId}**, a member of this team. The lead is **${input.team.lead}**` +
      (members.length > 1 ? `; the other members are ${named(members.filter((m) => m !== input.agentId))}.` : '.'),
    'Your job is the feature in the task above. The lead organises the work' +
      (integrates(input) ? ' and brings every feature into its own changes.' : '.') +
      (input.messaging ? ` Ask **${input.team.lead}** when something is unclear.` : ''),
    `${judged} Your own changes count as well: finish your feature completely.`,
  ].join('\n\n')
}

function taskListSection(input: TeamBriefingInput): string {
  const [create, claim, update, list] = TASK_COMMANDS
  const seeded = input.team.features.task_list
  const lines = [
    seeded
      ? 'The team shares a task list. The harness has already put one task on it for each member, assigned to that member, ' +
        "and one for the lead: its own feature and integrating the team's work."
      : 'The team shares a task list. It starts empty: add the tasks the work needs.',
    'Commands (run them like any other command):',
    `- \`${list}\`: every task, as JSON; \`${list} --mine\`: your tasks; \`${list} --open\`: tasks nobody has started yet.`,
    `- \`${claim} <id>\`: take a task (also one assigned to you). Exit code 0: it is yours; 2: someone else holds it.`,
    `- \`${update} <id> <status> -n "<note>"\`: status open, in_progress, blocked or done, with a short note. Only the task's holder can update it.`,
    `- \`${create} "<title>"\` prints the new task's id; \`${create} --assign <agent> "<title>"\` assigns it (the agent still claims it).`,
  ]
  if (integrates(input)) lines.push(`The list is also kept as files in \`${TEAM_TASKS_MIRROR_DIR}/\` (\`<id>.json\`, \`_index.json\`, \`_log.jsonl\`).`)
  if (input.team.role === 'lead') {
    lines.push(
      `As the lead: check that the tasks fit the work, add or assign tasks if that helps, and follow progress with \`${list}\`. ` +
        'A blocked task says in its `last_note` what its holder needs.',
    )
  } else {
    lines.push(
      (seeded
        ? `As a member: find your task with \`${list} --mine\` and claim it before you start. `
        : `As a member: claim a task for your feature before you start. `) +
        `When you are stuck, set it to \`blocked\` with a note saying what you need; when your feature is finished, set it to \`done\` with a note.`,
    )
  }
  return lines.join('\n')
}

function requestsSection(): string {
  const [request, respond, pending] = PROTOCOL_COMMANDS
  return [
    "A request asks one teammate something and gets one answer back; both go into the task list's log.",
    `- \`${request} <agent> <kind> "<body>"\` prints the request's id; with \`--wait <seconds>\` it waits for the answer and prints it as JSON ` +
      '(exit code 5: no answer in time). The kind is a word of your choice, such as `question`, `review` or `plan_approval`.',
    `- \`${pending}\`: the requests addressed to you that are not answered yet, as JSON.`,
    `- \`${respond} <request_id> "<body>"\`: answers one of them.`,
    `Look at \`${pending}\` now and then and answer what is addressed to you: a teammate may be waiting.`,
  ].join('\n')
}

function scratchpadSection(input: TeamBriefingInput, dir: string): string {
  const plan = `${dir}/PLAN.md`
  const lines = [`\`${dir}\` is a folder the whole team shares: everyone can read and write it. Nothing in it is part of your submitted changes.`]
  const donePatches = input.team.features.task_list ? "the members' tasks are done" : "every member's patch file is there"
  if (input.team.role === 'lead') {
    lines.push(
      `1. Early on, write your plan to \`${plan}\`: which files and functions each feature changes, so that nobody edits the same lines.`,
      `2. Each member leaves their changes as a patch, \`${dir}/<member>.patch\` (${membersOf(input)
        .map((m) => `\`${dir}/${m}.patch\``)
        .join(', ')}).`,
      `3. Implement your own feature. Then wait until ${donePatches}, apply each patch to your working tree ` +
        `(\`git apply ${dir}/<member>.patch\`; resolve any conflict by hand), check that every feature works together, and only then finish.`,
    )
  } else {
    const patch = `${dir}/${input.agentId}.patch`
    lines.push(
      `1. Read \`${plan}\` if the lead wrote one, and keep to the parts it gives you.`,
      `2. When your feature works, leave your changes for the lead: \`git add -A -N && git diff > ${patch}\` (\`-N\` includes new files).` +
        (input.team.features.task_list ? ' Then mark your task done.' : ''),
    )
  }
  return lines.join('\n')
}
