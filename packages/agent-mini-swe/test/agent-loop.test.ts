import { MemoryBus } from '@cooperbench/builtins'
import { CONFIG_DEFAULTS } from '@cooperbench/config'
import { describe, expect, it } from 'vitest'
import type { TrajectoryMessage } from '../src/agent/trajectory.js'
import { ModelCallError } from '../src/llm/index.js'
import {
  agentWith,
  bash,
  contents,
  coopContext,
  fakeSandbox,
  hangingSandbox,
  harnessLimits,
  reply,
  runContext,
  SUBMIT,
  SUBMITTED,
  scriptedModel,
  toolCall,
} from './fakes.js'

const lastSave = (saves: unknown[][]) => saves.at(-1) as TrajectoryMessage[]
const toolContents = (messages: unknown[]) => (messages as TrajectoryMessage[]).filter((m) => m.role === 'tool').map((m) => m.content)

describe('mini_swe_agent loop: submission and totals', () => {
  it('runs commands in the repository until a command submits', async () => {
    const model = scriptedModel([
      bash('ls', { cost: 0.01, usage: { inputTokens: 1000, outputTokens: 50, cacheReadTokens: 800 } }),
      bash(SUBMIT, { cost: 0.02, usage: { inputTokens: 1200, outputTokens: 20, cacheWriteTokens: 100 } }),
    ])
    const sandbox = fakeSandbox()
    const result = await agentWith(model).run(runContext({ sandbox }))
    expect(result).toMatchObject({
      status: 'Submitted',
      steps: 2,
      input_tokens: 2200,
      output_tokens: 70,
      cache_read_tokens: 800,
      cache_write_tokens: 100,
      error: null,
    })
    expect(result.cost).toBeCloseTo(0.03)
    expect(result.costUnknown, 'every call priced').toBeUndefined()
    expect(sandbox.commands).toEqual(['ls', SUBMIT])
    expect(sandbox.options[0]).toMatchObject({ cwd: '/workspace/repo', timeoutMs: 3_600_000 })
  })

  it('offers exactly one tool, bash, whose only parameter is the string `command`', async () => {
    const model = scriptedModel([bash(SUBMIT)])
    await agentWith(model).run(runContext())
    expect(model.requests[0]?.tools).toEqual([
      expect.objectContaining({
        name: 'bash',
        parameters: { type: 'object', properties: { command: expect.objectContaining({ type: 'string' }) }, required: ['command'] },
      }),
    ])
  })

  it('does not submit when the marker command fails or the marker is not the first line', async () => {
    const sandbox = fakeSandbox((command) =>
      command === 'false-submit'
        ? { exitCode: 1, stdout: 'COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT\n' }
        : command === 'late'
          ? { stdout: 'x\nCOMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT\n' }
          : SUBMITTED,
    )
    const model = scriptedModel([bash('false-submit'), bash('late'), bash(SUBMIT)])
    const result = await agentWith(model).run(runContext({ sandbox }))
    expect(result).toMatchObject({ status: 'Submitted', steps: 3 })
  })

  it('runs several tool calls of one reply in order, each answered by its own tool message', async () => {
    const model = scriptedModel([bash(['echo one', 'echo two']), bash(SUBMIT)])
    const sandbox = fakeSandbox((command) => ({ stdout: command.startsWith('echo ') ? `${command.slice(5)}\n` : 'COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT\n' }))
    const result = await agentWith(model).run(runContext({ sandbox }))
    expect(sandbox.commands.slice(0, 2)).toEqual(['echo one', 'echo two'])
    const second = model.requests[1]!.messages
    const calls = second.find((m) => m.role === 'assistant')!.toolCalls!
    expect(second.filter((m) => m.role === 'tool').map((m) => [m.toolCallId, m.content])).toEqual([
      [calls[0]!.id, '<returncode>0</returncode>\n<output>\none\n</output>'],
      [calls[1]!.id, '<returncode>0</returncode>\n<output>\ntwo\n</output>'],
    ])
    expect(result.status).toBe('Submitted')
  })

  it('a call without a price makes the cost unknown: the result says so, the cost counts only priced calls, the message is flagged', async () => {
    const model = scriptedModel([bash('ls', { cost: 0.01 }), bash(SUBMIT, { cost: null })])
    const result = await agentWith(model).run(runContext())
    expect(result).toMatchObject({ cost: 0.01, costUnknown: true })
    const assistants = (result.messages as TrajectoryMessage[]).filter((m) => m.role === 'assistant')
    expect(assistants.map((m) => m.extra.cost_unknown)).toEqual([undefined, true])
  })
})

describe('mini_swe_agent loop: limits', () => {
  const forever = () => bash('ls')

  it('stops at the step limit with LimitsExceeded', async () => {
    const model = scriptedModel(Array.from({ length: 10 }, forever))
    const result = await agentWith(model).run(runContext({ options: { step_limit: 3 } }))
    expect(result).toMatchObject({ status: 'LimitsExceeded', steps: 3, error: null })
    expect(model.requests).toHaveLength(3)
    expect((result.messages as TrajectoryMessage[]).at(-1)).toMatchObject({ role: 'exit', content: 'step limit of 3 model calls reached' })
  })

  it('stops at the cost limit, overshooting by at most one call', async () => {
    const model = scriptedModel(Array.from({ length: 10 }, () => bash('ls', { cost: 0.01 })))
    const result = await agentWith(model).run(runContext({ options: { cost_limit: 0.025 } }))
    expect(result.status).toBe('LimitsExceeded')
    expect(result.steps).toBe(3)
    expect(result.cost).toBeGreaterThanOrEqual(0.025)
    expect(result.cost - 0.025).toBeLessThan(0.01)
  })

  it('asks the harness for the flat step_limit over the reference nesting, and for nothing when no option sets one', () => {
    expect(harnessLimits({ agent: { step_limit: 6 }, step_limit: 2 })).toMatchObject({ steps: 2, costUsd: CONFIG_DEFAULTS.costLimit })
    expect(harnessLimits({ agent: { step_limit: 6 } })).toMatchObject({ steps: 6 })
    expect(harnessLimits({})).toEqual({ steps: CONFIG_DEFAULTS.stepLimit, costUsd: CONFIG_DEFAULTS.costLimit, wallClockSeconds: null })
  })

  it("enforces ctx.limits alone: the run's step and cost limits win over every option", async () => {
    const options = { step_limit: 6 }
    const limited = await agentWith(scriptedModel(Array.from({ length: 10 }, forever)), { step_limit: 8 }).run(
      runContext({ options, limits: harnessLimits(options, { stepLimit: 3 }) }),
    )
    expect(limited.steps).toBe(3)
    const own = await agentWith(scriptedModel(Array.from({ length: 10 }, forever)), { step_limit: 8 }).run(runContext({ options: { step_limit: 4 } }))
    expect(own.steps).toBe(4)
  })

  it('ends a hanging command at the wall time limit with LimitsExceeded', async () => {
    const sandbox = hangingSandbox()
    const started = Date.now()
    const result = await agentWith(scriptedModel([bash('sleep 1000')]), { wall_time_limit_seconds: 0.2 }).run(runContext({ sandbox }))
    expect(result.status).toBe('LimitsExceeded')
    // The hanging command never ends by itself, so finishing proves the limit fired; under 20 s also catches 0.2 s taken as 200.
    expect(Date.now() - started).toBeLessThan(20_000)
    expect((result.messages as TrajectoryMessage[]).at(-1)?.content).toBe('wall time limit of 0.2 s reached')
  })

  it("treats the harness' wall-clock timeout on ctx.signal as LimitsExceeded too", async () => {
    const sandbox = hangingSandbox()
    const result = await agentWith(scriptedModel([bash('sleep 1000')])).run(runContext({ sandbox, signal: AbortSignal.timeout(100) }))
    expect(result).toMatchObject({ status: 'LimitsExceeded', steps: 1 })
  })
})

describe('mini_swe_agent loop: format errors', () => {
  it('answers every kind of unusable reply, counting each as a step', async () => {
    const model = scriptedModel([
      reply([], { text: 'I think I am done.' }),
      reply([toolCall('python', '{"code": "1"}')]),
      reply([toolCall('bash', '{"command": ')]),
      reply([toolCall('bash', '{"cmd": "ls"}')]),
      bash(SUBMIT),
    ])
    const result = await agentWith(model).run(runContext())
    expect(result).toMatchObject({ status: 'Submitted', steps: 5 })
    const messages = result.messages as TrajectoryMessage[]
    const errors = messages.filter((m) => m.extra.format_error)
    expect(errors.map((m) => m.role)).toEqual(['user', 'tool', 'tool', 'tool'])
    expect(errors[0]?.content).toMatch(/^Format error: your reply contained no tool call/)
    expect(errors[1]?.content).toContain('there is no tool named "python"')
    expect(errors[2]?.content).toContain('not valid JSON')
    expect(errors[3]?.content).toContain('no `command` argument')
    for (const error of errors) expect(error.content).toContain('echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT')
  })

  it('stops after format_error_limit consecutive unusable replies', async () => {
    const model = scriptedModel([reply([]), bash('ls'), reply([]), reply([]), bash(SUBMIT)])
    const result = await agentWith(model, { format_error_limit: 2 }).run(runContext())
    expect(result).toMatchObject({ status: 'LimitsExceeded', steps: 4 })
  })
})

describe('mini_swe_agent loop: observations', () => {
  it('shows long output as head and tail with the elided count', async () => {
    const sandbox = fakeSandbox((command) => (command === SUBMIT ? SUBMITTED : { stdout: `${'h'.repeat(8000)}${'t'.repeat(8000)}` }))
    const result = await agentWith(scriptedModel([bash('cat big'), bash(SUBMIT)])).run(runContext({ sandbox }))
    const [observation] = toolContents(result.messages)
    expect(observation).toContain(`${'h'.repeat(5000)}\n[... 6000 characters elided ...]\n${'t'.repeat(5000)}`)
    expect(observation).not.toContain('h'.repeat(5001))
  })

  it('reports a timed-out command with return code -1, its partial output and a note', async () => {
    const sandbox = fakeSandbox((command) => (command === SUBMIT ? SUBMITTED : { exitCode: -1, timedOut: true, stdout: 'partial output\n' }))
    const result = await agentWith(scriptedModel([bash('pytest'), bash(SUBMIT)]), { command_timeout_seconds: 5 }).run(runContext({ sandbox }))
    expect(sandbox.options[0]?.timeoutMs).toBe(5000)
    const [observation] = toolContents(result.messages)
    expect(observation).toMatch(/^<returncode>-1<\/returncode>\n<warning>The command was killed after 5 s/)
    expect(observation).toContain('partial output')
  })
})

describe('mini_swe_agent loop: messaging', () => {
  const pair = async () => {
    const bus = new MemoryBus()
    const agent1 = await bus.open('run:1', 'agent1', ['agent2'])
    const agent2 = await bus.open('run:1', 'agent2', ['agent1'])
    return { bus, agent1, agent2 }
  }

  it('delivers a message sent before the first step as a user message before the first model call', async () => {
    const { agent1, agent2 } = await pair()
    await agent1.send('agent2', 'I take loaders.py')
    const model = scriptedModel([bash(SUBMIT)])
    await agentWith(model).run(coopContext(agent2))
    const first = model.requests[0]!.messages
    expect(first.at(-1)).toEqual({ role: 'user', content: '[Message from agent1]: I take loaders.py' })
  })

  it('injects messages that arrive during a step before the next model call, oldest first', async () => {
    const { agent1, agent2 } = await pair()
    const sandbox = fakeSandbox(async (command) => {
      if (command === 'ls') {
        await agent2.send('agent1', 'first')
        await agent2.send('agent1', 'second')
        return { stdout: 'a.py\n' }
      }
      return SUBMITTED
    })
    const model = scriptedModel([bash('ls'), bash(SUBMIT)])
    await agentWith(model).run(coopContext(agent1, { sandbox }))
    expect(contents(model.requests[1]).slice(-3)).toEqual([
      '<returncode>0</returncode>\n<output>\na.py\n</output>',
      '[Message from agent2]: first',
      '[Message from agent2]: second',
    ])
    expect(model.requests[1]!.messages.at(-1)?.role).toBe('user')
  })

  it('sends `send_message` through the bus, never through the sandbox, and runs the rest of the command', async () => {
    const { bus, agent1 } = await pair()
    const sandbox = fakeSandbox((command) => (command === 'ls' ? { stdout: 'a.py\n' } : SUBMITTED))
    const model = scriptedModel([bash(`send_message agent2 <<'MSG'\nI edit a.py only.\nMSG`), bash('send_message agent2 "done" && ls'), bash(SUBMIT)])
    const result = await agentWith(model).run(coopContext(agent1, { sandbox }))
    expect(sandbox.commands).toEqual(['ls', SUBMIT])
    expect((await bus.transcript('run:1')).map((m) => [m.from, m.to, m.content])).toEqual([
      ['agent1', 'agent2', 'I edit a.py only.'],
      ['agent1', 'agent2', 'done'],
    ])
    expect(toolContents(result.messages).slice(0, 2)).toEqual([
      '<returncode>0</returncode>\n<output>\nMessage sent to agent2\n</output>',
      '<returncode>0</returncode>\n<output>\nMessage sent to agent2\na.py\n</output>',
    ])
  })

  it('tells the sender that a finished recipient will not read the message', async () => {
    const { agent1, agent2 } = await pair()
    await agent2.finish()
    const result = await agentWith(scriptedModel([bash('send_message agent2 "are you there?"'), bash(SUBMIT)])).run(coopContext(agent1))
    expect(toolContents(result.messages)[0]).toContain('agent2 has already finished and will not read this message.')
  })

  it('reports an unknown recipient in the observation with a non-zero return code', async () => {
    const { agent1 } = await pair()
    const result = await agentWith(scriptedModel([bash('send_message agent7 "hi"'), bash(SUBMIT)])).run(coopContext(agent1))
    expect(toolContents(result.messages)[0]).toMatch(/^<returncode>1<\/returncode>[\s\S]*"agent7" is not a teammate/)
  })

  it('`--wait` returns the reply in the same observation', async () => {
    const { agent1, agent2 } = await pair()
    const model = scriptedModel([bash('send_message --wait agent2 "may I edit utils.py?"'), bash(SUBMIT)])
    const replying = (async () => {
      const [question] = await agent2.waitForMessages('agent1', 5000)
      await agent2.send('agent1', `yes (re: ${question?.content})`)
    })()
    const result = await agentWith(model).run(coopContext(agent1))
    await replying
    expect(toolContents(result.messages)[0]).toBe(
      '<returncode>0</returncode>\n<output>\nMessage sent to agent2\n[Reply from agent2]: yes (re: may I edit utils.py?)\n</output>',
    )
  })

  it('`--wait` says when no reply arrived in time', async () => {
    const { agent1 } = await pair()
    const result = await agentWith(scriptedModel([bash('send_message --wait agent2 "ping"'), bash(SUBMIT)]), {}, 50).run(coopContext(agent1))
    expect(toolContents(result.messages)[0]).toContain('No reply from agent2 within 0.05 s.')
  })

  it('without a mailbox, neither prompts nor intercepts send_message', async () => {
    const sandbox = fakeSandbox((command) => (command === SUBMIT ? SUBMITTED : { exitCode: 127, stderr: 'bash: send_message: command not found\n' }))
    const model = scriptedModel([bash('send_message agent2 "hi"'), bash(SUBMIT)])
    const result = await agentWith(model).run(runContext({ agentId: 'agent1', peers: ['agent2'], sandbox }))
    expect(sandbox.commands[0]).toBe('send_message agent2 "hi"')
    expect(toolContents(result.messages)[0]).toContain('command not found')
    expect(contents(model.requests[0]).join('\n')).not.toContain('send_message')
  })

  it('answers an unreadable send_message without running anything', async () => {
    const { agent1 } = await pair()
    const sandbox = fakeSandbox()
    const result = await agentWith(scriptedModel([bash('ls && send_message agent2 hello'), bash(SUBMIT)])).run(coopContext(agent1, { sandbox }))
    expect(sandbox.commands).toEqual([SUBMIT])
    expect(toolContents(result.messages)[0]).toMatch(/^<returncode>2<\/returncode>[\s\S]*send_message could not be understood/)
  })
})

describe('mini_swe_agent loop: prompt', () => {
  const prompt = async (overrides: Parameters<typeof runContext>[0]) => {
    const model = scriptedModel([bash(SUBMIT)])
    await agentWith(model).run(runContext(overrides))
    const [system, task] = contents(model.requests[0])
    return { system: system ?? '', task: task ?? '' }
  }

  it('solo: the task, workflow, rules and submission; no teammates, messaging or git', async () => {
    const { system, task } = await prompt({})
    expect(system).toMatch(/solves programming tasks/)
    expect(task).toContain('## Your task\n\nAdd a --verbose flag to the CLI.')
    for (const heading of ['## Recommended workflow', '## Command rules', '## Useful commands', '## Submitting']) expect(task).toContain(heading)
    for (const absent of ['teammate', 'send_message', 'git remote']) expect(task).not.toContain(absent)
    expect(task).toContain('echo COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT')
    expect(task).toMatch(/collected automatically/)
    expect(task).toMatch(/Delete every scratch file/)
    expect(task).toMatch(/`patch.txt` is optional/)
  })

  it('coop with messaging: ids, merge rules, and how to message (incl. --wait)', async () => {
    const bus = new MemoryBus()
    const mailbox = await bus.open('run:1', 'agent1', ['agent2'])
    const { system, task } = await prompt({ agentId: 'agent1', peers: ['agent2'], mailbox })
    expect(system).toMatch(/teammate/)
    expect(task).toContain('You are **agent1**. Your teammate is **agent2**.')
    expect(task).toContain('## Messaging')
    expect(task).toContain("send_message agent2 <<'MSG'")
    expect(task).toContain('send_message --wait agent2')
    expect(task).toContain('[Message from agent2]: …')
    expect(task).not.toContain('## Shared git remote')
  })

  it('coop without messaging: no messaging section, and says so', async () => {
    const { task } = await prompt({ agentId: 'agent2', peers: ['agent1'] })
    expect(task).toContain('You are **agent2**. Your teammate is **agent1**.')
    expect(task).not.toContain('send_message')
    expect(task).toContain('no way to send messages')
  })

  it('has the read-only git section only with ctx.git', async () => {
    const { task } = await prompt({ agentId: 'agent1', peers: ['agent2'], git: { remote: 'team', url: 'git://x/repo.git' } })
    expect(task).toContain('## Shared git remote (read-only)')
    expect(task).toContain('git diff HEAD...team/agent2 -- <file>')
    expect(task).toContain('git merge --abort')
    expect(task).toContain('git push team agent1')
  })
})

describe('mini_swe_agent loop: trajectory', () => {
  it('with a recorder that appends, hands it each message once: the appends joined are the trajectory', async () => {
    const appends: unknown[][] = []
    const ctx = runContext()
    ctx.recorder.append = async (messages) => {
      appends.push(structuredClone(messages))
    }
    const result = await agentWith(scriptedModel([bash('ls'), reply([]), bash(SUBMIT)])).run(ctx)
    expect(ctx.saves).toEqual([])
    expect(appends.map((a) => a.length)).toEqual([2, 2, 2, 2, 1])
    expect(appends.flat()).toEqual(result.messages)
  })

  it('is saved after every step, with per-message cost and usage, ending in an exit message', async () => {
    const ctx = runContext()
    const result = await agentWith(scriptedModel([bash('ls', { cost: 0.5 }), reply([]), bash(SUBMIT, { cost: 0.25 })])).run(ctx)
    // the prompt, three steps, and the exit
    expect(ctx.saves).toHaveLength(5)
    expect(ctx.saves.map((s) => s.length)).toEqual([2, 4, 6, 8, 9])
    const messages = lastSave(ctx.saves)
    expect(messages).toEqual(result.messages)
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'user', 'assistant', 'tool', 'exit'])
    for (const m of messages) {
      expect(typeof m.content).toBe('string')
      expect(typeof m.extra.timestamp).toBe('number')
      expect(Object.keys(m.extra.usage)).toEqual(['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens'])
    }
    expect(messages[2]).toMatchObject({
      role: 'assistant',
      tool_calls: [{ type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } }],
      extra: { cost: 0.5, usage: { input_tokens: 100, output_tokens: 10 }, actions: [{ command: 'ls' }], response: { id: 'resp' } },
    })
    expect(messages[3]).toMatchObject({ role: 'tool', tool_call_id: messages[2]!.tool_calls![0]!.id, extra: { returncode: 0, cost: 0 } })
    expect(messages.at(-1)).toMatchObject({ role: 'exit', extra: { exit_status: 'Submitted', submission: '' } })
    expect(messages.reduce((sum, m) => sum + m.extra.cost, 0)).toBeCloseTo(result.cost)
  })
})

describe('mini_swe_agent loop: failures and aborts', () => {
  it('ends with Error and the message when the model call fails after retries', async () => {
    const result = await agentWith(scriptedModel([bash('ls'), new Error('401 invalid api key')])).run(runContext())
    expect(result).toMatchObject({ status: 'Error', steps: 1, error: 'model call failed: 401 invalid api key' })
    expect((result.messages as TrajectoryMessage[]).at(-1)).toMatchObject({ role: 'exit', extra: { exit_status: 'Error' } })
    expect(result.failure).toBe('agent')
  })

  it("a provider that stays down (5xx, unreachable, rate limit, too slow), refuses the key or does not speak the API is an infrastructure failure, not the agent's", async () => {
    const cases = [
      ['server', 'infra'],
      ['connection', 'infra'],
      ['rate-limit', 'infra'],
      ['timeout', 'infra'],
      ['auth', 'infra'],
      ['protocol', 'infra'],
      ['context-length', 'agent'],
      ['bad-request', 'agent'],
    ] as const
    for (const [kind, expected] of cases) {
      const failure = new ModelCallError({ model: 'm', message: `m: ${kind}`, kind, status: undefined, attempts: 3, transient: expected === 'infra' })
      const result = await agentWith(scriptedModel([failure])).run(runContext())
      expect(result.status, kind).toBe('Error')
      expect(result.failure, kind).toBe(expected)
    }
  })

  it('lets a sandbox failure throw after recording it', async () => {
    const ctx = runContext({ sandbox: fakeSandbox(() => Promise.reject(new Error('container vanished'))) })
    await expect(agentWith(scriptedModel([bash('ls')])).run(ctx)).rejects.toThrow('container vanished')
    expect(lastSave(ctx.saves).at(-1)).toMatchObject({ role: 'exit', content: 'container vanished', extra: { exit_status: 'Error' } })
  })

  it('stops promptly and rethrows when ctx.signal aborts', async () => {
    const controller = new AbortController()
    const sandbox = hangingSandbox()
    const model = scriptedModel(Array.from({ length: 5 }, () => bash('sleep 1000')))
    setTimeout(() => controller.abort(new Error('interrupted')), 50)
    const started = Date.now()
    await expect(agentWith(model).run(runContext({ sandbox, signal: controller.signal }))).rejects.toThrow('interrupted')
    expect(Date.now() - started).toBeLessThan(20_000)
    expect(model.requests).toHaveLength(1)
  })

  it('passes the abort signal to the model call', async () => {
    const controller = new AbortController()
    const model = scriptedModel([
      (request) =>
        new Promise((_resolve, reject) => {
          request.signal?.addEventListener('abort', () => reject(request.signal?.reason), { once: true })
          controller.abort(new Error('interrupted'))
        }),
    ])
    await expect(agentWith(model).run(runContext({ signal: controller.signal }))).rejects.toThrow('interrupted')
  })
})
