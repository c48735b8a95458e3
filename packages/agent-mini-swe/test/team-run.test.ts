import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryBus, MemoryTaskList, newMemoryTaskStore } from '@cooperbench/builtins'
import type { AgentRunContext, AgentTeam, TaskList } from '@cooperbench/spec'
import type { TeamFeatures } from '@cooperbench/spec/team'
import { ALL_TEAM_FEATURES } from '@cooperbench/spec/team'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readReferenceProtocol } from '../src/reference/config.js'
import type { TrajectoryMessage } from '../src/agent/trajectory.js'
import { agentWith, bash, contents, coopContext, fakeSandbox, SUBMIT, SUBMITTED, scriptedModel } from './fakes.js'

/** The features of a team without any task list (`--team-no-task-commands`), as the setting records them. */
const NO_TASK_LIST_AT_ALL = { task_list: false, protocol: false, auto_refresh: false, task_commands: false } as const

/** The team context of `agentId` in a team of agent1 (lead) and agent2 on a fresh memory task list. */
async function teamContext(agentId: 'agent1' | 'agent2', features: Partial<TeamFeatures>, list: TaskList | null, overrides: Partial<AgentRunContext> = {}) {
  const bus = new MemoryBus()
  const mailbox = await bus.open('run:team', agentId, [agentId === 'agent1' ? 'agent2' : 'agent1'])
  const on = { ...ALL_TEAM_FEATURES, ...features }
  const team: AgentTeam = {
    role: agentId === 'agent1' ? 'lead' : 'member',
    lead: 'agent1',
    agents: ['agent1', 'agent2'],
    features: on,
    taskList: list,
    scratchpad: on.scratchpad ? '/workspace/shared' : null,
  }
  // Commands of a team run with the task list start with the PATH line: the submit is recognised at the end.
  const sandbox = fakeSandbox((text) => (text.endsWith(SUBMIT) ? SUBMITTED : {}))
  return coopContext(mailbox, { setting: 'team', team, sandbox, ...overrides })
}

const summaries = (request: Parameters<typeof contents>[0]) => contents(request).filter((c) => c.startsWith('[Team task list]'))

describe('auto-refresh: the team task list before every model call', () => {
  it('shows the current list, in the reference format, as the last message before each call', async () => {
    const list = new MemoryTaskList('run:team', newMemoryTaskStore())
    const mine = await list.create('agent1', 'Implement feature 2', { assign: 'agent2' })
    const model = scriptedModel([
      async () => {
        await list.claim(mine.id, 'agent2')
        return bash('ls')
      },
      bash(SUBMIT),
    ])
    const ctx = await teamContext('agent2', {}, list)
    const result = await agentWith(model).run(ctx)
    expect(result.status).toBe('Submitted')
    expect(contents(model.requests[0]).at(-1)).toBe(`[Team task list] open: 1\n  - ${mine.id} [open] owner=agent2 (you own): Implement feature 2`)
    expect(contents(model.requests[1]).at(-1)).toBe(`[Team task list] in_progress: 1\n  - ${mine.id} [in_progress] owner=agent2 (you own): Implement feature 2`)
    // Each call gets its own summary: the first stays in the history, as the reference's poller leaves it.
    expect(summaries(model.requests[1])).toHaveLength(2)
    const recorded = (result.messages as TrajectoryMessage[]).filter((m) => m.extra['team_tasks'] === true)
    expect(recorded.map((m) => m.role)).toEqual(['user', 'user'])
  })

  it("puts the harness's task commands on the PATH of every command when the task list is on, and only then", async () => {
    const on = await teamContext('agent1', {}, new MemoryTaskList('run:team', newMemoryTaskStore()))
    await agentWith(scriptedModel([bash('coop-task-list'), bash(SUBMIT)])).run(on)
    const commands = (on.sandbox as ReturnType<typeof fakeSandbox>).commands
    expect(commands).toEqual([`export PATH="/tmp/.cooperbench-tasks/bin:$PATH"\ncoop-task-list`, `export PATH="/tmp/.cooperbench-tasks/bin:$PATH"\n${SUBMIT}`])
    // Without any task list (--team-no-task-commands); upstream's --team-no-task-list keeps the commands.
    const off = await teamContext('agent1', NO_TASK_LIST_AT_ALL, null)
    await agentWith(scriptedModel([bash('ls'), bash(SUBMIT)])).run(off)
    expect((off.sandbox as ReturnType<typeof fakeSandbox>).commands).toEqual(['ls', SUBMIT])
  })

  it('an empty list says so', async () => {
    const model = scriptedModel([bash(SUBMIT)])
    await agentWith(model).run(await teamContext('agent1', {}, new MemoryTaskList('run:team', newMemoryTaskStore())))
    expect(contents(model.requests[0]).at(-1)).toBe('[Team task list]: no tasks yet.')
  })

  it('is absent with --team-no-auto-refresh, without any task list, and outside the team setting', async () => {
    const list = new MemoryTaskList('run:team', newMemoryTaskStore())
    await list.create('agent1', 'Implement feature 2', { assign: 'agent2' })
    for (const [features, taskList] of [
      [{ auto_refresh: false }, list],
      [NO_TASK_LIST_AT_ALL, null],
      [{}, null],
    ] as const) {
      const model = scriptedModel([bash('ls'), bash(SUBMIT)])
      await agentWith(model).run(await teamContext('agent2', features, taskList))
      for (const request of model.requests) expect(summaries(request)).toEqual([])
    }
    // Upstream's --team-no-task-list only skips the seeding: the summary of the (unseeded) list stays.
    const upstreamArm = scriptedModel([bash(SUBMIT)])
    await agentWith(upstreamArm).run(await teamContext('agent2', { task_list: false }, list))
    expect(summaries(upstreamArm.requests[0])).toHaveLength(1)
    const model = scriptedModel([bash(SUBMIT)])
    const coop = await teamContext('agent2', {}, list, { setting: 'coop', team: null })
    await agentWith(model).run(coop)
    expect(summaries(model.requests[0])).toEqual([])
  })

  it("a task list that cannot be read fails the run as the harness's error, not silently", async () => {
    const broken = new MemoryTaskList('run:team', newMemoryTaskStore())
    await broken.close()
    const model = scriptedModel([bash(SUBMIT)])
    await expect(agentWith(model).run(await teamContext('agent1', {}, broken))).rejects.toThrow()
    expect(model.requests).toHaveLength(0)
  })
})

describe("the team setting under the reference's configuration", () => {
  let dir: string
  let templatePath: string
  const template = {
    lead: 'LEAD {agent_id} over {member_list}.\n\n{_TEAM_LIST_USAGE}',
    member: 'MEMBER {agent_id}, lead {lead}: `coop-send {lead} "..."`\n\n{_TEAM_LIST_USAGE}',
    _TEAM_LIST_USAGE: 'USAGE {not a field}',
  }
  const config = (extra: object = {}) => ({
    agent: { system_template: 'sys {{ agent_id }} of {{ agents | length }}', instance_template: 'task: {{ task }}', step_limit: 0, cost_limit: 3 },
    model: { cost_tracking: 'ignore_errors', observation_template: '{{ output.output }}' },
    ...extra,
  })
  const sandbox = () =>
    fakeSandbox((text) => {
      if (text.endsWith(SUBMIT)) return SUBMITTED
      if (text.endsWith('cat patch.txt 2>/dev/null')) return { exitCode: 1 }
      return {}
    })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cb-msa-team-'))
    templatePath = join(dir, 'team-prompt.json')
    await writeFile(templatePath, JSON.stringify(template))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it("appends the user's team block to the task after a rule, per role, and refreshes the list as the reference's poller does", async () => {
    const list = new MemoryTaskList('run:team', newMemoryTaskStore())
    const options = config({ team_prompt_template: templatePath })
    const lead = scriptedModel([bash(SUBMIT)])
    await agentWith(lead, options).run(await teamContext('agent1', {}, list, { options, sandbox: sandbox() }))
    expect(contents(lead.requests[0])).toEqual([
      'sys agent1 of 2',
      'task: Add a --verbose flag to the CLI.\n\n---\n\nLEAD agent1 over `agent2`.\n\nUSAGE {not a field}',
      '[Team task list]: no tasks yet.',
    ])
    const member = scriptedModel([bash(SUBMIT)])
    await agentWith(member, options).run(await teamContext('agent2', { auto_refresh: false }, list, { options, sandbox: sandbox() }))
    expect(contents(member.requests[0])).toEqual([
      'sys agent2 of 2',
      'task: Add a --verbose flag to the CLI.\n\n---\n\nMEMBER agent2, lead agent1: `coop-send agent1 "..."`\n\nUSAGE {not a field}',
    ])
  })

  it('refuses a team run without the file, in preflight and in run, and a file that is not the three strings', async () => {
    const agent = agentWith(scriptedModel([]), config())
    const run = { setting: 'team' as const, messaging: true, git: false }
    await expect(agent.preflight({ model: 'fake/model', options: config(), run })).rejects.toThrow(/needs team_prompt_template/)
    await expect(agent.preflight({ model: 'fake/model', options: config({ team_prompt_template: templatePath }), run })).resolves.toBeUndefined()
    const ctx = await teamContext('agent1', {}, null, { options: config(), sandbox: sandbox() })
    await expect(agent.run(ctx)).rejects.toThrow(/needs team_prompt_template/)
    const bad = join(dir, 'bad.json')
    await writeFile(bad, JSON.stringify({ ...template, lead: 'LEAD {agent_id!r}' }))
    expect(() => readReferenceProtocol(config({ team_prompt_template: bad }))).toThrow(/"lead" cannot be rendered: it has the field \{agent_id!r\}/)
    await writeFile(bad, JSON.stringify({ lead: 'x', member: 'y' }))
    expect(() => readReferenceProtocol(config({ team_prompt_template: bad }))).toThrow(/needs "_TEAM_LIST_USAGE" as a string/)
    expect(() => readReferenceProtocol(config({ team_prompt_template: join(dir, 'absent.json') }))).toThrow(/absent\.json cannot be read/)
  })

  it("the team block's file is part of the configuration's digest; a file without it keeps its old digest", async () => {
    const plain = readReferenceProtocol(config())
    const withTeam = readReferenceProtocol(config({ team_prompt_template: templatePath }))
    expect(withTeam.digest).not.toBe(plain.digest)
    const other = join(dir, 'other.json')
    await writeFile(other, JSON.stringify({ ...template, lead: 'another lead {agent_id} {member_list} {_TEAM_LIST_USAGE}' }))
    expect(readReferenceProtocol(config({ team_prompt_template: other })).digest).not.toBe(withTeam.digest)
    expect(plain.teamTemplate).toBeNull()
  })
})
