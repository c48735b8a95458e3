import { MemoryBus, MemoryTaskList, newMemoryTaskStore } from '@cooperbench/builtins'
import type { AgentTeam, Mailbox, Sandbox, Task } from '@cooperbench/spec'
import { prepareTaskCommandsCommand, TaskCommandServer, taskCommandScripts } from '@cooperbench/setting-team'
import { TASK_COMMAND_BIN_DIR, TASK_COMMAND_SPOOL_DIR, teamTaskCommandsOn } from '@cooperbench/setting-team/agent'
import { ALL_TEAM_FEATURES, TEAM_SCRATCHPAD_DIR, type TeamFeatures } from '@cooperbench/spec/team'
import { type AgentRunRecord, applyPatchCommand, runAgentOnFixture } from '@cooperbench/testkit'
import type { RecordedRequest, ScriptedTurn } from '@cooperbench/testkit/llm-server'
import { describe, expect, it } from 'vitest'
import { OpenHandsBridgeAgent } from '../src/index.js'
import { expectSubmitted, standInRig } from './stand-in-rig.js'

/**
 * The `team` setting on the bridge, end to end on the OpenHands stand-in: the first message is the
 * team's briefing, the team's commands are client tools, and a call of one runs the very command
 * the harness installs in the sandbox, answered here as the harness answers it (a
 * `TaskCommandServer` over a memory task list seeded as the harness seeds it).
 * OPENHANDS_SERVER_COMMAND runs it on another server, e.g. the real one (scripts/openhands-real-server/README.md).
 */
const rig = await standInRig()
const { sandboxes } = rig
const serverCommand = process.env.OPENHANDS_SERVER_COMMAND ?? rig.command()

const TASK_TOOLS = ['coop_task_list', 'coop_task_claim', 'coop_task_update', 'coop_task_create']
const PROTOCOL_TOOLS = ['coop_request', 'coop_respond', 'coop_pending']

const toolsOf = (request: RecordedRequest) => (request.body?.tools ?? []).map((t) => t.function.name)
const textOf = (request: RecordedRequest | undefined) => JSON.stringify(request?.body?.messages ?? [])

interface TeamPlay {
  record: AgentRunRecord
  list: MemoryTaskList
  /** The seeded tasks' ids: the member's (assigned to agent2) and the lead's. */
  memberTask: string
  leadTask: string
}

/**
 * Runs the bridge as agent1, the lead of agent1 and agent2, with `features` (the rest on): the
 * commands installed in its sandbox and served while it runs, as the harness does. `script` plays
 * the model, given the seeded tasks' ids.
 */
async function playLead(
  features: Partial<TeamFeatures>,
  script: (ids: { memberTask: string; leadTask: string }, goldPatch: string) => ScriptedTurn[] | ((request: RecordedRequest) => Promise<ScriptedTurn>),
  options: Record<string, unknown> = {},
): Promise<TeamPlay> {
  const on = { ...ALL_TEAM_FEATURES, ...features }
  const list = new MemoryTaskList('run:oh-team', newMemoryTaskStore())
  const memberTask = (await list.create('agent1', 'Implement feature 2', { assign: 'agent2' })).id
  const leadTask = (await list.create('agent1', "Integrate the team's work and submit", { assign: 'agent1' })).id
  const bus = new MemoryBus()
  const mailbox: Mailbox = await bus.open('run:oh-team', 'agent1', ['agent2'])
  const team: AgentTeam = {
    role: 'lead',
    lead: 'agent1',
    agents: ['agent1', 'agent2'],
    features: on,
    taskList: teamTaskCommandsOn({ features: on }) ? list : null,
    scratchpad: on.scratchpad ? TEAM_SCRATCHPAD_DIR : null,
  }
  const servers: TaskCommandServer[] = []
  const createSandbox = async (task: Task): Promise<Sandbox> => {
    const sandbox = await sandboxes.create(task)
    if (teamTaskCommandsOn({ features: on })) {
      const scripts = taskCommandScripts(TASK_COMMAND_SPOOL_DIR, { protocol: true })
      const names = on.protocol ? Object.keys(scripts) : Object.keys(scripts).filter((name) => name.startsWith('coop-task-'))
      for (const name of names) await sandbox.writeFile(`${TASK_COMMAND_BIN_DIR}/${name}`, scripts[name as keyof typeof scripts])
      const prepared = await sandbox.exec(['sh', '-c', prepareTaskCommandsCommand(TASK_COMMAND_SPOOL_DIR, names)], { cwd: '/' })
      expect(prepared.exitCode, prepared.stderr).toBe(0)
      servers.push(new TaskCommandServer({ sandbox, list, agentId: 'agent1', team: team.agents, protocol: on.protocol, pollMs: 50, maxPollMs: 200 }).start())
    }
    return sandbox
  }
  try {
    const record = await runAgentOnFixture(
      {
        agent: new OpenHandsBridgeAgent(),
        fixture: rig.fixture,
        createSandbox,
        model: 'openai/scripted-model',
        options: { poll_seconds: 0.2, server_command: serverCommand, ...options },
        script: ({ goldPatch }) => script({ memberTask, leadTask }, goldPatch),
      },
      { setting: 'team', mailbox, team },
    )
    return { record, list, memberTask, leadTask }
  } finally {
    for (const server of servers) await server.stop()
    await mailbox.close()
    await bus.close()
  }
}

/** The gold patch, then finish. */
const solve = (goldPatch: string): ScriptedTurn[] => [
  { toolCalls: [{ name: 'terminal', arguments: { command: applyPatchCommand(goldPatch) } }] },
  { toolCalls: [{ name: 'finish', arguments: { message: 'done' } }] },
]

describe.skipIf(sandboxes.skip)('the team setting through the agent server', () => {
  it('briefs the lead, declares the team tools, and runs a claim as coop-task-claim in the sandbox, its answer back to the model', async () => {
    const ASKED = "[coop_request] `coop-request agent2 question 'Which file?'` exited with code 0"
    const claimed = (id: string, code: number) => `[coop_task_claim] \`coop-task-claim ${id}\` exited with code ${code}`
    const play = await playLead({}, ({ memberTask, leadTask }, goldPatch) => {
      type Step = { turn: ScriptedTurn; until?: string }
      const steps: Step[] = [
        { turn: { toolCalls: [{ name: 'coop_task_claim', arguments: { task_id: memberTask } }] }, until: claimed(memberTask, 2) },
        { turn: { toolCalls: [{ name: 'coop_task_claim', arguments: { task_id: leadTask } }] }, until: claimed(leadTask, 0) },
        // A body with spaces goes as one argument, never read from stdin.
        { turn: { toolCalls: [{ name: 'coop_request', arguments: { to: 'agent2', request_kind: 'question', body: 'Which file?' } }] }, until: ASKED },
        // The agent's own terminal finds the commands by name.
        { turn: { toolCalls: [{ name: 'terminal', arguments: { command: 'coop-task-list --mine' } }] } },
        ...solve(goldPatch).map((turn) => ({ turn })),
      ]
      let waits = 0
      let waitingFor: string | undefined
      return async (request) => {
        // A client tool is acknowledged at once; the command's answer comes a moment later as a user message.
        if (waitingFor !== undefined && !textOf(request).includes(waitingFor) && waits++ < 40) {
          return { toolCalls: [{ name: 'terminal', arguments: { command: 'sleep 0.3' } }] }
        }
        const step: Step = steps.shift() ?? { turn: { toolCalls: [{ name: 'finish', arguments: { message: 'done' } }] } }
        waitingFor = step.until
        return step.turn
      }
    })
    const { record, list, memberTask, leadTask } = play
    expectSubmitted(record)
    const first = record.requests[0]!
    // The team's briefing in place of the coop pair's paragraph.
    expect(textOf(first)).toContain('Your role in the team')
    expect(textOf(first)).toContain('coop-task-claim <id>')
    expect(textOf(first)).toContain(TEAM_SCRATCHPAD_DIR)
    expect(textOf(first)).not.toContain('working in a team with')
    expect(toolsOf(first)).toEqual(expect.arrayContaining(['send_message', 'check_messages', ...TASK_TOOLS, ...PROTOCOL_TOOLS]))
    // Both claims ran in the sandbox as agent1, with the commands' exit codes and output.
    const last = record.requests.at(-1)!
    expect(textOf(last)).toContain(`${claimed(memberTask, 2)}:\\ntask ${memberTask} owned by agent2`)
    expect(textOf(last)).toContain(`${claimed(leadTask, 0)} (no output)`)
    expect((await list.log()).filter((e) => e.kind === 'claim').map((e) => [e.by, e.task_id])).toEqual([['agent1', leadTask]])
    expect((await list.list()).find((t) => t.id === leadTask)).toMatchObject({ owner: 'agent1', status: 'in_progress' })
    // The request is on the list for agent2, its id printed back.
    const [asked] = await list.pending('agent2')
    expect(asked).toMatchObject({ from: 'agent1', to: 'agent2', kind: 'question', body: 'Which file?' })
    expect(textOf(last)).toContain(`${ASKED}:\\n${asked!.id}`)
    // `coop-task-list --mine` by name in the terminal printed the lead's task.
    expect(textOf(last)).toContain("Integrate the team's work and submit")
  }, 180_000)

  it('without any task list (--team-no-task-commands): no team tool, and nothing the model sees names the commands', async () => {
    const none = { task_list: false, auto_refresh: false, protocol: false, task_commands: false } as const
    const { record } = await playLead(none, (_ids, goldPatch) => solve(goldPatch))
    expectSubmitted(record)
    const first = record.requests[0]!
    expect(textOf(first)).toContain('Your role in the team')
    expect(toolsOf(first).filter((name) => name.startsWith('coop'))).toEqual([])
    for (const request of record.requests) {
      expect(textOf(request)).not.toMatch(/coop-task-|coop_task_|coop_request|coop-request/)
    }
  }, 180_000)

  it("protocol: reference: upstream's task_tracker (PR #55) backed by the team's list, in place of the server's and of the coop_task_* tools", async () => {
    const plan = {
      command: 'plan',
      task_list: [
        { title: 'Write sub()', status: 'in_progress', notes: 'calc.py' },
        { title: 'Test sub()', status: 'todo' },
      ],
    }
    let turn = 0
    const { record, list } = await playLead(
      {},
      (_ids, goldPatch) => async (request) => {
        const waiting = (text: string) => !textOf(request).includes(text)
        if (turn === 0) return (turn++, { toolCalls: [{ name: 'task_tracker', arguments: plan }] })
        if (turn === 1 && waiting('[task_tracker] Updated your tasks')) return { toolCalls: [{ name: 'terminal', arguments: { command: 'sleep 0.3' } }] }
        if (turn === 1) return (turn++, { toolCalls: [{ name: 'task_tracker', arguments: { command: 'view' } }] })
        if (turn === 2 && waiting('[task_tracker] - [')) return { toolCalls: [{ name: 'terminal', arguments: { command: 'sleep 0.3' } }] }
        return solve(goldPatch)[turn++ - 2] ?? { toolCalls: [{ name: 'finish', arguments: { message: 'done' } }] }
      },
      { protocol: 'reference' },
    )
    expectSubmitted(record)
    const tools = toolsOf(record.requests[0]!)
    expect(tools.filter((name) => name === 'task_tracker')).toHaveLength(1)
    expect(tools.filter((name) => name.startsWith('coop_'))).toEqual([])
    const mine = (await list.list({ owner: 'agent1' })).filter((t) => t.title.endsWith('sub()'))
    expect(mine.map((t) => [t.title, t.status, t.last_note])).toEqual(
      expect.arrayContaining([
        ['Write sub()', 'in_progress', 'calc.py'],
        ['Test sub()', 'open', ''],
      ]),
    )
    // Made as the agent, through the commands: in the list's log.
    const made = (await list.log()).filter((e) => e.kind === 'create' && e.by === 'agent1').map((e) => (e as { title: string }).title)
    expect(made.filter((title) => title.endsWith('sub()'))).toEqual(['Write sub()', 'Test sub()'])
    const last = textOf(record.requests.at(-1))
    expect(last).toContain('[in_progress] [agent1] Write sub() (calc.py)')
    expect(last).toContain('[todo] [agent2] Implement feature 2')
  }, 180_000)

  it('with the protocol off: the task tools only, and no request tools or their section', async () => {
    const { record } = await playLead({ protocol: false }, (_ids, goldPatch) => solve(goldPatch))
    expectSubmitted(record)
    const first = record.requests[0]!
    expect(toolsOf(first)).toEqual(expect.arrayContaining(TASK_TOOLS))
    expect(toolsOf(first).filter((name) => PROTOCOL_TOOLS.includes(name))).toEqual([])
    expect(textOf(first)).not.toMatch(/coop_request|coop-request|coop_respond|coop-respond|coop_pending|coop-pending|# Requests/)
  }, 180_000)
})
