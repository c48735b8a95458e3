/**
 * `coop-task-*` as a seat's tools answer them on the host, with the reference's arguments, output and exit codes (0.0.16
 * `coop_task.py`), the `[Team task list]` summary, and upstream OpenHands' `task_tracker` over the same list. How a command
 * in the sandbox reaches its tool is core's (packages/core/test/runner/seat-tools.test.ts).
 */
import type { FunctionTool } from '@cooperbench/spec'
import { MemoryLogs } from '@cooperbench/spec-utils'
import { describe, expect, it } from 'vitest'
import { teamTaskSummary } from '../src/briefing/team-task-summary.js'
import { TASK_COMMANDS } from '../src/commands/task-commands.js'
import { TASK_TRACKER_TOOL } from '../src/commands/task-tracker.js'
import type { TaskList } from '../src/task-list/task-types.js'
import { failing, memoryTaskList } from './support/team-pair.js'
import { runCommand, seatTools, UNUSED_SANDBOX } from './support/team-tools.js'

const TEAM = ['agent1', 'agent2', 'agent3']

/** Every agent's tools on one list, as one pair's seats have them. */
function team(list: TaskList = memoryTaskList(new MemoryLogs())) {
  const tools = new Map(TEAM.map((agentId) => [agentId, seatTools({ list, agentId, agents: TEAM, protocol: false })]))
  const run = (agent: string, command: string, ...argv: string[]) => runCommand(tools.get(agent)!, command, argv)
  return { list, tools, run }
}

describe('coop-task-* answers (the reference coop_task.py behaviour)', () => {
  it('create prints the id; claim/update print nothing; list prints json.dumps(indent=2)', async () => {
    const { run, list } = team()
    const created = await run('agent1', 'coop-task-create', '--assign', 'agent2', 'Implement feature 2: héllo')
    expect(created.exitCode).toBe(0)
    const id = created.output.trim()
    expect(id).toMatch(/^[0-9a-f]{10}$/)
    expect(await run('agent2', 'coop-task-claim', id)).toEqual({ exitCode: 0, output: '' })
    expect(await run('agent2', 'coop-task-update', id, 'blocked', '-n', 'need the API')).toEqual({ exitCode: 0, output: '' })
    const listed = await run('agent1', 'coop-task-list')
    const task = (await list.get(id))!
    expect(listed).toEqual({
      exitCode: 0,
      output: `[\n  {\n    "id": "${id}",\n    "title": "Implement feature 2: h\\u00e9llo",\n    "owner": "agent2",\n    "status": "blocked",\n    "created_by": "agent1",\n    "created_at": ${task.created_at},\n    "last_note": "need the API",\n    "metadata": {}\n  }\n]\n`,
    })
    expect(JSON.parse(listed.output)).toEqual([task])
  })

  it('exit codes: 2 owned by another (naming it), 1 missing, 3 not the owner, 4 unknown status, 2 bad arguments', async () => {
    const { run } = team()
    const id = (await run('agent1', 'coop-task-create', 'a task')).output.trim()
    await run('agent2', 'coop-task-claim', id)
    expect(await run('agent3', 'coop-task-claim', id)).toEqual({ exitCode: 2, output: `task ${id} owned by agent2\n` })
    expect(await run('agent3', 'coop-task-claim', 'ffffffffff')).toEqual({ exitCode: 1, output: 'task ffffffffff does not exist\n' })
    expect(await run('agent3', 'coop-task-update', 'ffffffffff', 'done')).toEqual({ exitCode: 1, output: 'task ffffffffff does not exist\n' })
    expect(await run('agent3', 'coop-task-update', id, 'done')).toEqual({ exitCode: 3, output: `task ${id} owned by 'agent2', not you\n` })
    expect(await run('agent2', 'coop-task-update', id, 'finished')).toEqual({
      exitCode: 4,
      output: "invalid status 'finished'; expected one of ['blocked', 'done', 'in_progress', 'open']\n",
    })
    expect(await run('agent2', 'coop-task-claim')).toEqual({
      exitCode: 2,
      output: 'usage: coop-task claim [-h] task_id\ncoop-task claim: error: the following arguments are required: task_id\n',
    })
    expect((await run('agent2', 'coop-task-list', '--all')).output).toContain('error: unrecognized arguments: --all')
    expect((await run('agent2', 'coop-task-create', '--assign')).output).toContain('error: argument --assign: expected one argument')
    expect(await run('agent2', 'coop-task-create', ' ')).toEqual({ exitCode: 1, output: 'coop-task-create: a task needs a non-empty title\n' })
    expect(await run('agent2', 'coop-task-list', '-h')).toEqual({ exitCode: 0, output: 'usage: coop-task list [-h] [--mine] [--open]\n' })
  })

  it('list --mine and --open filter as the reference does (status open, owner or not)', async () => {
    const { run } = team()
    const a = (await run('agent1', 'coop-task-create', '--assign=agent2', 'pre-assigned')).output.trim()
    const b = (await run('agent1', 'coop-task-create', 'free')).output.trim()
    await run('agent3', 'coop-task-claim', b)
    const ids = async (agent: string, ...flags: string[]) =>
      (JSON.parse((await run(agent, 'coop-task-list', ...flags)).output) as { id: string }[]).map((t) => t.id)
    expect(await ids('agent2', '--open')).toEqual([a])
    expect(await ids('agent3', '--mine')).toEqual([b])
    expect(await ids('agent2', '--mine', '--open')).toEqual([a])
    expect(await ids('agent1', '--mine')).toEqual([])
  })

  it('every change is made as the seat whose tool ran it, whatever its arguments say; a title keeps quotes, $ and newlines', async () => {
    const { run, list } = team()
    const title = 'Implement feature 2: "quotes", $dollar & newline\nsecond line'
    const id = (await run('agent2', 'coop-task-create', '--assign', 'agent2', title)).output.trim()
    expect(await list.get(id)).toMatchObject({ title, owner: 'agent2', created_by: 'agent2' })
    await run('agent2', 'coop-task-claim', id)
    await run('agent2', 'coop-task-update', id, 'done', '--note=patch at /workspace/shared/agent2.patch')
    expect(await list.get(id)).toMatchObject({ status: 'done', last_note: 'patch at /workspace/shared/agent2.patch' })
    expect((await list.log()).map((e) => [e.kind, e.by])).toEqual([
      ['create', 'agent2'],
      ['claim', 'agent2'],
      ['update', 'agent2'],
    ])
  })

  it('concurrent claims from two seats: every call is answered, one agent wins, every claim of the other exits 2', async () => {
    const { run, list } = team()
    const task = await list.create('agent1', 'contested')
    const claims = Array.from({ length: 12 }, (_, i) => run(i % 2 === 0 ? 'agent2' : 'agent3', 'coop-task-claim', task.id))
    const answers = await Promise.all(claims)
    const owner = (await list.get(task.id))!.owner
    // The winner may claim its own task again (0); every claim of the other loses (2), naming the winner.
    answers.forEach((answer, i) => {
      const agent = i % 2 === 0 ? 'agent2' : 'agent3'
      expect(answer).toEqual(agent === owner ? { exitCode: 0, output: '' } : { exitCode: 2, output: `task ${task.id} owned by ${owner}\n` })
    })
    expect((await list.log()).filter((e) => e.kind === 'claim').map((e) => e.by)).toEqual([owner])
  })

  it('a task list that fails reaches the agent as exit 1 with the cause, never as an outcome', async () => {
    const broken = failing(memoryTaskList(), 'claim', 'the connection was closed')
    const tools = seatTools({ list: broken, agentId: 'agent2', agents: TEAM, protocol: false })
    expect(await runCommand(tools, 'coop-task-claim', ['0123456789'])).toEqual({
      exitCode: 1,
      output: 'coop-task-claim: the task list failed: the connection was closed\n',
    })
  })

  it("runs afterList once coop-task-list is answered (the agent's own mirror), and its failure does not fail the command", async () => {
    const list = memoryTaskList()
    const seen: unknown[] = []
    const mirrored = seatTools({ list, agentId: 'agent1', agents: TEAM, protocol: false, afterList: async (sandbox) => void seen.push(sandbox) })
    expect(await runCommand(mirrored, 'coop-task-list', [])).toEqual({ exitCode: 0, output: '[]\n' })
    expect(seen).toEqual([UNUSED_SANDBOX])
    await runCommand(mirrored, 'coop-task-create', ['x'])
    expect(seen).toHaveLength(1)
    const failing = seatTools({ list, agentId: 'agent1', agents: TEAM, protocol: false, afterList: () => Promise.reject(new Error('no room')) })
    expect((await runCommand(failing, 'coop-task-list', ['--mine'])).exitCode).toBe(0)
  })
})

describe("a seat's team tools", () => {
  it('are the four commands and the task tracker', () => {
    const tools = seatTools({ list: memoryTaskList(), agentId: 'agent1', agents: TEAM, protocol: false })
    expect([...tools.keys()]).toEqual(['coop-task-list', 'coop-task-claim', 'coop-task-update', 'coop-task-create', TASK_TRACKER_TOOL])
    expect(new Set(TASK_COMMANDS)).toEqual(new Set([...tools.keys()].filter((name) => name !== TASK_TRACKER_TOOL)))
  })
})

describe('the [Team task list] summary (the reference format_task_summary)', () => {
  it('counts by status name, one line per task, the viewer marked; a fixed line when empty', async () => {
    const list = memoryTaskList()
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
  })
})

describe("upstream OpenHands' task_tracker over the team's list", () => {
  const call = (tool: FunctionTool, args: Record<string, unknown>) => tool.call(args, { sandbox: UNUSED_SANDBOX, signal: new AbortController().signal })
  const trackerOf = (list: TaskList, agentId: string) => {
    const tool = seatTools({ list, agentId, agents: TEAM, protocol: false }).get(TASK_TRACKER_TOOL)!
    if (tool.kind !== 'function') throw new Error('task_tracker is a function tool')
    return tool
  }

  it('plan sets the agent’s own tasks (created, assigned and claimed), view shows the team’s with holders and notes', async () => {
    const list = memoryTaskList()
    const seeded = await list.create('bench-runner', 'Implement feature 5', { assign: 'agent2' })
    const tracker = trackerOf(list, 'agent2')
    expect(await call(tracker, { command: 'view' })).toBe('[task_tracker] - [todo] [agent2] Implement feature 5')
    const planned = await call(tracker, {
      command: 'plan',
      task_list: [
        { title: 'Implement feature 5', status: 'in_progress' },
        { title: 'Write tests', status: 'done', notes: 'tests/test_parser.py' },
      ],
    })
    expect(planned.split('\n')).toEqual([
      '[task_tracker] Updated your tasks in the shared list (2 across the team).',
      ...(await list.list()).map((t) =>
        t.id === seeded.id ? '- [in_progress] [agent2] Implement feature 5' : '- [done] [agent2] Write tests (tests/test_parser.py)',
      ),
    ])
    expect((await list.log()).filter((e) => e.kind !== 'create').map((e) => [e.kind, e.by])).toEqual([
      ['claim', 'agent2'],
      ['claim', 'agent2'],
      ['update', 'agent2'],
    ])
    // A title read back from `view` carries its holder; the plan finds the same task.
    await call(tracker, { command: 'plan', task_list: [{ title: '[agent2] Implement feature 5', status: 'done' }] })
    expect(await list.get(seeded.id)).toMatchObject({ status: 'done' })
    expect(await list.list()).toHaveLength(2)
  })

  it('an empty list, an unknown command and a failing list are told to the model', async () => {
    expect(await call(trackerOf(memoryTaskList(), 'agent1'), { command: 'view' })).toBe('[task_tracker] The shared task list is empty: "plan" adds your tasks.')
    expect(await call(trackerOf(memoryTaskList(), 'agent1'), { command: 'delete' })).toBe('[task_tracker failed] unknown command "delete": "view" or "plan"')
    const broken = failing(memoryTaskList(), 'list', 'Redis is gone')
    expect(await call(trackerOf(broken, 'agent1'), { command: 'view' })).toBe('[task_tracker failed] the shared task list could not be used: Redis is gone')
  })
})
