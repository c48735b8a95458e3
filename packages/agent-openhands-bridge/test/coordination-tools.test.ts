import { MemoryBus } from '@cooperbench/builtins'
import type { CommandTool, FunctionTool, Mailbox, SeatTool } from '@cooperbench/spec'
import { type AgentRunRecord, runAgentOnFixture } from '@cooperbench/testkit'
import type { RecordedRequest, ScriptedTurn } from '@cooperbench/testkit/llm-server'
import { describe, expect, it } from 'vitest'
import { OpenHandsBridgeAgent } from '../src/index.js'
import { expectSubmitted, solveWithGoldPatch, standInRig } from './stand-in-rig.js'

/**
 * The coordination surface on the bridge, end to end on the OpenHands stand-in: the briefing in the first message, the command
 * tools in the sandbox as the harness installs them (the terminal runs them), and the function tools as client tools answered
 * on the host. The tools are hand-made: a board of claims and questions.
 * OPENHANDS_SERVER_COMMAND runs it on another server, e.g. the real one (scripts/openhands-real-server/README.md).
 */
const rig = await standInRig()
const { sandboxes } = rig
const serverCommand = process.env.OPENHANDS_SERVER_COMMAND ?? rig.command()

const toolsOf = (request: RecordedRequest) => (request.body?.tools ?? []).map((t) => t.function.name)
const textOf = (request: RecordedRequest | undefined) => JSON.stringify(request?.body?.messages ?? [])

/** A board the tools act on as agent1: who holds what, the questions asked, and the tracker's calls. */
function board() {
  const holders = new Map([['t1', 'agent2']])
  const asked: string[][] = []
  const tracked: Array<Record<string, unknown>> = []
  const command = (name: string, run: (argv: readonly string[]) => { exitCode: number; output: string }): CommandTool => ({
    kind: 'command',
    name,
    description: `${name}: a board command.`,
    run: async (line) => run(line),
  })
  const tools: SeatTool[] = [
    command('board-claim', ([id]) => {
      const holder = holders.get(id!)
      if (holder !== undefined && holder !== 'agent1') return { exitCode: 2, output: `task ${id} owned by ${holder}\n` }
      holders.set(id!, 'agent1')
      return { exitCode: 0, output: '' }
    }),
    command('board-ask', (line) => {
      asked.push([...line])
      return { exitCode: 0, output: `q${asked.length}\n` }
    }),
    command('board-list', (line) => {
      const held = [...holders].filter(([, holder]) => !line.includes('--mine') || holder === 'agent1')
      return { exitCode: 0, output: held.map(([id, holder]) => `${id} held by ${holder}\n`).join('') }
    }),
    {
      kind: 'function',
      name: 'task_tracker',
      description: 'The shared task list.',
      parameters: { type: 'object', properties: { command: { type: 'string', enum: ['view', 'plan'] } }, required: ['command'] },
      call: async (args) => (tracked.push(args), `[task_tracker] ${[...holders].map(([id, holder]) => `${id}: ${holder}`).join(', ')}`),
    } satisfies FunctionTool,
  ]
  return { holders, asked, tracked, tools }
}

/**
 * Runs the bridge as agent1 beside agent2 with a briefing of one section and the board's tools, installed in its sandbox and
 * answered while it runs as the harness does (testkit's `coordination`).
 */
async function play(
  script: (goldPatch: string) => ScriptedTurn[] | ((request: RecordedRequest) => Promise<ScriptedTurn>),
): Promise<{ record: AgentRunRecord; board: ReturnType<typeof board> }> {
  const surface = board()
  const bus = new MemoryBus()
  const mailbox: Mailbox = await bus.open('run:oh-coordination', 'agent1', ['agent2'])
  try {
    const record = await runAgentOnFixture(
      {
        agent: new OpenHandsBridgeAgent(),
        fixture: rig.fixture,
        createSandbox: sandboxes.create,
        model: 'openai/scripted-model',
        options: { poll_seconds: 0.2, server_command: serverCommand },
        script: ({ goldPatch }) => script(goldPatch),
      },
      { mailbox, coordination: { briefing: { sections: [{ title: 'Your part', body: 'You hold the board.' }], upstream: null }, tools: surface.tools } },
    )
    return { record, board: surface }
  } finally {
    await mailbox.close()
    await bus.close()
  }
}

/** A model that runs `steps` in turn, each after the answer it waits for reached it (a client tool's comes a moment later). */
type Step = { turn: ScriptedTurn; until?: string }
function stepsThenSolve(goldPatch: string, steps: Step[]): (request: RecordedRequest) => Promise<ScriptedTurn> {
  const all: Step[] = [...steps, ...solveWithGoldPatch(goldPatch).map((turn) => ({ turn }))]
  let waits = 0
  let waitingFor: string | undefined
  return async (request) => {
    if (waitingFor !== undefined && !textOf(request).includes(waitingFor) && waits++ < 40) {
      return { toolCalls: [{ name: 'terminal', arguments: { command: 'sleep 0.3' } }] }
    }
    const step: Step = all.shift() ?? { turn: { toolCalls: [{ name: 'finish', arguments: { message: 'done' } }] } }
    waitingFor = step.until
    return step.turn
  }
}

describe.skipIf(sandboxes.skip)('the coordination tools through the agent server', () => {
  it("briefs the agent, runs the commands in its terminal, and offers the function tools in place of the server's own", async () => {
    const { record, board } = await play((goldPatch) =>
      stepsThenSolve(goldPatch, [
        { turn: { toolCalls: [{ name: 'task_tracker', arguments: { command: 'view' } }] }, until: '[task_tracker] t1: agent2' },
        // The agent's own terminal finds the commands by name: an exit code, a body with spaces as one argument.
        { turn: { toolCalls: [{ name: 'terminal', arguments: { command: 'board-claim t1; echo "exit $?"' } }] }, until: 'exit 2' },
        { turn: { toolCalls: [{ name: 'terminal', arguments: { command: "board-claim t2 && board-ask agent2 'Which file?'" } }] }, until: 'q1' },
        { turn: { toolCalls: [{ name: 'terminal', arguments: { command: 'board-list --mine' } }] } },
      ]),
    )
    expectSubmitted(record)
    const first = record.requests[0]!
    // The briefing in place of the pair's paragraph, then the tools.
    expect(textOf(first)).toContain('# Your part\\n\\nYou hold the board.')
    expect(textOf(first)).toContain('# Your coordination tools')
    expect(textOf(first)).not.toContain('working in a team with')
    expect(textOf(first)).toContain('- `task_tracker`')
    // The function tool in place of the server's own of that name; the commands are no client tools.
    expect(toolsOf(first).filter((name) => name === 'task_tracker')).toHaveLength(1)
    expect(toolsOf(first)).toEqual(expect.arrayContaining(['send_message', 'check_messages']))
    expect(toolsOf(first).filter((name) => name.startsWith('board'))).toEqual([])
    const last = textOf(record.requests.at(-1))
    expect(last).toContain('task t1 owned by agent2')
    expect(board.tracked).toEqual([expect.objectContaining({ command: 'view' })])
    expect(board.asked).toEqual([['agent2', 'Which file?']])
    expect(board.holders.get('t2')).toBe('agent1')
    expect(last).toContain('t2 held by agent1')
  }, 180_000)
})
