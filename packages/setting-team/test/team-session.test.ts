/**
 * A team pair around its agents (`TeamSession`): the seeding, the metrics, the task mirror, what each seat is given to coordinate
 * with (briefing, tools, status, variables, mounts, the wait tool) for each set of features, the files written at the end, and the
 * setting's run of a pair over it. On a pair of this machine's folders; the same session over core's pair folders (the scratchpad
 * writable by every user, links not copied) is in packages/testkit/test/team-setting-planning.test.ts.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { BusMessage, CommandTool, Seat, SeatCoordination, SeatOutcome, SharedLog } from '@cooperbench/spec'
import { emptyAgentResult, MemoryLogs } from '@cooperbench/spec-utils'
import { describe, expect, it } from 'vitest'
import { tempFolderOfThisFile } from '../../../scripts/test/after-every.js'
import { SEEDED_TASK_TITLES, seedTeamTasks, TEAM_SEEDER } from '../src/harness/seed-tasks.js'
import { MirrorFiles, TaskMirror, withChangeHook } from '../src/harness/task-mirror.js'
import { computeTeamMetrics, round3 } from '../src/harness/team-metrics.js'
import { TeamSession, teamTaskList } from '../src/harness/team-session.js'
import { teamOptionsOf } from '../src/options.js'
import type { TeamTaskEvent } from '../src/task-list/task-types.js'
import { teamSetting } from '../src/team-setting.js'
import { ALL_TEAM_FEATURES, type TeamFeatures } from '../src/team-types.js'
import { parseReferenceTeamTemplate } from '../src/briefing/upstream-team-block.js'
import { hostShellSandbox, logsBus, memoryTaskList, testPair } from './support/team-pair.js'
import { runCommand } from './support/team-tools.js'

const SEATS = [
  { agentId: 'agent1', featureId: 2 },
  { agentId: 'agent2', featureId: 5 },
  { agentId: 'agent3', featureId: 7 },
]
const TASK_TOOLS = ['coop-task-list', 'coop-task-claim', 'coop-task-update', 'coop-task-create']
const PROTOCOL_TOOLS = ['coop-request', 'coop-respond', 'coop-pending']
const NONE: TeamFeatures = { task_list: false, scratchpad: false, mcp: false, auto_refresh: false, protocol: false, task_commands: false }

/** A team session on a pair of this machine's folders and an in-process bus of logs. */
async function openSession(
  features: Partial<TeamFeatures> = {},
  options: { seats?: typeof SEATS; upstream?: ReturnType<typeof template>; sharedFolders?: boolean } = {},
) {
  const { bus, logs, opened } = logsBus()
  const seats = options.seats ?? SEATS
  const test = await testPair({ bus, features: seats.map((s) => s.featureId), sharedFolders: options.sharedFolders ?? true })
  const session = await TeamSession.open(test.pair, { seats, features: { ...ALL_TEAM_FEATURES, ...features }, upstream: options.upstream ?? null })
  return { session, ...test, logs, opened }
}

const toolNames = (coordination: SeatCoordination) => (coordination.tools ?? []).map((tool) => tool.name)
const titles = (coordination: SeatCoordination) => coordination.briefing?.sections.map((section) => section.title)

/** Upstream's team block as a user copies it, with upstream's wait tool. */
const WAIT_TOOL = { name: 'wait_for_message', description: 'upstream', inputSchema: { type: 'object', properties: { timeout_ms: { type: 'integer' } } } }
function template(withWait = true) {
  const parts = {
    lead: 'Lead {agent_id} of {member_list}.\n{_TEAM_LIST_USAGE}',
    member: 'Member {agent_id}, lead {lead}.\n{_TEAM_LIST_USAGE}',
    _TEAM_LIST_USAGE: 'Use coop-task-list.',
  }
  return parseReferenceTeamTemplate(Buffer.from(JSON.stringify(withWait ? { ...parts, wait_for_message: WAIT_TOOL } : parts)), 'team-prompt.json')
}

describe('seeding', () => {
  it("creates one open task per member, pre-assigned, then the lead's integration task, all by the bench runner, as upstream's runner does", async () => {
    const list = memoryTaskList()
    const created = await seedTeamTasks(list, SEATS)
    expect(created.map((t) => [t.title, t.owner, t.status, t.created_by, t.metadata])).toEqual([
      ['Implement feature 5', 'agent2', 'open', 'bench-runner', { feature_id: 5, assigned_to: 'agent2' }],
      ['Implement feature 7', 'agent3', 'open', 'bench-runner', { feature_id: 7, assigned_to: 'agent3' }],
      ['Lead-only: integrate and submit feature 2', 'agent1', 'open', 'bench-runner', { feature_id: 2, assigned_to: 'agent1', lead_task: true }],
    ])
    expect([SEEDED_TASK_TITLES.member(5), SEEDED_TASK_TITLES.lead(2), TEAM_SEEDER]).toEqual([created[0]!.title, created[2]!.title, 'bench-runner'])
    expect((await list.log()).map((e) => [e.kind, e.by, e.kind === 'create' ? e.owner : null])).toEqual([
      ['create', 'bench-runner', 'agent2'],
      ['create', 'bench-runner', 'agent3'],
      ['create', 'bench-runner', 'agent1'],
    ])
    // Pre-assigned is not claimed: the member's claim is its own, and counts.
    const [first] = created
    expect(await list.claim(first!.id, 'agent2')).toMatchObject({ outcome: 'claimed' })
    expect(await list.claim(first!.id, 'agent3')).toMatchObject({ outcome: 'owned', owner: 'agent2' })
  })
})

describe('metrics', () => {
  const event = (e: Partial<TeamTaskEvent> & Pick<TeamTaskEvent, 'kind' | 'by' | 'ts'>): TeamTaskEvent => ({ task_id: 't', ...e }) as TeamTaskEvent
  const tasks = [
    { id: 'a', title: 'a', owner: 'agent2', status: 'done', created_by: 'bench-runner', created_at: 100, last_note: '', metadata: {} },
    { id: 'b', title: 'b', owner: '', status: 'open', created_by: 'bench-runner', created_at: 100, last_note: '', metadata: {} },
    { id: 'c', title: 'c', owner: 'agent1', status: 'in_progress', created_by: 'bench-runner', created_at: 100, last_note: '', metadata: {} },
  ] as const

  it('counts claims and updates per agent from the log, and seconds from the earliest create to the earliest claim', async () => {
    const log = [
      // A protocol request before the seeding does not move the start: upstream counts from the creates.
      event({ kind: 'request', by: 'agent1', ts: 99 } as never),
      event({ kind: 'create', by: 'bench-runner', ts: 100, title: 'a' } as never),
      event({ kind: 'claim', by: 'agent2', ts: 102.5 }),
      event({ kind: 'claim', by: 'agent1', ts: 103 }),
      event({ kind: 'update', by: 'agent2', ts: 104, status: 'done' } as never),
      event({ kind: 'update', by: 'agent2', ts: 105, status: 'done' } as never),
    ]
    expect(computeTeamMetrics([...tasks], log)).toEqual({
      tasks_total: 3,
      tasks_done: 1,
      unowned_at_end: 1,
      time_to_first_claim_seconds: 2.5,
      claims_per_agent: { agent2: 1, agent1: 1 },
      updates_per_agent: { agent2: 2 },
    })
  })

  it("leaves out what the host did for an agent (via: 'host'): neither counted for it nor the first claim", () => {
    const log = [
      event({ kind: 'create', by: 'bench-runner', ts: 100, title: 'a' } as never),
      event({ kind: 'claim', by: 'agent2', ts: 101, via: 'host' }),
      event({ kind: 'update', by: 'agent2', ts: 102, status: 'done', via: 'host' } as never),
      event({ kind: 'claim', by: 'agent1', ts: 104 }),
      event({ kind: 'update', by: 'agent1', ts: 105, status: 'blocked' } as never),
    ]
    expect(computeTeamMetrics([...tasks], log)).toMatchObject({
      time_to_first_claim_seconds: 4,
      claims_per_agent: { agent1: 1 },
      updates_per_agent: { agent1: 1 },
    })
    expect(computeTeamMetrics([...tasks], log.slice(0, 3))).toMatchObject({ time_to_first_claim_seconds: null, claims_per_agent: {}, updates_per_agent: {} })
  })

  it('has no time to a first claim when nobody claimed (or nothing was created), and nothing per agent', () => {
    const claimOnly = [event({ kind: 'claim', by: 'agent2', ts: 5 })]
    expect(computeTeamMetrics([], claimOnly).time_to_first_claim_seconds).toBeNull()
    expect(computeTeamMetrics([], [])).toEqual({
      tasks_total: 0,
      tasks_done: 0,
      unowned_at_end: 0,
      time_to_first_claim_seconds: null,
      claims_per_agent: {},
      updates_per_agent: {},
    })
  })
})

describe('the task mirror', () => {
  it('writes <id>.json, _index.json and _log.jsonl, and follows every change made through the hooked list before it answers', async () => {
    const dir = await tempFolderOfThisFile('team-mirror-')
    const list = memoryTaskList()
    const mirror = new TaskMirror(list, join(dir, 'tasks'))
    const hooked = withChangeHook(
      list,
      () => mirror.refresh(),
      (error) => {
        throw error
      },
    )
    await mirror.refresh()
    expect(await readdir(join(dir, 'tasks'))).toEqual([MirrorFiles.index, MirrorFiles.log])
    const task = await hooked.create('agent1', 'write the parser', { assign: 'agent2' })
    const read = async () => JSON.parse(await readFile(join(dir, 'tasks', MirrorFiles.task(task.id)), 'utf8'))
    expect(await read()).toEqual(task)
    await hooked.claim(task.id, 'agent2')
    expect((await read()).status).toBe('in_progress')
    await hooked.update(task.id, 'agent2', 'done', 'patch in /workspace/shared')
    expect(await read()).toMatchObject({ status: 'done', last_note: 'patch in /workspace/shared', owner: 'agent2' })
    expect(JSON.parse(await readFile(join(dir, 'tasks', MirrorFiles.index), 'utf8'))).toEqual({ updated_at: expect.any(Number), ids: [task.id] })
    const lines = (await readFile(join(dir, 'tasks', MirrorFiles.log), 'utf8')).trimEnd().split('\n')
    expect(lines.map((line) => JSON.parse(line).kind)).toEqual(['create', 'claim', 'update'])
    expect(lines.map((line) => JSON.parse(line))).toEqual(await list.log())
    // No temp file is left behind.
    expect((await readdir(join(dir, 'tasks'))).filter((name) => name.includes('.tmp'))).toEqual([])
  })

  it('refreshes one at a time: many changes at once end with the list as it is', async () => {
    const dir = await tempFolderOfThisFile('team-mirror-')
    const list = memoryTaskList()
    const mirror = new TaskMirror(list, join(dir, 'tasks'))
    const hooked = withChangeHook(
      list,
      () => mirror.refresh(),
      () => {},
    )
    await Promise.all(Array.from({ length: 20 }, (_, i) => hooked.create('agent1', `task ${i}`)))
    const index = JSON.parse(await readFile(join(dir, 'tasks', MirrorFiles.index), 'utf8'))
    expect(index.ids).toHaveLength(20)
    expect(index.ids).toEqual((await list.list()).map((t) => t.id))
    expect((await readFile(join(dir, 'tasks', MirrorFiles.log), 'utf8')).trimEnd().split('\n')).toHaveLength(20)
  })

  it('a mirror that cannot be written is reported, and the change still answers as done', async () => {
    const dir = await tempFolderOfThisFile('team-mirror-')
    const list = memoryTaskList()
    await writeFile(join(dir, 'blocked'), 'a file where the folder should be')
    const mirror = new TaskMirror(list, join(dir, 'blocked', 'tasks'))
    const errors: unknown[] = []
    const hooked = withChangeHook(
      list,
      () => mirror.refresh(),
      (error) => errors.push(error),
    )
    const task = await hooked.create('agent1', 'x')
    expect(await list.get(task.id)).toEqual(task)
    expect(errors).toHaveLength(1)
  })
})

describe('TeamSession', () => {
  it('seeds the list, makes the scratchpad with the mirror, gives each seat its coordination, and writes the records at the end', async () => {
    const { session, pair, dir, end, logs } = await openSession()
    expect([session.lead, session.roleOf('agent1'), session.roleOf('agent3')]).toEqual(['agent1', 'lead', 'member'])
    const lead = session.coordination('agent1', true)
    const member = session.coordination('agent3', true)
    expect(titles(lead)).toEqual(['Your role in the team', 'Task list', 'Requests', 'Scratchpad'])
    expect(lead.briefing?.sections[0]?.body).toMatch(/^You are \*\*agent1\*\*, the lead of this team\. The members are \*\*agent2\*\* and \*\*agent3\*\*\./)
    expect(member.briefing?.sections[0]?.body).toMatch(
      /^You are \*\*agent3\*\*, a member of this team\. The lead is \*\*agent1\*\*; the other members are \*\*agent2\*\*\./,
    )
    expect(member.briefing?.upstream).toBeNull()
    expect(toolNames(member)).toEqual([...TASK_TOOLS, ...PROTOCOL_TOOLS, 'task_tracker'])
    expect(member.waitForMessages).toEqual({ declaration: null })
    const [shared] = member.mounts!
    expect(member.mounts).toEqual([{ hostPath: shared!.hostPath, sandboxPath: '/workspace/shared', kind: 'folder' }])
    expect(lead.mounts).toEqual(member.mounts)
    expect((await readdir(join(shared!.hostPath, 'tasks'))).length).toBe(3 + 2)

    // The member's own task, as its summary shows it before each model call; its claim is on the mirror before the command answers.
    const status = await member.status!()
    expect(status).toMatch(/^\[Team task list\] open: 3\n/)
    expect(status).toMatch(/owner=agent3 \(you own\): Implement feature 7$/m)
    const own = (await (await pair.service(teamTaskList)).list({ owner: 'agent3' }))[0]!
    expect(await runCommand(new Map(member.tools!.map((t) => [t.name, t])), 'coop-task-claim', [own.id])).toEqual({ exitCode: 0, output: '' })
    expect(JSON.parse(await readFile(join(shared!.hostPath, 'tasks', MirrorFiles.task(own.id)), 'utf8'))).toMatchObject({ status: 'in_progress' })

    await writeFile(join(shared!.hostPath, 'PLAN.md'), '# plan\n')
    const outcome = await session.finish()
    expect(outcome.metrics).toMatchObject({ tasks_total: 3, tasks_done: 0, unowned_at_end: 0, claims_per_agent: { agent3: 1 } })
    expect(outcome.metrics?.time_to_first_claim_seconds).toEqual(expect.any(Number))
    const tasks = JSON.parse(await readFile(join(dir, 'tasks.json'), 'utf8'))
    expect(tasks.map((t: { owner: string }) => t.owner).sort()).toEqual(['agent1', 'agent2', 'agent3'])
    expect(JSON.parse(await readFile(join(dir, 'task_log.json'), 'utf8')).map((e: { kind: string }) => e.kind)).toEqual(['create', 'create', 'create', 'claim'])
    expect(await readFile(join(dir, 'scratchpad', 'PLAN.md'), 'utf8')).toBe('# plan\n')
    expect((await readdir(join(dir, 'scratchpad', 'tasks'))).sort()).toEqual(
      [...tasks.map((t: { id: string }) => `${t.id}.json`), '_index.json', '_log.jsonl'].sort(),
    )
    // The pair's end deletes the list from the bus (its files are written).
    await end()
    expect(await logs.open('team:abcdef01', 'tasks').read()).toEqual([])
  })

  it("gives every agent upstream's CB_TEAM_* variables (no Redis URL: the commands go through the harness), keyed by the run id", async () => {
    const { session } = await openSession({}, { seats: SEATS.slice(0, 2) })
    expect(session.coordination('agent2', true).env).toEqual({
      CB_TEAM_RUN_ID: 'abcdef01',
      CB_TEAM_AGENT_ID: 'agent2',
      CB_TEAM_AGENTS: 'agent1,agent2',
      CB_TEAM_TASKS_DIR: '/workspace/shared/tasks',
      CB_TEAM_ROLE: 'member',
    })
    expect(session.coordination('agent1', true).env).toMatchObject({ CB_TEAM_AGENT_ID: 'agent1', CB_TEAM_ROLE: 'lead' })
    // The wait tool reads them too; without it and without any list, nothing does.
    expect((await openSession({ ...NONE, mcp: true })).session.coordination('agent2', true).env).toMatchObject({ CB_TEAM_AGENT_ID: 'agent2' })
    expect((await openSession(NONE)).session.coordination('agent2', true).env).toBeUndefined()
  })

  it('without any task list (--team-no-task-commands), the scratchpad or mcp: no list on the bus, nothing but the role, no files, no metrics', async () => {
    const { session, dir, opened, end } = await openSession(NONE)
    const seat = session.coordination('agent2', true)
    expect(seat).toEqual({ briefing: { sections: [expect.objectContaining({ title: 'Your role in the team' })], upstream: null }, tools: [] })
    expect(await session.finish()).toEqual({})
    expect(opened).toEqual([])
    expect(existsSync(dir)).toBe(false)
    await end()
  })

  it("upstream's --team-no-task-list: the list is there for the commands and the summary, but nothing is seeded, recorded or counted", async () => {
    const { session, dir, end } = await openSession({ task_list: false }, { seats: SEATS.slice(0, 2) })
    const seat = session.coordination('agent1', true)
    expect(toolNames(seat)).toEqual([...TASK_TOOLS, ...PROTOCOL_TOOLS, 'task_tracker'])
    expect(await seat.status!()).toBe('[Team task list]: no tasks yet.')
    const tools = new Map(seat.tools!.map((t) => [t.name, t]))
    expect(await runCommand(tools, 'coop-task-list', [])).toEqual({ exitCode: 0, output: '[]\n' })
    expect((await runCommand(tools, 'coop-task-create', ['made by an agent'])).exitCode).toBe(0)
    expect(await session.finish()).toEqual({})
    expect(existsSync(join(dir, 'tasks.json')) || existsSync(join(dir, 'task_log.json'))).toBe(false)
    expect((await readdir(join(dir, 'scratchpad', 'tasks'))).length).toBe(1 + 2)
    await end()
  })

  it('gives the status only with auto_refresh, and tools only with task_list or protocol (the summary alone still reads the list)', async () => {
    const noRefresh = (await openSession({ auto_refresh: false })).session.coordination('agent2', true)
    expect(noRefresh.status).toBeUndefined()
    expect(toolNames(noRefresh)).toContain('coop-task-list')
    const summaryOnly = await openSession({ task_list: false, protocol: false, scratchpad: false })
    const seat = summaryOnly.session.coordination('agent2', true)
    expect(seat.tools).toEqual([])
    expect(titles(seat)).toEqual(['Your role in the team'])
    expect(await seat.status!()).toBe('[Team task list]: no tasks yet.')
    expect(summaryOnly.opened).toEqual(['team:abcdef01/tasks'])
    const noProtocol = (await openSession({ protocol: false })).session.coordination('agent1', true)
    expect(toolNames(noProtocol)).toEqual([...TASK_TOOLS, 'task_tracker'])
    expect(titles(noProtocol)).toEqual(['Your role in the team', 'Task list', 'Scratchpad'])
  })

  it("gives agents following upstream's prompts upstream's own block for their role, and upstream's wait tool with mcp", async () => {
    const { session } = await openSession({}, { upstream: template() })
    const lead = session.coordination('agent1', true)
    const member = session.coordination('agent2', true)
    expect(lead.briefing?.upstream).toBe('Lead agent1 of `agent2`, `agent3`.\nUse coop-task-list.')
    expect(member.briefing?.upstream).toBe('Member agent2, lead agent1.\nUse coop-task-list.')
    // Our own sections stay beside it, for agents with their own prompts.
    expect(titles(member)).toEqual(['Your role in the team', 'Task list', 'Requests', 'Scratchpad'])
    expect(lead.waitForMessages).toEqual({ declaration: WAIT_TOOL })
    expect((await openSession({}, { upstream: template(false) })).session.coordination('agent1', true).waitForMessages).toEqual({ declaration: null })
    expect((await openSession({ mcp: false }, { upstream: template() })).session.coordination('agent1', true).waitForMessages).toBeUndefined()
    // A team of one has no block upstream would write.
    expect((await openSession({}, { upstream: template(), seats: SEATS.slice(0, 1) })).session.coordination('agent1', true).briefing?.upstream).toBeNull()
  })

  it('tells a member it may ask the lead only when the team may message', async () => {
    const { session } = await openSession()
    expect(session.coordination('agent2', true).briefing?.sections[0]?.body).toContain('Ask **agent1** when something is unclear.')
    expect(session.coordination('agent2', false).briefing?.sections[0]?.body).not.toContain('Ask **agent1**')
  })

  it("without the scratchpad, coop-task-list writes the agent's own mirror in its sandbox, as upstream's did; with it, nothing in the sandbox", async () => {
    const { session, pair } = await openSession({ scratchpad: false }, { seats: SEATS.slice(0, 2), sharedFolders: false })
    const root = await tempFolderOfThisFile('team-sandbox-root-')
    const { sandbox, commands } = hostShellSandbox(root)
    const seat = session.coordination('agent2', true)
    expect(seat.mounts).toBeUndefined()
    expect(titles(seat)).toEqual(['Your role in the team', 'Task list', 'Requests'])
    const tools = new Map(seat.tools!.map((t) => [t.name, t]))
    const listed = await runCommand(tools, 'coop-task-list', ['--mine'], { sandbox })
    expect(listed.exitCode).toBe(0)
    expect(commands).toHaveLength(1)
    const ids = (await (await pair.service(teamTaskList)).list()).map((t) => t.id)
    expect((await readdir(join(root, 'workspace', 'shared', 'tasks'))).sort()).toEqual([...ids.map((id) => `${id}.json`), '_index.json', '_log.jsonl'].sort())
    // Another command changes nothing there.
    await runCommand(tools, 'coop-task-create', ['x'], { sandbox })
    expect(commands).toHaveLength(1)

    const shared = (await openSession({}, { seats: SEATS.slice(0, 2) })).session.coordination('agent2', true)
    const other = hostShellSandbox(root)
    await runCommand(new Map(shared.tools!.map((t) => [t.name, t])), 'coop-task-list', [], { sandbox: other.sandbox })
    expect(other.commands).toEqual([])
  })

  it("without the scratchpad on a backend that mounts host folders, each agent's /workspace/shared is a folder of its own here, the mirror written into it", async () => {
    const { session, pair } = await openSession({ scratchpad: false }, { seats: SEATS.slice(0, 2) })
    const [lead, member] = [session.coordination('agent1', true), session.coordination('agent2', true)]
    const [own] = member.mounts!
    expect(member.mounts).toEqual([{ hostPath: own!.hostPath, sandboxPath: '/workspace/shared', kind: 'folder' }])
    expect(lead.mounts![0]!.hostPath).not.toBe(own!.hostPath)
    // Still no scratchpad to tell the agent about: only the commands' own mirror is there.
    expect(titles(member)).toEqual(['Your role in the team', 'Task list', 'Requests'])
    const { sandbox, commands } = hostShellSandbox(await tempFolderOfThisFile('team-sandbox-root-'))
    expect((await runCommand(new Map(member.tools!.map((t) => [t.name, t])), 'coop-task-list', [], { sandbox })).exitCode).toBe(0)
    expect(commands).toEqual([])
    const ids = (await (await pair.service(teamTaskList)).list()).map((t) => t.id)
    expect((await readdir(join(own!.hostPath, 'tasks'))).sort()).toEqual([...ids.map((id) => `${id}.json`), '_index.json', '_log.jsonl'].sort())
    expect(existsSync(join(lead.mounts![0]!.hostPath, 'tasks'))).toBe(false)
    // Without any command of the list, no folder of its own.
    expect((await openSession({ scratchpad: false, task_list: false, protocol: false })).session.coordination('agent2', true).mounts).toBeUndefined()
  })

  it('a seeding the bus refuses fails the pair naming the cause (upstream went on without a list)', async () => {
    const refusing = (log: SharedLog): SharedLog => ({ ...log, append: () => Promise.reject(new Error('Redis is gone')) })
    const { bus } = logsBus(new MemoryLogs(), refusing)
    const { pair } = await testPair({ bus })
    await expect(TeamSession.open(pair, { seats: SEATS, features: { ...ALL_TEAM_FEATURES }, upstream: null })).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      message: "could not seed the team's task list: Redis is gone",
    })
  })

  it('refuses a task list on a bus that keeps no shared logs, or without a bus', async () => {
    const { openLog: _none, ...plain } = logsBus().bus
    for (const bus of [{ ...plain, name: 'plain' }, null]) {
      const { pair } = await testPair({ bus })
      await expect(TeamSession.open(pair, { seats: SEATS, features: { ...ALL_TEAM_FEATURES }, upstream: null })).rejects.toMatchObject({
        code: 'PLUGIN_INCOMPATIBLE',
        message: expect.stringContaining(bus ? 'bus plain has none' : 'bus (none) has none'),
      })
    }
  })
})

describe('the team setting running a pair', () => {
  it('seats agent1 as the lead and each agent on its feature with its coordination, and records roles, the lead, features and metrics', async () => {
    const { bus } = logsBus()
    const seen: Seat[] = []
    const test = await testPair({
      bus,
      features: [2, 5],
      openChannel: async () => ({ namespace: 'run:abcdef01', transcript: async (): Promise<BusMessage[]> => [] }),
      // Each agent claims its own task and finishes it, as a teammate would.
      runSeats: async (seats) => {
        seen.push(...seats)
        return Promise.all(
          seats.map(async (seat): Promise<SeatOutcome> => {
            const tools = new Map((seat.coordination?.tools ?? []).map((t) => [t.name, t as CommandTool]))
            const mine = JSON.parse((await runCommand(tools, 'coop-task-list', ['--mine'])).output) as Array<{ id: string }>
            for (const task of mine) {
              await runCommand(tools, 'coop-task-claim', [task.id])
              await runCommand(tools, 'coop-task-update', [task.id, 'done', '-n', 'finished'])
            }
            const result = emptyAgentResult('Submitted')
            return {
              agentId: seat.agentId,
              featureIds: seat.featureIds,
              agent: 'probe',
              model: null,
              result,
              patch: '',
              patchSource: 'none',
              record: { status: 'Submitted', cost: 0, steps: 0 },
            } as unknown as SeatOutcome
          }),
        )
      },
    })
    const outcome = await teamSetting(teamOptionsOf({})).run(test.pair)
    expect(seen.map((s) => [s.agentId, s.featureIds, s.role, s.trajectoryHeader, s.peers])).toEqual([
      ['agent1', [2], 'lead', { feature_id: 2, agent_id: 'agent1', team_role: 'lead' }, ['agent2']],
      ['agent2', [5], 'member', { feature_id: 5, agent_id: 'agent2', team_role: 'member' }, ['agent1']],
    ])
    expect(seen.map((s) => s.coordination?.env?.CB_TEAM_ROLE)).toEqual(['lead', 'member'])
    expect(seen[1]!.coordination?.briefing?.sections[0]?.body).toContain('Ask **agent1**')
    expect(outcome).toMatchObject({
      record: { agents: { agent1: { feature_id: 2, team_role: 'lead' }, agent2: { feature_id: 5, team_role: 'member' } }, messages_sent: 0 },
      messaging: true,
      git: false,
      recordTail: {
        lead_agent: 'agent1',
        team_features: { ...ALL_TEAM_FEATURES },
        metrics: { tasks_total: 2, tasks_done: 2, claims_per_agent: { agent1: 1, agent2: 1 }, updates_per_agent: { agent1: 1, agent2: 1 } },
      },
    })
    expect(Object.keys(outcome.recordTail!)).toEqual(['lead_agent', 'team_features', 'metrics'])
    expect(JSON.parse(await readFile(join(test.dir, 'conversation.json'), 'utf8'))).toEqual([])
    expect(existsSync(join(test.dir, 'tasks.json'))).toBe(true)
    await test.end()
  })

  it('records metrics as {} without the seeded list, as upstream writes `metrics or {}`', async () => {
    const test = await testPair({
      bus: logsBus().bus,
      messaging: false,
      runSeats: async (seats) =>
        seats.map(
          (seat) =>
            ({
              agentId: seat.agentId,
              featureIds: seat.featureIds,
              result: emptyAgentResult('Submitted'),
              record: { status: 'Submitted' },
            }) as unknown as SeatOutcome,
        ),
    })
    const outcome = await teamSetting(teamOptionsOf({ taskList: false, scratchpad: false })).run(test.pair)
    expect(outcome.recordTail).toMatchObject({ metrics: {}, team_features: { task_list: false, scratchpad: false } })
    expect(outcome.messaging).toBe(false)
    await mkdir(test.dir, { recursive: true })
    expect(await readdir(test.dir)).toEqual(['conversation.json'])
    await test.end()
  })
})

describe("the time to the first claim, rounded as upstream's round(seconds, 3)", () => {
  it('gives what Python gives for the same floats: products that round away, exact ties to even', () => {
    const seconds = [2.5, 0.0625, 0.1875, 0.3125, 1.0005, 2.675, 0.0005, 1.2345, 12.3455, 0.1235, 1795618580.591 - 1795618576.1454122, 3.0004999999999997, 0]
    const python = spawnSync('python3', ['-c', 'import json,sys; print(json.dumps([round(x, 3) for x in json.load(sys.stdin)]))'], {
      input: JSON.stringify(seconds),
      encoding: 'utf8',
    })
    expect(python.status, python.stderr).toBe(0)
    expect(seconds.map(round3)).toEqual(JSON.parse(python.stdout))
    // The old Math.round(x * 1000) / 1000 answers otherwise for some of them.
    expect(seconds.map((x) => Math.round(x * 1000) / 1000)).not.toEqual(JSON.parse(python.stdout))
  })
})
