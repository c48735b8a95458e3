import { existsSync } from 'node:fs'
import { mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryBus } from '@cooperbench/builtins'
import type { Logger, TaskList } from '@cooperbench/spec'
import { ALL_TEAM_FEATURES, type TeamTaskEvent } from '@cooperbench/spec/team'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Lifetime } from '../../src/plugin/lifetime.js'
import { SEEDED_TASK_TITLES, seedTeamTasks, TEAM_SEEDER } from '../../src/runner/team/seed-tasks.js'
import { MirrorFiles, TaskMirror, withChangeHook } from '../../src/runner/team/task-mirror.js'
import { computeTeamMetrics } from '../../src/runner/team/team-metrics.js'
import { TeamSession } from '../../src/runner/team/team-session.js'

const SEATS = [
  { agentId: 'agent1', featureId: 2 },
  { agentId: 'agent2', featureId: 5 },
  { agentId: 'agent3', featureId: 7 },
]
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} }

let bus: MemoryBus
let list: TaskList
let dir: string
beforeEach(async () => {
  bus = new MemoryBus()
  list = await bus.openTaskList(`test-${Math.random()}`)
  dir = await mkdtemp(join(tmpdir(), 'team-session-test-'))
})
afterEach(async () => {
  await bus.close()
  await rm(dir, { recursive: true, force: true })
})

describe('seeding', () => {
  it("creates one open task per member, pre-assigned, then the lead's integration task, all by the bench runner, as upstream's runner does", async () => {
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
    const tasks = [
      { id: 'a', title: 'a', owner: 'agent2', status: 'done', created_by: 'bench-runner', created_at: 100, last_note: '', metadata: {} },
      { id: 'b', title: 'b', owner: '', status: 'open', created_by: 'bench-runner', created_at: 100, last_note: '', metadata: {} },
      { id: 'c', title: 'c', owner: 'agent1', status: 'in_progress', created_by: 'bench-runner', created_at: 100, last_note: '', metadata: {} },
    ] as const
    expect(computeTeamMetrics([...tasks], log)).toEqual({
      tasks_total: 3,
      tasks_done: 1,
      unowned_at_end: 1,
      time_to_first_claim_seconds: 2.5,
      claims_per_agent: { agent2: 1, agent1: 1 },
      updates_per_agent: { agent2: 2 },
    })
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
  it('seeds the list, makes a world-writable scratchpad with the mirror, gives each agent its seat, and writes the records at the end', async () => {
    const lifetime = new Lifetime()
    const session = await TeamSession.open({ bus, namespace: 'run:s1', seats: SEATS, features: { ...ALL_TEAM_FEATURES }, lifetime, logger: quiet })
    const lead = session.seat('agent1')
    const member = session.seat('agent3')
    expect(lead.team).toMatchObject({ role: 'lead', lead: 'agent1', agents: ['agent1', 'agent2', 'agent3'], scratchpad: '/workspace/shared' })
    expect(member.team.role).toBe('member')
    expect(member.team.taskList).not.toBeNull()
    expect(member.prepareSandbox).not.toBeNull()
    const [shared] = member.sharedDirs
    expect(shared).toMatchObject({ sandboxPath: '/workspace/shared', kind: 'folder' })
    expect((await stat(shared!.hostPath)).mode & 0o777).toBe(0o777)
    expect((await readdir(join(shared!.hostPath, 'tasks'))).length).toBe(3 + 2)
    // An agent's leftovers: a file, and a link out of the scratchpad that must not be followed.
    await writeFile(join(shared!.hostPath, 'PLAN.md'), '# plan\n')
    await symlink('/etc/hostname', join(shared!.hostPath, 'outside'))
    const pairDir = join(dir, 'pair')
    const outcome = await session.finish(pairDir)
    expect(outcome.metrics).toMatchObject({ tasks_total: 3, tasks_done: 0, unowned_at_end: 0, time_to_first_claim_seconds: null })
    expect((await readJson(join(pairDir, 'tasks.json'))).map((t: { owner: string }) => t.owner).sort()).toEqual(['agent1', 'agent2', 'agent3'])
    expect((await readJson(join(pairDir, 'task_log.json'))).map((e: { kind: string }) => e.kind)).toEqual(['create', 'create', 'create'])
    expect(await readFile(join(pairDir, 'scratchpad', 'PLAN.md'), 'utf8')).toBe('# plan\n')
    expect(existsSync(join(pairDir, 'scratchpad', 'outside'))).toBe(false)
    await session.close()
    expect(await list.list()).toEqual([])
    await lifetime.dispose()
    expect(existsSync(shared!.hostPath)).toBe(false)
  })

  it('with the task list and the scratchpad off: no list on the bus, no commands, no folder, no files, no metrics', async () => {
    const lifetime = new Lifetime()
    const session = await TeamSession.open({
      bus,
      namespace: 'run:s2',
      seats: SEATS.slice(0, 2),
      features: { ...ALL_TEAM_FEATURES, task_list: false, scratchpad: false },
      lifetime,
      logger: quiet,
    })
    const seat = session.seat('agent2')
    expect(seat).toMatchObject({
      sharedDirs: [],
      prepareSandbox: null,
      team: { taskList: null, scratchpad: null, features: { task_list: false, scratchpad: false } },
    })
    const pairDir = join(dir, 'pair')
    expect(await session.finish(pairDir)).toEqual({})
    expect(existsSync(pairDir)).toBe(false)
    expect(await (await bus.openTaskList('run:s2')).log()).toEqual([])
    await lifetime.dispose()
  })

  it('refuses a task list on a bus that keeps none', async () => {
    const { openTaskList: _none, ...plain } = bus
    const noLists = {
      ...plain,
      name: 'plain',
      open: bus.open.bind(bus),
      transcript: bus.transcript.bind(bus),
      clear: bus.clear.bind(bus),
      close: bus.close.bind(bus),
    }
    await expect(
      TeamSession.open({
        bus: noLists as never,
        namespace: 'run:s3',
        seats: SEATS,
        features: { ...ALL_TEAM_FEATURES },
        lifetime: new Lifetime(),
        logger: quiet,
      }),
    ).rejects.toMatchObject({ code: 'PLUGIN_INCOMPATIBLE' })
  })
})

async function readJson(path: string) {
  return JSON.parse(await readFile(path, 'utf8'))
}
