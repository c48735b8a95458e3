/**
 * The typed protocol's commands (`coop-request`, `coop-respond`, `coop-pending`) as a seat's tools answer them on the host, with
 * the reference's arguments, output and exit codes (0.0.16 `coop_task.py` request, respond, pending). How a command in the
 * sandbox reaches its tool is core's (packages/core/test/runner/seat-tools.test.ts).
 */
import { MemoryLogs } from '@cooperbench/spec-utils'
import { describe, expect, it } from 'vitest'
import { answerTaskCommand } from '../src/commands/task-commands.js'
import { PROTOCOL_COMMANDS } from '../src/commands/protocol-commands.js'
import { memoryTaskList } from './support/team-pair.js'
import { runCommand, seatTools } from './support/team-tools.js'

const TEAM = ['agent1', 'agent2', 'agent3']

function team(protocol = true) {
  const list = memoryTaskList(new MemoryLogs())
  const tools = new Map(TEAM.map((agentId) => [agentId, seatTools({ list, agentId, agents: TEAM, protocol })]))
  const run = (agent: string, command: string, ...argv: string[]) => runCommand(tools.get(agent)!, command, argv)
  return { list, tools, run }
}

describe('coop-request / coop-respond / coop-pending answers (the reference coop_task.py request, respond, pending)', () => {
  it('request prints the id; pending lists it for the addressee as JSON; respond answers once (then exit 6)', async () => {
    const { run } = team()
    const made = await run('agent1', 'coop-request', 'agent2', 'question', 'where is the parser?')
    expect(made.exitCode).toBe(0)
    const id = made.output.trim()
    expect(id).toMatch(/^[0-9a-f]{10}$/)
    const pending = await run('agent2', 'coop-pending')
    expect(pending.exitCode).toBe(0)
    expect(JSON.parse(pending.output)).toEqual([expect.objectContaining({ id, from: 'agent1', to: 'agent2', kind: 'question', body: 'where is the parser?' })])
    expect(pending.output).toMatch(/^\[\n {2}\{\n {4}"id": /)
    expect(JSON.parse((await run('agent3', 'coop-pending')).output)).toEqual([])
    expect(await run('agent3', 'coop-respond', id, 'me?')).toEqual({ exitCode: 7, output: `request ${id} not addressed to agent3\n` })
    expect(await run('agent2', 'coop-respond', id, 'src/parser.py')).toEqual({ exitCode: 0, output: '' })
    expect(await run('agent2', 'coop-respond', id, 'again')).toEqual({ exitCode: 6, output: `unknown request ${id}\n` })
    expect(await run('agent2', 'coop-respond', '0000000000', 'x')).toEqual({ exitCode: 6, output: 'unknown request 0000000000\n' })
    expect(JSON.parse((await run('agent2', 'coop-pending')).output)).toEqual([])
  })

  it('--wait prints the response as the reference json.dumps line, or times out with exit 5', async () => {
    const { run } = team()
    const timedOut = await run('agent1', 'coop-request', '--wait', '0.1', 'agent2', 'question', 'anyone?')
    expect(timedOut.exitCode).toBe(5)
    expect(timedOut.output).toMatch(/^timed out waiting for response to [0-9a-f]{10}\n$/)

    const waiting = run('agent1', 'coop-request', 'agent3', 'review', 'look at a.py', '--wait=30')
    let open: { id: string }[] = []
    while (open.length === 0) open = JSON.parse((await run('agent3', 'coop-pending')).output) as { id: string }[]
    await run('agent3', 'coop-respond', open[0]!.id, 'looks fine — ship it')
    const answered = await waiting
    expect(answered.exitCode).toBe(0)
    expect(answered.output).toMatch(
      new RegExp(`^\\{"id": "${open[0]!.id}", "from": "agent3", "to": "agent1", "body": "looks fine \\\\u2014 ship it", "ts": [0-9.]+\\}\\n$`),
    )
  })

  it('a wait its agent no longer reads (the run ended: the call is aborted) answers at once as timed out', async () => {
    const { tools, list } = team()
    const ended = new AbortController()
    const started = Date.now()
    const waiting = runCommand(tools.get('agent1')!, 'coop-request', ['agent2', 'question', 'still there?', '--wait', '60'], { signal: ended.signal })
    while ((await list.pending('agent2')).length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
    ended.abort()
    const answer = await waiting
    expect(answer).toEqual({ exitCode: 5, output: expect.stringMatching(/^timed out waiting for response to [0-9a-f]{10}\n$/) })
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('a body left out comes from what the command read on stdin, exactly (request and respond)', async () => {
    const { tools, list } = team()
    const made = await runCommand(tools.get('agent1')!, 'coop-request', ['agent2', 'note'], { stdin: 'line one\nline two\n' })
    expect(made.exitCode).toBe(0)
    const id = made.output.trim()
    expect((await list.pending('agent2')).find((r) => r.id === id)?.body).toBe('line one\nline two\n')
    expect(await runCommand(tools.get('agent2')!, 'coop-respond', [id], { stdin: 'use "8080" or $PORT' })).toEqual({ exitCode: 0, output: '' })
    expect((await list.log()).filter((e) => e.kind === 'response').map((e) => e.body)).toEqual(['use "8080" or $PORT'])
    // A body given as an argument wins over stdin; without either, it is empty.
    const given = await runCommand(tools.get('agent1')!, 'coop-request', ['agent2', 'q', 'given'], { stdin: 'ignored' })
    expect((await list.pending('agent2')).find((r) => r.id === given.output.trim())?.body).toBe('given')
    const empty = await runCommand(tools.get('agent1')!, 'coop-request', ['agent2', 'q'])
    expect((await list.pending('agent2')).find((r) => r.id === empty.output.trim())?.body).toBe('')
  })

  it('request and respond are logged as the agents that ran them', async () => {
    const { run, list } = team()
    const id = (await run('agent1', 'coop-request', 'agent2', 'question', 'which port?')).output.trim()
    await run('agent2', 'coop-respond', id, 'use 8080')
    expect((await list.log()).map((e) => [e.kind, e.by, 'to' in e ? e.to : null])).toEqual([
      ['request', 'agent1', 'agent2'],
      ['response', 'agent2', 'agent1'],
    ])
  })

  it('refuses a request to an agent outside the team or to oneself (exit 1), bad --wait values and missing arguments (exit 2)', async () => {
    const { run } = team()
    expect(await run('agent1', 'coop-request', 'agent9', 'question', 'hello')).toEqual({
      exitCode: 1,
      output: 'coop-request: agent9 is not a teammate; send requests to agent2, agent3\n',
    })
    expect((await run('agent1', 'coop-request', 'agent1', 'question', 'me')).exitCode).toBe(1)
    const bad = await run('agent1', 'coop-request', 'agent2', 'q', 'b', '--wait', 'soon')
    expect(bad).toEqual({
      exitCode: 2,
      output: "usage: coop-task request [-h] [--wait WAIT] recipient kind [body]\ncoop-task request: error: argument --wait: invalid float value: 'soon'\n",
    })
    expect((await run('agent1', 'coop-request', 'agent2')).output).toContain('the following arguments are required: kind')
    expect((await run('agent1', 'coop-respond')).exitCode).toBe(2)
    expect((await run('agent1', 'coop-pending', 'extra')).output).toContain('unrecognized arguments: extra')
    expect(await run('agent1', 'coop-pending', '--help')).toEqual({ exitCode: 0, output: 'usage: coop-task pending [-h]\n' })
  })

  it('without the protocol a seat has none of its commands, and the parser knows none of its subcommands (argparse invalid choice, exit 2)', async () => {
    const { tools, list } = team(false)
    for (const name of PROTOCOL_COMMANDS) expect(tools.get('agent1')!.has(name)).toBe(false)
    const off = await answerTaskCommand(list, 'agent1', ['request', 'agent2', 'q', 'b'], { team: TEAM })
    expect(off.exitCode).toBe(2)
    expect(off.output).toBe(
      "usage: coop-task [-h] {create,claim,update,list} ...\ncoop-task: error: argument cmd: invalid choice: 'request' (choose from 'create', 'claim', 'update', 'list')\n",
    )
    expect(await list.pending('agent2')).toEqual([])
  })
})

describe("the protocol's commands as tools", () => {
  it('take the body of a request or response from stdin, and wait as long as `--wait` says', () => {
    const tools = seatTools({ list: memoryTaskList(), agentId: 'agent1', agents: TEAM, protocol: true })
    expect(tools.get('coop-request')).toMatchObject({ kind: 'command', stdinAfter: 2, waitOption: '--wait' })
    expect(tools.get('coop-respond')).toMatchObject({ kind: 'command', stdinAfter: 1 })
    expect(tools.get('coop-pending')).not.toHaveProperty('stdinAfter')
  })
})
