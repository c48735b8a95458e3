import { MemoryBus } from '@cooperbench/builtins'
import type { ChatModelOptions, TrajectoryMessage } from '@cooperbench/agent-mini-swe'
import { type Coordination, NO_COORDINATION } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { agentWith, BASE_COMMIT, call, fakeSandbox, reply, runContext, scriptedModel } from './support/fakes.js'
import { UPSTREAM_MISSING, upstreamOptions } from './support/upstream.js'
import { SweAgent } from '../src/index.js'

/** `submit` as review_on_submit_m answers it: the review message first, then the submission mark. */
function submitTwice(): (command: string) => { stdout: string } | Record<string, never> {
  let calls = 0
  return (command) => {
    if (command !== 'submit') return {}
    calls += 1
    return { stdout: calls === 1 ? 'Please review your changes.\n' : '<<SWE_AGENT_SUBMISSION>>\ndiff\n<<SWE_AGENT_SUBMISSION>>\n' }
  }
}

const PATCH = { '/root/model.patch': 'diff --git a/x b/x\n' }
const contents = (request: { messages: Array<{ content: string }> } | undefined) => request?.messages.map((m) => m.content) ?? []
const exitOf = (messages: unknown[]) => (messages.at(-1) as TrajectoryMessage).extra

describe.skipIf(UPSTREAM_MISSING)("SWE-agent's loop (DefaultAgent, SWE-agent 1.1) with upstream's default.yaml", () => {
  it('submits on the second `submit` (the review step) with /root/model.patch as the submission; the harness still takes the working tree', async () => {
    const model = scriptedModel([call('submit'), call('submit')])
    const result = await agentWith(model).run(runContext(upstreamOptions('default'), { sandbox: fakeSandbox(submitTwice(), PATCH) }))
    expect(result).toMatchObject({ status: 'Submitted', steps: 2, error: null })
    expect(contents(model.requests[1]).at(-1)).toBe('OBSERVATION:\nPlease review your changes.\n')
    expect(exitOf(result.messages)).toMatchObject({ exit_status: 'Submitted', swe_agent_exit_status: 'submitted', submission: PATCH['/root/model.patch'] })
  })

  it('asks its model client for requests as LiteLLM (SWE-agent’s client) writes them, without tool_choice', async () => {
    const asked: ChatModelOptions[] = []
    const model = scriptedModel([call('submit'), call('submit')])
    const agent = new SweAgent({ createModel: (options) => (asked.push(options), model) })
    await agent.run(runContext(upstreamOptions('default'), { sandbox: fakeSandbox(submitTwice(), PATCH) }))
    expect(asked).toEqual([expect.objectContaining({ sendsToolChoice: false, liteLlmBodies: true })])
  })

  it("marks the last two user/tool messages as SWE-agent's cache_control processor does; a message once marked keeps its list content", async () => {
    const script = () => scriptedModel([call('bash', { command: 'ls' }), call('submit'), call('submit')])
    const marks = (model: ReturnType<typeof scriptedModel>) => model.requests.map((r) => r.messages.map((m) => m.cacheControl ?? '-'))
    const model = script()
    await agentWith(model).run(runContext(upstreamOptions('default'), { sandbox: fakeSandbox(submitTwice(), PATCH) }))
    expect(marks(model)).toEqual([
      ['-', 'part'],
      ['-', 'part', '-', 'message'],
      ['-', 'cleared', '-', 'message', '-', 'message'],
    ])
    expect(model.requests.every((r) => r.promptCache === 'marked')).toBe(true)
    // Upstream's adapter drops the processor for Gemini: no marks, nor the client's own.
    const gemini = script()
    await agentWith(gemini).run(runContext(upstreamOptions('default'), { model: 'gemini/gemini-2.5-pro', sandbox: fakeSandbox(submitTwice(), PATCH) }))
    expect(
      marks(gemini)
        .flat()
        .every((mark) => mark === '-'),
    ).toBe(true)
    expect(gemini.requests.every((r) => r.promptCache === 'marked')).toBe(true)
  })

  it("hands evaluation the patch upstream's adapter takes: the tree against HEAD at the start, whitespace stripped at both ends", async () => {
    // A last blank context line (" ") goes with the strip, as in upstream's.
    const diff = 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,3 @@\n+new\n a\n \n'
    const files = { ...PATCH, '/tmp/cooperbench-swe-agent.patch': diff }
    for (const script of [
      [call('submit'), call('submit')],
      [reply([]), reply([]), reply([])],
    ]) {
      const sandbox = fakeSandbox(submitTwice(), files)
      const result = await agentWith(scriptedModel(script)).run(runContext(upstreamOptions('default'), { sandbox }))
      expect(result).toMatchObject({ submittedPatch: 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,3 @@\n+new\n a', submittedPatchSource: 'adapter_diff' })
      expect(sandbox.inputs).toContain(
        `bash -lc git add -A && git diff ${BASE_COMMIT} > /tmp/cooperbench-swe-agent.patch && wc -c < /tmp/cooperbench-swe-agent.patch`,
      )
    }
    // Where the diff cannot be taken, SWE-agent's submission, stripped.
    const result = await agentWith(scriptedModel([call('submit'), call('submit')])).run(
      runContext(upstreamOptions('default'), { sandbox: fakeSandbox(submitTwice(), PATCH) }),
    )
    expect(result.submittedPatch).toBe('diff --git a/x b/x')
  })

  it('answers a reply without a tool call with the format error template and asks again from the history without it', async () => {
    const model = scriptedModel([reply([], { text: 'I think I am done.' }), call('submit'), call('submit')])
    const result = await agentWith(model).run(runContext(upstreamOptions('default'), { sandbox: fakeSandbox(submitTwice(), PATCH) }))
    expect(result).toMatchObject({ status: 'Submitted', steps: 3 })
    const [, retry, next] = model.requests
    expect(retry!.messages.slice(2).map((m) => [m.role, m.content.split('\n')[0]])).toEqual([
      ['assistant', 'I think I am done.'],
      ['user', 'Your last output did not use any tool calls!'],
    ])
    // Once a reply runs, the failed attempt is gone from what the model is sent (it stays in the trajectory).
    expect(next!.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool'])
    expect((result.messages as TrajectoryMessage[]).filter((m) => m.extra.format_error).length).toBe(2)
  })

  it('after max_requeries (3) unusable replies in a row it exits (exit_format) and submits the working tree itself', async () => {
    const model = scriptedModel([reply([]), call('bash', '{oops'), call('nope')])
    const result = await agentWith(model).run(runContext(upstreamOptions('default'), { sandbox: fakeSandbox(() => ({}), PATCH) }))
    expect(result).toMatchObject({ status: 'Error', steps: 3, error: 'Exit due to repeated format/blocklist/bash syntax errors', failure: 'agent' })
    expect(exitOf(result.messages)).toMatchObject({ swe_agent_exit_status: 'submitted (exit_format)', submission: PATCH['/root/model.patch'] })
    expect(contents(model.requests[2]).at(-1)).toBe('Your action could not be parsed properly: Tool call arguments are not valid JSON..\n')
  })

  it('counts the call that crosses the cost or step limit and stops there, as SWE-agent checks after each call', async () => {
    for (const limits of [
      { steps: 0, costUsd: 0.025, wallClockSeconds: null },
      { steps: 2, costUsd: 0, wallClockSeconds: null },
    ]) {
      const model = scriptedModel([call('bash', { command: 'ls' }), call('bash', { command: 'ls' }), call('bash', { command: 'ls' })])
      const result = await agentWith(model).run(runContext(upstreamOptions('default'), { limits }))
      expect(result).toMatchObject({ status: 'LimitsExceeded', steps: 3, error: null })
      expect(result.cost).toBeCloseTo(0.03)
      expect(exitOf(result.messages)).toMatchObject({ swe_agent_exit_status: 'exit_cost' })
    }
  })

  it('stops at the first call it cannot price under a cost limit (SWE-agent refuses it), the error not the agent’s', async () => {
    const model = scriptedModel([call('submit', {}, { cost: null })])
    const result = await agentWith(model).run(runContext(upstreamOptions('default'), { limits: { steps: 0, costUsd: 0.5, wallClockSeconds: null } }))
    expect(result).toMatchObject({ status: 'Error', steps: 0, failure: 'infra' })
    expect(result.error).toMatch(/no price is known for model fake\/model.*--cost-limit 0/)
  })

  it('without a cost limit runs on past a call it cannot price: the cost is unknown, the priced calls counted, never $0', async () => {
    const model = scriptedModel([call('bash', { command: 'ls' }), call('submit', {}, { cost: null }), call('submit')])
    const result = await agentWith(model).run(runContext(upstreamOptions('default'), { sandbox: fakeSandbox(submitTwice(), PATCH) }))
    expect(result).toMatchObject({ status: 'Submitted', steps: 3, costUnknown: true })
    expect(result.cost).toBeCloseTo(0.02)
    const priced = await agentWith(scriptedModel([call('submit'), call('submit')])).run(
      runContext(upstreamOptions('default'), { sandbox: fakeSandbox(submitTwice(), PATCH) }),
    )
    expect(priced.costUnknown).toBeUndefined()
    expect(priced.cost).toBeCloseTo(0.02)
  })

  it('ends an agent whose first messages hide its task on this pair with Error, failure infra (the pair is not judged), before any model call', async () => {
    // Passes the preflight (its task is a placeholder), hides the task from every real one.
    const options = upstreamOptions('default')
    const templates = (options['agent'] as { templates: Record<string, unknown> }).templates
    templates['instance_template'] = "{% if 'preflight placeholder' in problem_statement %}{{problem_statement}}{% endif %}Fix it."
    const preflight = { model: 'openai/gpt-4o', options, limits: { steps: 0, costUsd: 0, wallClockSeconds: null } }
    await expect(agentWith(scriptedModel([])).preflight(preflight)).resolves.toBeUndefined()
    const model = scriptedModel([call('submit'), call('submit')])
    const result = await agentWith(model).run(runContext(options, { sandbox: fakeSandbox(submitTwice(), PATCH) }))
    expect(result).toMatchObject({ status: 'Error', failure: 'infra', steps: 0, cost: 0 })
    expect(result.error).toMatch(/instance_template of .* never show the task with this pair's values: .*; it did not start\. Put \{\{problem_statement\}\}/)
    expect(model.requests).toEqual([])
    // What was rendered is kept: the trajectory shows what the agent would have been sent, and why it stopped.
    expect((result.messages as TrajectoryMessage[]).map((m) => m.role)).toEqual(['system', 'user', 'exit'])
    expect((result.messages as TrajectoryMessage[])[1]!.content).toBe('Fix it.')
    expect(exitOf(result.messages)).toMatchObject({ exit_status: 'Error', swe_agent_exit_status: 'exit_error', submission: '' })
  })

  it("refuses what SWE-agent's blocklist refuses, as it matches it (`vim` is refused, `vim x.py` is not)", async () => {
    const model = scriptedModel([call('bash', { command: 'vim' }), call('bash', { command: 'vim x.py' }), call('submit'), call('submit')])
    const ran: string[] = []
    const answer = submitTwice()
    await agentWith(model).run(runContext(upstreamOptions('default'), { sandbox: fakeSandbox((c) => (ran.push(c), answer(c)), PATCH) }))
    expect(contents(model.requests[1]).at(-1)).toBe("Operation 'vim' is not supported by this environment.")
    expect(ran).toEqual(['vim x.py', 'submit', 'submit'])
  })

  it('shows empty and long outputs through their templates (max_observation_length, in code points)', async () => {
    const options = upstreamOptions('default')
    ;(options['agent'] as { templates: Record<string, unknown> }).templates.max_observation_length = 10
    const answers: Record<string, { stdout: string }> = { quiet: { stdout: ' \n' }, loud: { stdout: '😀'.repeat(25) } }
    const model = scriptedModel(['quiet', 'loud'].map((command) => call('bash', { command })))
    await agentWith(model)
      .run(runContext(options, { sandbox: fakeSandbox((c) => answers[c] ?? {}) }))
      .catch(() => {})
    expect(contents(model.requests[1]).at(-1)).toBe('Your command ran successfully and did not produce any output.')
    expect(contents(model.requests[2]).at(-1)).toMatch(
      /^Observation: (😀){10}<response clipped><NOTE>Observations should not exceeded 10 characters\. 15 characters were elided\./u,
    )
  })

  it('answers a command that timed out with its template, and ends the run after three in a row', async () => {
    const model = scriptedModel([call('bash', { command: 'sleep 999' }), call('bash', { command: 'sleep 999' }), call('bash', { command: 'sleep 999' })])
    const result = await agentWith(model).run(runContext(upstreamOptions('default'), { sandbox: fakeSandbox(() => ({ timedOut: true, exitCode: -1 })) }))
    expect(result).toMatchObject({ status: 'Error', steps: 3, error: 'Exit due to multiple consecutive command timeouts' })
    expect(contents(model.requests[1]).at(-1)).toMatch(/^OBSERVATION:\nThe command 'sleep 999' was cancelled because it took more than 120 seconds\./)
  })

  it('ends at its start, before any model call, when the image lacks the python3 the tools start with', async () => {
    const model = scriptedModel([])
    const sandbox = fakeSandbox(() => ({}), {}, 'missing python3\nroot-writable\n')
    const error = await agentWith(model)
      .run(runContext(upstreamOptions('default'), { sandbox }))
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'TASK_UNSUPPORTED', message: expect.stringContaining('the task image has no python3') })
    expect(model.requests).toEqual([])
  })

  it('with last_n_observations, replaces all but the instance and the last n observations by their line count', async () => {
    const options = upstreamOptions('default')
    ;(options['agent'] as Record<string, unknown>)['history_processors'] = [{ type: 'last_n_observations', n: 1 }]
    const model = scriptedModel([1, 2, 3, 4].map((i) => call('bash', { command: `echo ${i}` })))
    await agentWith(model)
      .run(runContext(options, { sandbox: fakeSandbox((c) => ({ stdout: `${c.slice(5)}\n` })) }))
      .catch(() => {})
    expect(contents(model.requests[3]).filter((_, i) => i % 2 === 1)).toEqual([
      expect.stringContaining('<uploaded_files>'),
      'Old environment output: (2 lines omitted)',
      'Old environment output: (2 lines omitted)',
      'OBSERVATION:\n3\n',
    ])
  })
})

describe.skipIf(UPSTREAM_MISSING)("send_message with upstream's coop.yaml", () => {
  /** agent1 of a pair on a memory bus, agent2's mailbox to read what it got; a teammate's message waits before agent1 starts. */
  async function pairOnBus() {
    const bus = new MemoryBus()
    const mailbox = await bus.open('run:loop', 'agent1', ['agent2'])
    const teammate = await bus.open('run:loop', 'agent2', ['agent1'])
    await teammate.send('agent1', 'sent before agent1 started: upstream clears it')
    const submit = submitTwice()
    const sandbox = fakeSandbox((c) => (c === 'echo done' ? { stdout: 'done\n' } : submit(c)), PATCH)
    return {
      teammate,
      sandbox,
      ctx: (extra: Record<string, unknown> = {}) => runContext(upstreamOptions('coop', extra), { agentId: 'agent1', peers: ['agent2'], mailbox, sandbox }),
    }
  }

  it("reads a send_message call on the command line SWE-agent builds from it, as upstream's adapter does: the quotes reach the teammate, a quote in the message cuts it and the rest runs in bash", async () => {
    const { teammate, sandbox, ctx } = await pairOnBus()
    const model = scriptedModel([
      async () => {
        await teammate.send('agent1', 'I take cli.py')
        return call('send_message', { recipient: 'agent2', message: 'Fine, utils.py is mine' })
      },
      call('send_message', { recipient: 'agent2', message: 'You own "cli.py"' }),
      call('send_message', { recipient: 'agent9', message: 'hello?' }),
      call('bash', { command: 'send_message agent2 "typed in bash" && echo done' }),
      call('submit'),
      call('submit'),
    ])
    const result = await agentWith(model).run(ctx())
    expect(result.status).toBe('Submitted')
    // `send_message agent2 "'Fine, utils.py is mine'"`, then `send_message agent2 "'You own "cli.py"'"`: cut at its second `"`.
    expect((await teammate.receive()).map((m) => m.content)).toEqual(["'Fine, utils.py is mine'", "'You own ", 'typed in bash'])
    expect(contents(model.requests[1]).slice(-2)).toEqual(['OBSERVATION:\nMessage sent to agent2', '[Message from agent2]: I take cli.py'])
    expect(contents(model.requests[2]).at(-1)).toBe('OBSERVATION:\nMessage sent to agent2\n')
    expect(sandbox.inputs).toContain(`cli.py"'"`)
    expect(contents(model.requests[3]).at(-1)).toBe("OBSERVATION:\nError: Unknown agent 'agent9'. Available agents: agent1, agent2")
    expect(contents(model.requests[4]).at(-1)).toBe('OBSERVATION:\nMessage sent to agent2\ndone\n')
    expect(JSON.stringify(model.requests)).not.toContain('sent before agent1 started')
  })

  it('with send_message: whole, delivers the call’s message argument as it is, never to bash', async () => {
    const { teammate, sandbox, ctx } = await pairOnBus()
    const model = scriptedModel([call('send_message', { recipient: 'agent2', message: 'You own "cli.py"' }), call('submit'), call('submit')])
    expect((await agentWith(model).run(ctx({ send_message: 'whole' }))).status).toBe('Submitted')
    expect((await teammate.receive()).map((m) => m.content)).toEqual(['You own "cli.py"'])
    expect(contents(model.requests[1]).at(-1)).toBe('OBSERVATION:\nMessage sent to agent2')
    // Only the tools' installation names send_message (SWE-agent checks each tool is on PATH).
    expect(sandbox.inputs.filter((input) => input.includes('send_message'))).toEqual([expect.stringContaining('command -v send_message')])
  })
})

describe.skipIf(UPSTREAM_MISSING)("the seat's briefing (all swe_agent takes of a setting), with upstream's default.yaml", () => {
  const seat = (coordination: Partial<Coordination>, sandbox = fakeSandbox(submitTwice(), PATCH)) =>
    runContext(upstreamOptions('default'), { sandbox, coordination: { ...NO_COORDINATION, ...coordination } })

  it("appends the briefing to the problem statement after a rule: upstream's block, else the sections", async () => {
    const sections = [{ title: 'Your role', body: 'LEAD agent1.' }]
    for (const [upstream, block] of [
      ['LEAD agent1 over `agent2`.', 'LEAD agent1 over `agent2`.'],
      [null, '## Your role\n\nLEAD agent1.'],
    ] as const) {
      const model = scriptedModel([call('submit'), call('submit')])
      await agentWith(model).run(seat({ briefing: { sections, upstream } }))
      expect(contents(model.requests[0])[1]).toContain(`Add a \`--verbose\` flag to the CLI.\n\n---\n\n${block}`)
    }
  })
})
