import { MemoryBus } from '@cooperbench/builtins'
import type { Sandbox, TaskList } from '@cooperbench/spec'
import { answerTaskCommand } from '../src/commands/task-commands.js'
import { hostFolderTaskSpool } from '../src/commands/task-spool.js'
import { prepareTaskCommandsCommand, TaskCommandServer, taskCommandScripts } from '../src/index.js'
import { TASK_COMMAND_SPOOL_DIR, TASK_COMMANDS, teamTaskSummary } from '../src/agent/index.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { demoSandboxes } from './support/sandboxes.js'

const BIN = `${TASK_COMMAND_SPOOL_DIR}/bin`
/** Only what the commands may use: no Python, no bash, no network tools. */
const MINIMAL_TOOLS = ['sh', 'date', 'mkdir', 'mv', 'head', 'tail', 'rm', 'sleep']
const MIN_BIN = '/tmp/min-bin'

describe('coop-task-* answers (the reference coop_task.py behaviour)', () => {
  let bus: MemoryBus
  let list: TaskList
  beforeAll(async () => {
    bus = new MemoryBus()
    list = await bus.openTaskList('run-answers')
  })
  afterAll(() => bus.close())
  const run = (agent: string, ...argv: string[]) => answerTaskCommand(list, agent, argv)

  it('create prints the id; claim/update print nothing; list prints json.dumps(indent=2)', async () => {
    const created = await run('agent1', 'create', '--assign', 'agent2', 'Implement feature 2: héllo')
    expect(created.exitCode).toBe(0)
    const id = created.output.trim()
    expect(id).toMatch(/^[0-9a-f]{10}$/)
    expect(await run('agent2', 'claim', id)).toEqual({ exitCode: 0, output: '' })
    expect(await run('agent2', 'update', id, 'blocked', '-n', 'need the API')).toEqual({ exitCode: 0, output: '' })
    const listed = await run('agent1', 'list')
    const task = (await list.get(id))!
    expect(listed).toEqual({
      exitCode: 0,
      output: `[\n  {\n    "id": "${id}",\n    "title": "Implement feature 2: h\\u00e9llo",\n    "owner": "agent2",\n    "status": "blocked",\n    "created_by": "agent1",\n    "created_at": ${task.created_at},\n    "last_note": "need the API",\n    "metadata": {}\n  }\n]\n`,
    })
    expect(JSON.parse(listed.output)).toEqual([task])
  })

  it('exit codes: 2 owned by another (naming it), 1 missing, 3 not the owner, 4 unknown status, 2 bad arguments', async () => {
    const id = (await run('agent1', 'create', 'a task')).output.trim()
    await run('agent2', 'claim', id)
    expect(await run('agent3', 'claim', id)).toEqual({ exitCode: 2, output: `task ${id} owned by agent2\n` })
    expect(await run('agent3', 'claim', 'ffffffffff')).toEqual({ exitCode: 1, output: 'task ffffffffff does not exist\n' })
    expect(await run('agent3', 'update', 'ffffffffff', 'done')).toEqual({ exitCode: 1, output: 'task ffffffffff does not exist\n' })
    expect(await run('agent3', 'update', id, 'done')).toEqual({ exitCode: 3, output: `task ${id} owned by 'agent2', not you\n` })
    expect(await run('agent2', 'update', id, 'finished')).toEqual({
      exitCode: 4,
      output: "invalid status 'finished'; expected one of ['blocked', 'done', 'in_progress', 'open']\n",
    })
    const missing = await run('agent2', 'claim')
    expect(missing.exitCode).toBe(2)
    expect(missing.output).toBe('usage: coop-task claim [-h] task_id\ncoop-task claim: error: the following arguments are required: task_id\n')
    expect((await run('agent2', 'list', '--all')).output).toContain('error: unrecognized arguments: --all')
    expect((await run('agent2', 'create', '--assign')).output).toContain('error: argument --assign: expected one argument')
    expect(await run('agent2', 'create', ' ')).toEqual({ exitCode: 1, output: 'coop-task-create: a task needs a non-empty title\n' })
  })

  it('list --mine and --open filter as the reference does (status open, owner or not)', async () => {
    const own = await bus.openTaskList('run-filters')
    const a = (await answerTaskCommand(own, 'agent1', ['create', '--assign=agent2', 'pre-assigned'])).output.trim()
    const b = (await answerTaskCommand(own, 'agent1', ['create', 'free'])).output.trim()
    await answerTaskCommand(own, 'agent3', ['claim', b])
    const ids = async (agent: string, ...flags: string[]) =>
      (JSON.parse((await answerTaskCommand(own, agent, ['list', ...flags])).output) as { id: string }[]).map((t) => t.id)
    expect(await ids('agent2', '--open')).toEqual([a])
    expect(await ids('agent3', '--mine')).toEqual([b])
    expect(await ids('agent2', '--mine', '--open')).toEqual([a])
    expect(await ids('agent1', '--mine')).toEqual([])
  })
})

describe('the [Team task list] summary (the reference format_task_summary)', () => {
  it('counts by status name, one line per task, the viewer marked; a fixed line when empty', async () => {
    const bus = new MemoryBus()
    const list = await bus.openTaskList('run-summary')
    expect(teamTaskSummary(await list.list(), 'agent2')).toBe('[Team task list]: no tasks yet.')
    const a = await list.create('agent1', 'Implement feature 2', { assign: 'agent2' })
    const b = await list.create('agent1', 'Integrate and submit', { assign: 'agent1' })
    const c = await list.create('agent1', 'Write the docs')
    await list.claim(b.id, 'agent1')
    const lines = new Map([
      [a.id, `  - ${a.id} [open] owner=agent2 (you own): Implement feature 2`],
      [b.id, `  - ${b.id} [in_progress] owner=agent1: Integrate and submit`],
      [c.id, `  - ${c.id} [open] owner=?: Write the docs`],
    ])
    const tasks = await list.list()
    expect(teamTaskSummary(tasks, 'agent2')).toBe(['[Team task list] in_progress: 1, open: 2', ...tasks.map((t) => lines.get(t.id))].join('\n'))
    await bus.close()
  })
})

const sandboxes = await demoSandboxes()
describe.skipIf(sandboxes.skip)('coop-task-* in a real sandbox (local backend), without Python, answered by the harness', () => {
  let sandbox: Sandbox
  let bus: MemoryBus
  let list: TaskList
  beforeAll(async () => {
    sandbox = await sandboxes.create()
    const scripts = taskCommandScripts()
    for (const name of TASK_COMMANDS) await sandbox.writeFile(`${BIN}/${name}`, scripts[name])
    const prepared = await sandbox.exec(
      `${prepareTaskCommandsCommand()} && mkdir -p ${MIN_BIN} && for t in ${MINIMAL_TOOLS.join(' ')}; do ln -s "$(command -v $t)" ${MIN_BIN}/$t; done`,
    )
    expect(prepared.exitCode, prepared.stderr).toBe(0)
    bus = new MemoryBus()
    list = await bus.openTaskList('run-sandbox')
  }, 60_000)
  afterAll(async () => {
    await bus?.close()
    await sandboxes.close()
  })

  /** Runs a command line in the sandbox with PATH holding only the minimal tools and the commands. */
  const inSandbox = (line: string) => sandbox.exec(['env', '-i', `PATH=${BIN}:${MIN_BIN}`, `${MIN_BIN}/sh`, '-c', line], { timeoutMs: 30_000 })

  it('the minimal PATH really has no python', async () => {
    const probe = await inSandbox('command -v python3 || command -v python || echo none')
    expect(probe.stdout.trim()).toBe('none')
  })

  it('create, claim, update and list round-trip through the spool with the reference output and exit codes', async () => {
    const server = new TaskCommandServer({ sandbox, list, agentId: 'agent2', pollMs: 50 }).start()
    try {
      const created = await inSandbox(`coop-task-create --assign agent2 'Implement feature 2: "quotes", $dollar & newline
second line'`)
      expect(created.exitCode, created.stderr).toBe(0)
      const id = created.stdout.trim()
      const stored = await list.get(id)
      expect(stored).toMatchObject({ title: 'Implement feature 2: "quotes", $dollar & newline\nsecond line', owner: 'agent2', created_by: 'agent2' })

      const claimed = await inSandbox(`coop-task-claim ${id}; echo "exit=$?"`)
      expect(claimed.stdout).toBe('exit=0\n')
      await list.create('agent1', 'taken by agent1').then((t) => list.claim(t.id, 'agent1').then(() => t))
      const other = (await list.list({ owner: 'agent1' }))[0]!
      const lost = await inSandbox(`coop-task-claim ${other.id}`)
      expect([lost.exitCode, lost.stdout, lost.stderr]).toEqual([2, '', `task ${other.id} owned by agent1\n`])
      const notMine = await inSandbox(`coop-task-update ${other.id} done`)
      expect([notMine.exitCode, notMine.stderr]).toEqual([3, `task ${other.id} owned by 'agent1', not you\n`])
      const bad = await inSandbox(`coop-task-update ${id} finished`)
      expect(bad.exitCode).toBe(4)
      const done = await inSandbox(`coop-task-update ${id} done -n "patch at /workspace/shared/agent2.patch"`)
      expect(done.exitCode, done.stderr).toBe(0)
      expect(await list.get(id)).toMatchObject({ status: 'done', last_note: 'patch at /workspace/shared/agent2.patch' })

      const mine = await inSandbox('coop-task-list --mine')
      expect(mine.exitCode).toBe(0)
      expect(JSON.parse(mine.stdout)).toEqual(await list.list({ owner: 'agent2' }))
      // Every change was made as the sandbox's agent, whatever the command line said.
      expect((await list.log()).filter((e) => e.task_id === id).map((e) => [e.kind, e.by])).toEqual([
        ['create', 'agent2'],
        ['claim', 'agent2'],
        ['update', 'agent2'],
      ])
    } finally {
      await server.stop()
    }
  }, 60_000)

  it('concurrent claims from inside the sandbox: every command is answered, one agent wins, the claims of the other exit 2', async () => {
    const task = await list.create('agent1', 'contested')
    // Two agents' sandboxes share nothing but the list: here one sandbox plays both, each command
    // answered as the agent whose server takes it.
    const servers = ['agent2', 'agent3'].map((agentId) => new TaskCommandServer({ sandbox, list, agentId, pollMs: 20 }).start())
    try {
      const out = await inSandbox(
        `for i in 1 2 3 4 5 6 7 8 9 10 11 12; do (coop-task-claim ${task.id} 2>/dev/null; echo "$?" > /tmp/claim.$i) & done; wait; for f in /tmp/claim.*; do read c < "$f"; echo "$c"; done`,
      )
      expect(out.exitCode, out.stderr).toBe(0)
      const codes = out.stdout.trim().split('\n').map(Number).sort()
      expect(codes).toHaveLength(12)
      const owner = (await list.get(task.id))!.owner
      // The same agent may claim its own task again (0); every claim the other agent's server took loses (2).
      // Which server takes how many is up to timing: the counts must match what each took.
      const [two, three] = servers as [TaskCommandServer, TaskCommandServer]
      const [won, lost] = owner === 'agent2' ? [two, three] : [three, two]
      expect(codes.every((c) => c === 0 || c === 2)).toBe(true)
      expect(codes.filter((c) => c === 0)).toHaveLength(won.answered)
      expect(codes.filter((c) => c === 2)).toHaveLength(lost.answered)
      expect((await list.log()).filter((e) => e.kind === 'claim' && e.task_id === task.id).map((e) => e.by)).toEqual([owner])
    } finally {
      await Promise.all(servers.map((s) => s.stop()))
    }
  }, 60_000)

  it('without a harness answering, a command gives up with exit 1 and leaves no request behind', async () => {
    const out = await inSandbox(`COOP_TASK_TIMEOUT=1 coop-task-list; echo "exit=$?"; set -- ${TASK_COMMAND_SPOOL_DIR}/req/*.req; [ -e "$1" ] || echo none left`)
    expect(out.stdout).toBe('exit=1\nnone left\n')
    expect(out.stderr).toContain('no answer from the harness; nothing was done')
  }, 30_000)

  it('the spool as a host folder the sandbox mounts: the same commands answered by file operations here, no command in the sandbox', async () => {
    const hostDir = await mkdtemp(join(tmpdir(), 'cb-host-spool-'))
    const mounted = await sandboxes.create({
      sharedDirs: [{ hostPath: hostDir, sandboxPath: TASK_COMMAND_SPOOL_DIR, kind: 'folder' }],
    })
    const scripts = taskCommandScripts()
    // Written through the sandbox, they land in the host folder.
    for (const name of TASK_COMMANDS) await mounted.writeFile(`${BIN}/${name}`, scripts[name])
    expect((await mounted.exec(prepareTaskCommandsCommand())).exitCode).toBe(0)
    expect((await readdir(join(hostDir, 'bin'))).sort()).toEqual([...TASK_COMMANDS].sort())
    let execs = 0
    const counted = { ...mounted, exec: (...args: Parameters<Sandbox['exec']>) => (execs++, mounted.exec(...args)) } as Sandbox
    const server = new TaskCommandServer({ sandbox: counted, list, agentId: 'agent3', spool: hostFolderTaskSpool(hostDir), pollMs: 20 }).start()
    try {
      const run = (line: string) => mounted.exec(['sh', '-c', `PATH=${BIN}:$PATH; ${line}`], { timeoutMs: 30_000 })
      const created = await run(`coop-task-create 'host spool: "quoted" $x'`)
      expect(created.exitCode, created.stderr).toBe(0)
      const id = created.stdout.trim()
      expect(await list.get(id)).toMatchObject({ title: 'host spool: "quoted" $x', created_by: 'agent3' })
      expect(await run(`coop-task-claim ${id}; echo "exit=$?"`)).toMatchObject({ stdout: 'exit=0\n' })
      const missing = await run('coop-task-claim nope')
      expect([missing.exitCode, missing.stderr]).toEqual([1, 'task nope does not exist\n'])
    } finally {
      await server.stop()
      await mounted.terminate()
      await rm(hostDir, { recursive: true, force: true })
    }
    // The server never ran a command in the sandbox: every exchange was in the folder.
    expect(execs).toBe(0)
  }, 60_000)

  it('a task list failure reaches the agent as exit 1 with the cause, never as an outcome', async () => {
    const broken = await bus.openTaskList('run-broken')
    await broken.close()
    const server = new TaskCommandServer({ sandbox, list: broken, agentId: 'agent2', pollMs: 20 }).start()
    const result = await inSandbox('coop-task-claim 0123456789').finally(() => server.stop())
    expect(server.answered).toBe(1)
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toMatch(/the task list failed: .*closed/)
  }, 30_000)
})
