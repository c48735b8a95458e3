import { MemoryBus } from '@cooperbench/builtins'
import type { Sandbox, TaskList } from '@cooperbench/spec'
import { answerTaskCommand } from '../src/commands/task-commands.js'
import { prepareTaskCommandsCommand, TaskCommandServer, taskCommandScripts } from '../src/index.js'
import { PROTOCOL_COMMANDS, TASK_COMMANDS } from '../src/agent/index.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoSandboxes } from './support/sandboxes.js'

const TEAM = ['agent1', 'agent2', 'agent3']

describe('coop-request / coop-respond / coop-pending answers (the reference coop_task.py request, respond, pending)', () => {
  let bus: MemoryBus
  let list: TaskList
  beforeAll(async () => {
    bus = new MemoryBus()
    list = await bus.openTaskList('run-protocol-answers')
  })
  afterAll(() => bus.close())
  const run = (agent: string, ...argv: string[]) => answerTaskCommand(list, agent, argv, { team: TEAM, protocol: true })

  it('request prints the id; pending lists it for the addressee as JSON; respond answers once (then exit 6)', async () => {
    const made = await run('agent1', 'request', 'agent2', 'question', 'where is the parser?')
    expect(made.exitCode).toBe(0)
    const id = made.output.trim()
    expect(id).toMatch(/^[0-9a-f]{10}$/)
    const pending = await run('agent2', 'pending')
    expect(pending.exitCode).toBe(0)
    expect(JSON.parse(pending.output)).toEqual([expect.objectContaining({ id, from: 'agent1', to: 'agent2', kind: 'question', body: 'where is the parser?' })])
    expect(pending.output).toMatch(/^\[\n {2}\{\n {4}"id": /)
    expect(JSON.parse((await run('agent3', 'pending')).output)).toEqual([])
    expect(await run('agent3', 'respond', id, 'me?')).toEqual({ exitCode: 7, output: `request ${id} not addressed to agent3\n` })
    expect(await run('agent2', 'respond', id, 'src/parser.py')).toEqual({ exitCode: 0, output: '' })
    expect(await run('agent2', 'respond', id, 'again')).toEqual({ exitCode: 6, output: `unknown request ${id}\n` })
    expect(await run('agent2', 'respond', '0000000000', 'x')).toEqual({ exitCode: 6, output: 'unknown request 0000000000\n' })
    expect(JSON.parse((await run('agent2', 'pending')).output)).toEqual([])
  })

  it('--wait prints the response as the reference json.dumps line, or times out with exit 5', async () => {
    const timedOut = await run('agent1', 'request', '--wait', '0.1', 'agent2', 'question', 'anyone?')
    expect(timedOut.exitCode).toBe(5)
    expect(timedOut.output).toMatch(/^timed out waiting for response to [0-9a-f]{10}\n$/)

    const waiting = run('agent1', 'request', 'agent3', 'review', 'look at a.py', '--wait=30')
    let open: { id: string }[] = []
    while (open.length === 0) open = JSON.parse((await run('agent3', 'pending')).output) as { id: string }[]
    await run('agent3', 'respond', open[0]!.id, 'looks fine — ship it')
    const answered = await waiting
    expect(answered.exitCode).toBe(0)
    expect(answered.output).toMatch(
      new RegExp(`^\\{"id": "${open[0]!.id}", "from": "agent3", "to": "agent1", "body": "looks fine \\\\u2014 ship it", "ts": [0-9.]+\\}\\n$`),
    )
  })

  it('refuses a request to an agent outside the team or to oneself (exit 1), bad --wait values and missing arguments (exit 2)', async () => {
    expect(await run('agent1', 'request', 'agent9', 'question', 'hello')).toEqual({
      exitCode: 1,
      output: 'coop-request: agent9 is not a teammate; send requests to agent2, agent3\n',
    })
    expect((await run('agent1', 'request', 'agent1', 'question', 'me')).exitCode).toBe(1)
    const bad = await run('agent1', 'request', 'agent2', 'q', 'b', '--wait', 'soon')
    expect(bad).toEqual({
      exitCode: 2,
      output: "usage: coop-task request [-h] [--wait WAIT] recipient kind [body]\ncoop-task request: error: argument --wait: invalid float value: 'soon'\n",
    })
    expect((await run('agent1', 'request', 'agent2')).output).toContain('the following arguments are required: kind')
    expect((await run('agent1', 'respond')).exitCode).toBe(2)
    expect((await run('agent1', 'pending', 'extra')).output).toContain('unrecognized arguments: extra')
    expect(await run('agent1', 'pending', '--help')).toEqual({ exitCode: 0, output: 'usage: coop-task pending [-h]\n' })
  })

  it('without the protocol the subcommands do not exist (argparse invalid choice, exit 2)', async () => {
    const before = await list.pending('agent2')
    const off = await answerTaskCommand(list, 'agent1', ['request', 'agent2', 'q', 'b'], { team: TEAM })
    expect(off.exitCode).toBe(2)
    expect(off.output).toContain("argument cmd: invalid choice: 'request' (choose from 'create', 'claim', 'update', 'list')")
    expect(await list.pending('agent2')).toEqual(before)
  })
})

const sandboxes = await demoSandboxes()
/** Only what the commands may use: no Python, no bash, no network tools. */
const MINIMAL_TOOLS = ['sh', 'date', 'mkdir', 'mv', 'head', 'tail', 'rm', 'sleep', 'cat']
const MIN_BIN = '/tmp/min-bin-protocol'
/** One spool per agent in the one sandbox, so each command is answered as the agent whose commands ran it. */
const spool = (agent: string) => `/tmp/.spool-${agent}`

describe.skipIf(sandboxes.skip)('the protocol in a real sandbox (local backend), without Python, answered by the harness', () => {
  let sandbox: Sandbox
  let bus: MemoryBus
  let list: TaskList
  const servers: TaskCommandServer[] = []
  beforeAll(async () => {
    sandbox = await sandboxes.create()
    bus = new MemoryBus()
    list = await bus.openTaskList('run-protocol-sandbox')
    const commands = [...TASK_COMMANDS, ...PROTOCOL_COMMANDS]
    for (const agent of ['agent1', 'agent2']) {
      const scripts = taskCommandScripts(spool(agent), { protocol: true })
      for (const name of commands) await sandbox.writeFile(`${spool(agent)}/bin/${name}`, scripts[name])
      const prepared = await sandbox.exec(prepareTaskCommandsCommand(spool(agent), commands))
      expect(prepared.exitCode, prepared.stderr).toBe(0)
      servers.push(new TaskCommandServer({ sandbox, list, agentId: agent, dir: spool(agent), team: TEAM, protocol: true, pollMs: 50 }).start())
    }
    const tools = await sandbox.exec(`mkdir -p ${MIN_BIN} && for t in ${MINIMAL_TOOLS.join(' ')}; do ln -s "$(command -v $t)" ${MIN_BIN}/$t; done`)
    expect(tools.exitCode, tools.stderr).toBe(0)
  }, 60_000)
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()))
    await bus?.close()
    await sandboxes.close()
  })

  const as = (agent: string, line: string) =>
    sandbox.exec(['env', '-i', `PATH=${spool(agent)}/bin:${MIN_BIN}`, `${MIN_BIN}/sh`, '-c', line], { timeoutMs: 60_000 })

  it('agent1 waits on a request, agent2 sees it pending and responds, agent1 prints the response; both events are logged', async () => {
    const waiting = as('agent1', `coop-request agent2 question 'which port? "8080" or $PORT' --wait 40; echo "exit=$?"`)
    let pending: { id: string; body: string }[] = []
    while (pending.length === 0) {
      const out = await as('agent2', 'coop-pending')
      expect(out.exitCode, out.stderr).toBe(0)
      pending = JSON.parse(out.stdout) as { id: string; body: string }[]
    }
    expect(pending[0]!.body).toBe('which port? "8080" or $PORT')
    const responded = await as('agent2', `coop-respond ${pending[0]!.id} 'use 8080'; echo "exit=$?"`)
    expect(responded.stdout).toBe('exit=0\n')
    const out = await waiting
    const [json, exit] = out.stdout.trim().split('\n')
    expect(exit).toBe('exit=0')
    expect(JSON.parse(json!)).toMatchObject({ id: pending[0]!.id, from: 'agent2', to: 'agent1', body: 'use 8080' })
    const twice = await as('agent2', `coop-respond ${pending[0]!.id} again`)
    expect([twice.exitCode, twice.stderr]).toEqual([6, `unknown request ${pending[0]!.id}\n`])
    const events = (await list.log()).filter((e) => 'request_id' in e && e.request_id === pending[0]!.id)
    expect(events.map((e) => [e.kind, e.by])).toEqual([
      ['request', 'agent1'],
      ['response', 'agent2'],
    ])
  }, 90_000)

  it('a body left out is read from stdin, exactly; a wait nobody answers exits 5', async () => {
    const made = await as('agent1', `printf 'line one\\nline two\\n' | coop-request agent2 note`)
    expect(made.exitCode, made.stderr).toBe(0)
    const id = made.stdout.trim()
    expect((await list.pending('agent2')).find((r) => r.id === id)?.body).toBe('line one\nline two\n')
    const timedOut = await as('agent1', 'coop-request agent2 question nobody --wait 0.3 </dev/null')
    expect(timedOut.exitCode).toBe(5)
    expect(timedOut.stderr).toMatch(/^timed out waiting for response to [0-9a-f]{10}\n$/)
  }, 60_000)
})
