import type { AgentRunContext, AgentTeam, Mailbox } from '@cooperbench/spec'
import type { TeamFeatures } from '@cooperbench/spec/team'
import { ALL_TEAM_FEATURES, TEAM_FEATURE_NAMES } from '@cooperbench/spec/team'
import { describe, expect, it } from 'vitest'
import { teamTaskCommandsOn } from '@cooperbench/setting-team/agent'
import { cooperbenchProtocol } from '../src/agent/cooperbench-protocol.js'
import { DEFAULT_OPTIONS } from '../src/agent/options.js'
import { runContext } from './fakes.js'

/** The team of `agent1` (lead) and `agent2`, with the features given (the rest on). */
function team(role: AgentTeam['role'], features: Partial<TeamFeatures> = {}, agents = ['agent1', 'agent2']): AgentTeam {
  const on = { ...ALL_TEAM_FEATURES, ...features }
  return { role, lead: agents[0]!, agents, features: on, scratchpad: on.scratchpad ? '/workspace/shared' : null, taskList: null }
}

/** A mailbox only the prompt sees: its presence turns messaging on. */
const MAILBOX = {} as Mailbox

/** The run of `agentId` in team `t`, messaging on and no shared remote unless `overrides` say otherwise. */
function input(agentId: string, t: AgentTeam, overrides: Partial<AgentRunContext> = {}): Partial<AgentRunContext> {
  return { setting: 'team', agentId, peers: t.agents.filter((a) => a !== agentId), mailbox: MAILBOX, git: null, team: t, ...overrides }
}

/** The system and task messages profile `cooperbench-v1` opens that run with, under the default options. */
function buildPrompt(run: Partial<AgentRunContext>): { system: string; task: string } {
  const protocol = cooperbenchProtocol(DEFAULT_OPTIONS, runContext(run))
  const vars = protocol.vars({ calls: 0, cost: 0 })
  return { system: protocol.templates.system.render(vars), task: protocol.templates.instance.render(vars) }
}

/** The team's sections of the task: from the role section to the workflow. */
function teamPart(task: string): string {
  return task.slice(task.indexOf('## Your role in the team'), task.indexOf('## Workflow')).trimEnd()
}

const JUDGED =
  "When everyone has finished, the harness combines the team's changes and tests every feature on the result. " +
  "If the changes do not combine cleanly, the lead's changes alone may be tested against every feature."

const COMMANDS = [
  'Commands (run them like any other command):',
  '- `coop-task-list`: every task, as JSON; `coop-task-list --mine`: your tasks; `coop-task-list --open`: tasks nobody has started yet.',
  '- `coop-task-claim <id>`: take a task (also one assigned to you). Exit code 0: it is yours; 2: someone else holds it.',
  '- `coop-task-update <id> <status> -n "<note>"`: status open, in_progress, blocked or done, with a short note. Only the task\'s holder can update it.',
  '- `coop-task-create "<title>"` prints the new task\'s id; `coop-task-create --assign <agent> "<title>"` assigns it (the agent still claims it).',
].join('\n')
/** The typed protocol's section, the same for both roles. */
const REQUESTS = [
  '## Requests',
  '',
  "A request asks one teammate something and gets one answer back; both go into the task list's log.",
  '- `coop-request <agent> <kind> "<body>"` prints the request\'s id; with `--wait <seconds>` it waits for the answer and prints it as JSON (exit code 5: no answer in time). The kind is a word of your choice, such as `question`, `review` or `plan_approval`.',
  '- `coop-pending`: the requests addressed to you that are not answered yet, as JSON.',
  '- `coop-respond <request_id> "<body>"`: answers one of them.',
  'Look at `coop-pending` now and then and answer what is addressed to you: a teammate may be waiting.',
].join('\n')

describe('the team setting in profile cooperbench-v1', () => {
  it('tells the lead its role, the task list and the scratchpad, in these words, when every feature is on', () => {
    const { task } = buildPrompt(input('agent1', team('lead')))
    expect(teamPart(task)).toBe(
      [
        '## Your role in the team',
        '',
        'You are **agent1**, the lead of this team. The member is **agent2**.',
        '',
        "Everyone implements their own feature; yours is the task above. As the lead you also organise the work and integrate it: the changes you finish with should hold the members' features as well as yours.",
        '',
        JUDGED,
        '',
        'You can message your teammate at any time (see Messaging).',
        '',
        '## Task list',
        '',
        "The team shares a task list. The harness has already put one task on it for each member, assigned to that member, and one for the lead: its own feature and integrating the team's work.",
        COMMANDS,
        'The list is also kept as files in `/workspace/shared/tasks/` (`<id>.json`, `_index.json`, `_log.jsonl`).',
        'As the lead: check that the tasks fit the work, add or assign tasks if that helps, and follow progress with `coop-task-list`. A blocked task says in its `last_note` what its holder needs.',
        '',
        REQUESTS,
        '',
        '## Scratchpad',
        '',
        '`/workspace/shared` is a folder the whole team shares: everyone can read and write it. Nothing in it is part of your submitted changes.',
        '1. Early on, write your plan to `/workspace/shared/PLAN.md`: which files and functions each feature changes, so that nobody edits the same lines.',
        '2. Each member leaves their changes as a patch, `/workspace/shared/<member>.patch` (`/workspace/shared/agent2.patch`).',
        "3. Implement your own feature. Then wait until the members' tasks are done, apply each patch to your working tree (`git apply /workspace/shared/<member>.patch`; resolve any conflict by hand), check that every feature works together, and only then finish.",
      ].join('\n'),
    )
  })

  it('tells a member its lead, its task and where its patch goes', () => {
    const { task } = buildPrompt(input('agent2', team('member')))
    expect(teamPart(task)).toBe(
      [
        '## Your role in the team',
        '',
        'You are **agent2**, a member of this team. The lead is **agent1**.',
        '',
        'Your job is the feature in the task above. The lead organises the work and brings every feature into its own changes. Ask **agent1** when something is unclear.',
        '',
        `${JUDGED} Your own changes count as well: finish your feature completely.`,
        '',
        'You can message your teammate at any time (see Messaging).',
        '',
        '## Task list',
        '',
        "The team shares a task list. The harness has already put one task on it for each member, assigned to that member, and one for the lead: its own feature and integrating the team's work.",
        COMMANDS,
        'The list is also kept as files in `/workspace/shared/tasks/` (`<id>.json`, `_index.json`, `_log.jsonl`).',
        'As a member: find your task with `coop-task-list --mine` and claim it before you start. When you are stuck, set it to `blocked` with a note saying what you need; when your feature is finished, set it to `done` with a note.',
        '',
        REQUESTS,
        '',
        '## Scratchpad',
        '',
        '`/workspace/shared` is a folder the whole team shares: everyone can read and write it. Nothing in it is part of your submitted changes.',
        '1. Read `/workspace/shared/PLAN.md` if the lead wrote one, and keep to the parts it gives you.',
        '2. When your feature works, leave your changes for the lead: `git add -A -N && git diff > /workspace/shared/agent2.patch` (`-N` includes new files). Then mark your task done.',
      ].join('\n'),
    )
  })

  it('names every member of a larger team and, without the task list, waits for the patch files instead', () => {
    const agents = ['agent1', 'agent2', 'agent3']
    const lead = teamPart(buildPrompt(input('agent1', team('lead', { task_list: false }, agents), { mailbox: null })).task)
    expect(lead).toContain('You are **agent1**, the lead of this team. The members are **agent2** and **agent3**.')
    expect(lead).toContain('In this run there is no way to send messages to your teammates.')
    expect(lead).toContain('(`/workspace/shared/agent2.patch`, `/workspace/shared/agent3.patch`)')
    expect(lead).toContain("Then wait until every member's patch file is there, apply each patch")
    const member = teamPart(buildPrompt(input('agent3', team('member', { task_list: false }, agents), { mailbox: null })).task)
    expect(member).toContain('You are **agent3**, a member of this team. The lead is **agent1**; the other members are **agent2**.')
    expect(member).toContain('`git add -A -N && git diff > /workspace/shared/agent3.patch` (`-N` includes new files).')
    expect(member).not.toContain('mark your task done')
    expect(member).not.toContain('Ask **agent1**')
  })

  it('without the scratchpad, the lead organises but is not told to integrate, and nobody hears of patches or shared files', () => {
    const lead = teamPart(buildPrompt(input('agent1', team('lead', { scratchpad: false }))).task)
    expect(lead).toContain('As the lead you also organise the work.\n')
    const member = teamPart(buildPrompt(input('agent2', team('member', { scratchpad: false }))).task)
    expect(member).toContain('The lead organises the work. Ask **agent1**')
  })

  it('the shared remote section of a team does not forbid what the lead is told to do', () => {
    const { task } = buildPrompt(input('agent1', team('lead'), { git: { remote: 'team', url: 'file:///team.git' } }))
    expect(task).toContain('A shared git remote, `team`, shows the actual changes of your teammate (see Shared git remote).')
    expect(task).toContain("so a teammate's history in your branch would confuse them; the members' work reaches you as patch files (see Scratchpad).")
    expect(task).not.toContain('would appear twice')
  })

  // Every combination of the five features, for both roles: what is off is never named.
  const combinations = Array.from({ length: 2 ** TEAM_FEATURE_NAMES.length }, (_, bits) =>
    Object.fromEntries(TEAM_FEATURE_NAMES.map((name, i) => [name, (bits & (1 << i)) !== 0])),
  ) as unknown as TeamFeatures[]
  const MENTIONS: Record<(typeof TEAM_FEATURE_NAMES)[number], RegExp> = {
    task_list: /coop-task|task list|\/tasks\//i,
    scratchpad: /\/workspace\/shared|scratchpad|\.patch\b|PLAN\.md/i,
    // MCP is for CLI agents, and the refresh is not announced: neither is ever named here.
    mcp: /wait_for_message|\bMCP\b/,
    auto_refresh: /\[Team task list\]/,
    protocol: /coop-request|coop-respond|coop-pending/,
  }
  it.each(combinations.flatMap((features) => (['lead', 'member'] as const).map((role) => ({ features, role }))))(
    'features $features, $role: no prompt names a feature that is off',
    ({ features, role }) => {
      const { system, task } = buildPrompt(
        input(role === 'lead' ? 'agent1' : 'agent2', team(role, features), { git: { remote: 'team', url: 'file:///team.git' } }),
      )
      // The task list's commands are there with the seeded list or the protocol (upstream's rule): named then, and only then.
      const on = { ...features, task_list: teamTaskCommandsOn({ features }) }
      for (const name of TEAM_FEATURE_NAMES) {
        if (on[name] && (name === 'task_list' || name === 'scratchpad')) expect(task).toMatch(MENTIONS[name])
        if (name === 'protocol') expect(MENTIONS.protocol.test(task)).toBe(features.protocol)
        if (!on[name]) {
          expect(system).not.toMatch(MENTIONS[name])
          expect(task).not.toMatch(MENTIONS[name])
        }
      }
    },
  )

  it('a coop pair keeps its own situation: no team sections', () => {
    const { task } = buildPrompt(input('agent1', team('lead'), { team: null }))
    expect(task).toContain('## Your situation')
    expect(task).not.toContain('## Your role in the team')
    expect(task).not.toMatch(/coop-task|\/workspace\/shared/)
  })
})
