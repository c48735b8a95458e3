import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MemoryBus } from '@cooperbench/builtins'
import type { TaskList } from '@cooperbench/spec'
import { ALL_TEAM_FEATURES, type TeamTaskEvent } from '@cooperbench/spec/team'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SEEDED_TASK_TITLES, seedTeamTasks, TEAM_SEEDER } from '../src/harness/seed-tasks.js'
import { MirrorFiles, TaskMirror, withChangeHook } from '../src/harness/task-mirror.js'
import { computeTeamMetrics, round3 } from '../src/harness/team-metrics.js'
import { TeamSession } from '../src/harness/team-session.js'
import { serveTaskCommandsIn } from '../src/commands/serve-in-sandbox.js'
import { PROTOCOL_COMMANDS, TASK_COMMANDS } from '../src/agent/index.js'
import { silentLogger } from '@cooperbench/spec-utils'
import { Lifetime, testSettingPair } from './support/setting-pair.js'

const SEATS = [
  { agentId: 'agent1', featureId: 2 },
  { agentId: 'agent2', featureId: 5 },
  { agentId: 'agent3', featureId: 7 },
]

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
    const pairDir = join(dir, 'pair')
    const pair = testSettingPair({ bus, dir: pairDir, lifetime, features: [2, 5, 7] })
    const session = await TeamSession.open(pair, 'run:s1', SEATS, { ...ALL_TEAM_FEATURES })
    const lead = session.seat('agent1', 2)
    const member = session.seat('agent3', 7)
    expect(lead.team).toMatchObject({ role: 'lead', lead: 'agent1', agents: ['agent1', 'agent2', 'agent3'], scratchpad: '/workspace/shared' })
    expect(member.team?.role).toBe('member')
    expect(member.team?.taskList).not.toBeNull()
    expect(member.prepare).toBeDefined()
    const [shared] = member.sharedDirs!
    expect(shared).toMatchObject({ sandboxPath: '/workspace/shared', kind: 'folder' })
    expect((await stat(shared!.hostPath)).mode & 0o777).toBe(0o777)
    expect((await readdir(join(shared!.hostPath, 'tasks'))).length).toBe(3 + 2)
    // An agent's leftovers: a file, and a link out of the scratchpad that must not be followed.
    await writeFile(join(shared!.hostPath, 'PLAN.md'), '# plan\n')
    await symlink('/etc/hostname', join(shared!.hostPath, 'outside'))
    const outcome = await session.finish()
    expect(outcome.metrics).toMatchObject({ tasks_total: 3, tasks_done: 0, unowned_at_end: 0, time_to_first_claim_seconds: null })
    expect((await readJson(join(pairDir, 'tasks.json'))).map((t: { owner: string }) => t.owner).sort()).toEqual(['agent1', 'agent2', 'agent3'])
    expect((await readJson(join(pairDir, 'task_log.json'))).map((e: { kind: string }) => e.kind)).toEqual(['create', 'create', 'create'])
    expect(await readFile(join(pairDir, 'scratchpad', 'PLAN.md'), 'utf8')).toBe('# plan\n')
    expect(existsSync(join(pairDir, 'scratchpad', 'outside'))).toBe(false)
    // The pair's end deletes the list from the bus (its files are written) and the scratchpad folder.
    await lifetime.dispose()
    expect(await (await bus.openTaskList('run:s1')).list()).toEqual([])
    expect(existsSync(shared!.hostPath)).toBe(false)
  })

  it('without any task list (--team-no-task-commands) and the scratchpad: no list on the bus, no commands, no folder, no files, no metrics', async () => {
    const lifetime = new Lifetime()
    const pairDir = join(dir, 'pair')
    const pair = testSettingPair({ bus, dir: pairDir, lifetime })
    const none = { ...ALL_TEAM_FEATURES, task_list: false, auto_refresh: false, protocol: false, task_commands: false, scratchpad: false, mcp: false }
    const session = await TeamSession.open(pair, 's2', SEATS.slice(0, 2), none)
    const seat = session.seat('agent2', 5)
    expect(seat).toMatchObject({ sharedDirs: [], team: { taskList: null, scratchpad: null, features: { task_list: false, scratchpad: false } } })
    expect(seat.prepare).toBeUndefined()
    expect(await session.finish()).toEqual({})
    expect(existsSync(pairDir)).toBe(false)
    expect(await (await bus.openTaskList('s2')).log()).toEqual([])
    await lifetime.dispose()
  })

  it("upstream's --team-no-task-list: the list is there for the commands and the summary, but nothing is seeded, recorded or counted", async () => {
    const lifetime = new Lifetime()
    const pairDir = join(dir, 'pair')
    const session = await TeamSession.open(testSettingPair({ bus, dir: pairDir, lifetime }), 's4', SEATS.slice(0, 2), {
      ...ALL_TEAM_FEATURES,
      task_list: false,
    })
    const seat = session.seat('agent1', 2)
    expect(seat.team?.taskList).not.toBeNull()
    expect(seat.prepare).toBeDefined()
    expect(await seat.team!.taskList!.list()).toEqual([])
    await seat.team!.taskList!.create('agent1', 'made by an agent')
    expect(await session.finish()).toEqual({})
    expect(existsSync(join(pairDir, 'tasks.json')) || existsSync(join(pairDir, 'task_log.json'))).toBe(false)
    expect((await readdir(join(pairDir, 'scratchpad', 'tasks'))).length).toBe(1 + 2)
    await lifetime.dispose()
  })

  it("gives every agent upstream's CB_TEAM_* variables (no Redis URL: the commands go through the harness), keyed by the run id", async () => {
    const lifetime = new Lifetime()
    const session = await TeamSession.open(testSettingPair({ bus, dir: join(dir, 'pair'), lifetime }), 'abcdef01', SEATS.slice(0, 2), { ...ALL_TEAM_FEATURES })
    const seen: Array<Record<string, string> | undefined> = []
    const sandbox = {
      id: 's',
      exec: async (_c: unknown, o?: { env?: Record<string, string> }) => (
        seen.push(o?.env), { exitCode: 0, stdout: '', stderr: '', timedOut: false, truncated: false, durationMs: 0 }
      ),
      writeFile: async () => {},
      readFile: async () => new Uint8Array(),
      terminate: async () => {},
    }
    const served = await session.seat('agent2', 5).prepare!(sandbox as never, new AbortController().signal)
    await served.agentSandbox.exec('true')
    expect(seen.at(-1)).toEqual({
      CB_TEAM_RUN_ID: 'abcdef01',
      CB_TEAM_AGENT_ID: 'agent2',
      CB_TEAM_AGENTS: 'agent1,agent2',
      CB_TEAM_TASKS_DIR: '/workspace/shared/tasks',
      CB_TEAM_ROLE: 'member',
    })
    await served.stop()
    await lifetime.dispose()
  })

  it('a seeding the bus refuses fails the pair naming the cause (upstream went on without a list)', async () => {
    const failing = {
      ...bus,
      name: 'memory',
      openTaskList: async (ns: string) => ({ ...(await bus.openTaskList(ns)), create: async () => Promise.reject(new Error('Redis is gone')) }),
    }
    const pair = testSettingPair({ bus: failing as never, dir: join(dir, 'pair'), lifetime: new Lifetime() })
    await expect(TeamSession.open(pair, 's5', SEATS, { ...ALL_TEAM_FEATURES })).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      message: "could not seed the team's task list: Redis is gone",
    })
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
    const pair = testSettingPair({ bus: noLists as never, dir: join(dir, 'pair'), lifetime: new Lifetime() })
    await expect(TeamSession.open(pair, 'run:s3', SEATS, { ...ALL_TEAM_FEATURES })).rejects.toMatchObject({ code: 'PLUGIN_INCOMPATIBLE' })
  })
})

async function readJson(path: string) {
  return JSON.parse(await readFile(path, 'utf8'))
}

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

describe('installing the commands', () => {
  it('in a spool mounted from this machine, without linking: written here, executable by every user, no command in the sandbox', async () => {
    const spool = await mkdtemp(join(tmpdir(), 'team-spool-'))
    let calls = 0
    const untouched = new Proxy({ id: 's' }, { get: (target, key) => (key === 'id' ? target.id : () => (calls++, Promise.reject(new Error('used')))) })
    const served = await serveTaskCommandsIn(untouched as never, list, 'agent1', {
      logger: silentLogger,
      signal: new AbortController().signal,
      team: ['agent1', 'agent2'],
      protocol: true,
      hostSpoolDir: spool,
      linkCommands: false,
    })
    expect(calls).toBe(0)
    expect((await readdir(join(spool, 'bin'))).sort()).toEqual([...TASK_COMMANDS, ...PROTOCOL_COMMANDS].sort())
    expect((await stat(join(spool, 'bin', 'coop-task-list'))).mode & 0o777).toBe(0o755)
    expect((await stat(join(spool, 'req'))).mode & 0o777).toBe(0o777)
    await served.stop()
    await rm(spool, { recursive: true, force: true })
  })
})
