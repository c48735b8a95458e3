import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ALL_TEAM_FEATURES, TEAM_FEATURE_NAMES, type TeamFeatures } from '@cooperbench/spec/team'
import { teamTaskCommandsOn } from '@cooperbench/setting-team/agent'
import { describe, expect, it } from 'vitest'
import { CliAgent, claudeCodeProfile } from '../src/index.js'
import { buildCliPrompt, type CliPromptInput } from '../src/prompt.js'
import { cliPromptSource } from '../src/reference/prompt-source.js'
import { loadReferencePromptTemplate, renderReferencePrompt } from '../src/reference/prompt-template.js'
import { RUN_LIMITS } from './support/run-limits.js'

type Team = NonNullable<CliPromptInput['team']>

function team(role: Team['role'], features: Partial<TeamFeatures> = {}): Team {
  const on = { ...ALL_TEAM_FEATURES, ...features }
  return { role, lead: 'agent1', agents: ['agent1', 'agent2'], features: on, scratchpad: on.scratchpad ? '/workspace/shared' : null }
}

function prompt(agentId: 'agent1' | 'agent2', t: Team, overrides: Partial<CliPromptInput> = {}): string {
  return buildCliPrompt({
    agentId,
    peers: [agentId === 'agent1' ? 'agent2' : 'agent1'],
    instructions: 'Add a --verbose flag.',
    messaging: true,
    gitRemote: null,
    earlyMessages: [],
    team: t,
    ...overrides,
  })
}

describe('the team setting in prompt profile cooperbench-cli-v1', () => {
  it("gives a member the team's briefing in place of the pair's team section, then the messaging commands", () => {
    // Without any task list (--team-no-task-commands: the list, the protocol and the summary go).
    const text = prompt('agent2', team('member', { task_list: false, protocol: false, auto_refresh: false, task_commands: false }))
    expect(text).toBe(
      [
        '# Your task',
        '',
        'Add a --verbose flag.',
        '',
        '# Your role in the team',
        '',
        'You are **agent2**, a member of this team. The lead is **agent1**.',
        '',
        'Your job is the feature in the task above. The lead organises the work and brings every feature into its own changes. Ask **agent1** when something is unclear.',
        '',
        "When everyone has finished, the harness combines the team's changes and tests every feature on the result. If the changes do not combine cleanly, the lead's changes alone may be tested against every feature. Your own changes count as well: finish your feature completely.",
        '',
        'The repository is in /workspace/repo (your working directory). Make your changes there; do not commit them, the harness takes the diff.',
        '',
        '# Scratchpad',
        '',
        '`/workspace/shared` is a folder the whole team shares: everyone can read and write it. Nothing in it is part of your submitted changes.',
        '1. Read `/workspace/shared/PLAN.md` if the lead wrote one, and keep to the parts it gives you.',
        '2. When your feature works, leave your changes for the lead: `git add -A -N && git diff > /workspace/shared/agent2.patch` (`-N` includes new files).',
        '',
        '# Talking to your teammates',
        '',
        'These shell commands are on your PATH:',
        '- `send_message <agent> <message>`: sends the message to that teammate.',
        '- `broadcast <message>`: sends it to every teammate.',
        '- `check_messages`: prints the messages your teammates sent you since you last checked.',
        '',
        'Before you edit shared files, say which files and functions you will change; run `check_messages` every few steps and before you finish, and answer questions your teammates ask. Keep messages short and concrete.',
      ].join('\n'),
    )
  })

  it('tells the lead about the task list and integration when they are on', () => {
    const text = prompt('agent1', team('lead'))
    expect(text).toContain('# Task list\n\nThe team shares a task list.')
    expect(text).toContain('As the lead: check that the tasks fit the work')
    expect(text).toContain("Then wait until the members' tasks are done, apply each patch to your working tree")
    expect(text).not.toContain('When everyone is done, the harness merges your changes')
  })

  const combinations = Array.from({ length: 2 ** TEAM_FEATURE_NAMES.length }, (_, bits) =>
    Object.fromEntries(TEAM_FEATURE_NAMES.map((name, i) => [name, (bits & (1 << i)) !== 0])),
  ) as unknown as TeamFeatures[]
  it.each(combinations)('features %o: nothing that is off is named, for either role', (features) => {
    for (const [agentId, role] of [
      ['agent1', 'lead'],
      ['agent2', 'member'],
    ] as const) {
      // A CLI that has the wait_for_message tool whenever the feature is on.
      const text = prompt(agentId, team(role, features), { gitRemote: 'team', waitForMessage: features.mcp })
      // The task list's commands are there with the seeded list or the protocol (upstream's rule).
      if (!teamTaskCommandsOn({ features })) expect(text).not.toMatch(/coop-task|task list|\/tasks\//i)
      if (!features.scratchpad) expect(text).not.toMatch(/\/workspace\/shared|scratchpad|\.patch\b|PLAN\.md/i)
      if (features.mcp) expect(text).toContain('# Waiting for teammates\n\nYou have a tool, `wait_for_message`')
      else expect(text).not.toMatch(/wait_for_message|MCP|Waiting for teammates/)
      // A CLI's loop shows no task list summary.
      expect(/coop-request|coop-respond|coop-pending/.test(text)).toBe(features.protocol)
      expect(text).not.toMatch(/\[Team task list\]/)
    }
  })

  it('names the wait_for_message tool only to a CLI that has it, only with messaging on, after the scratchpad and before the commands', () => {
    const on = team('lead')
    const text = prompt('agent1', on, { waitForMessage: true })
    expect(text).toContain(
      [
        '# Waiting for teammates',
        '',
        'You have a tool, `wait_for_message`: it waits until a message from a teammate reaches you and returns it, with any others that came ' +
          '(they then count as read), or says that none came within `timeout_seconds` (default 60, at most 600). ' +
          'When you cannot go on until a teammate answers or finishes their part, call it instead of sleeping in a shell loop.',
        '',
        '# Talking to your teammates',
      ].join('\n'),
    )
    expect(text.indexOf('# Scratchpad')).toBeLessThan(text.indexOf('# Waiting for teammates'))
    // A CLI without MCP servers (the default), or a run without messaging: never named.
    expect(prompt('agent1', on)).not.toContain('wait_for_message')
    expect(prompt('agent1', on, { waitForMessage: true, messaging: false })).not.toContain('wait_for_message')
    // Outside the team setting the tool does not exist.
    expect(prompt('agent1', on, { waitForMessage: true, team: null })).not.toContain('wait_for_message')
  })

  it('protocol: reference needs team_prompt_template for a team run, and renders the team block in place of the coop section', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cb-cli-team-'))
    try {
      const prompt = join(dir, 'prompt.json')
      const teamFile = join(dir, 'team.json')
      await writeFile(prompt, JSON.stringify({ submission: 'SUBMIT', coop: 'COOP {agent_id}', git: 'GIT {partner_branches}' }))
      await writeFile(
        teamFile,
        JSON.stringify({ lead: 'LEAD {agent_id}: {member_list}\n{_TEAM_LIST_USAGE}', member: 'MEMBER {agent_id} of {lead}', _TEAM_LIST_USAGE: 'USAGE' }),
      )
      const claude = new CliAgent(claudeCodeProfile, { env: { ANTHROPIC_API_KEY: 'k' }, hostBinary: () => '/usr/bin/true' })
      const preflight = (options: Record<string, unknown>) => claude.preflight({ limits: RUN_LIMITS, model: 'anthropic/m', options, run: { setting: 'team' } })
      await expect(preflight({ protocol: 'reference', prompt_template: prompt })).rejects.toThrow(
        /a team run with protocol: reference needs team_prompt_template/,
      )
      await expect(preflight({ team_prompt_template: teamFile })).rejects.toThrow(/team_prompt_template is only read with protocol: reference/)
      await expect(preflight({ protocol: 'reference', prompt_template: prompt, team_prompt_template: teamFile })).resolves.toBeUndefined()

      const template = await loadReferencePromptTemplate(prompt, teamFile)
      const input = { task: 'TASK', partners: ['agent2'], messaging: true, gitRemote: 'team' }
      expect(renderReferencePrompt(template, { ...input, agentId: 'agent1', team: { role: 'lead', agents: ['agent1', 'agent2'] } })).toBe(
        'TASK\n\n---\n\nSUBMIT\n\n---\n\nLEAD agent1: `agent2`\nUSAGE\n\n---\n\nGIT `team/agent2`',
      )
      expect(
        renderReferencePrompt(template, {
          ...input,
          agentId: 'agent2',
          partners: ['agent1'],
          gitRemote: null,
          team: { role: 'member', agents: ['agent1', 'agent2'] },
        }),
      ).toBe('TASK\n\n---\n\nSUBMIT\n\n---\n\nMEMBER agent2 of agent1')
      // Coop is unchanged by a team file.
      expect(renderReferencePrompt(template, { ...input, agentId: 'agent1', gitRemote: null })).toBe('TASK\n\n---\n\nSUBMIT\n\n---\n\nCOOP agent1')

      const plain = await cliPromptSource({ protocol: 'reference', prompt_template: prompt })
      const withTeam = await cliPromptSource({ protocol: 'reference', prompt_template: prompt, team_prompt_template: teamFile })
      expect(withTeam).toMatch(/^reference-template:sha256:[0-9a-f]{64}$/)
      expect(withTeam).not.toBe(plain)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
