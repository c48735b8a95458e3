import { MemoryBus } from '@cooperbench/builtins'
import { isCooperbenchError } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { describe, expect, it } from 'vitest'
import type { TrajectoryMessage } from '../src/agent/trajectory.js'
import { ModelCallError } from '../src/llm/index.js'
import { agentWith, bash, contents, coopContext, type ExecHandler, fakeSandbox, reply, runContext, SUBMIT, scriptedModel, toolCall } from './fakes.js'

/** A configuration in the reference's format, with templates of our own. */
function config(overrides: { agent?: object; model?: object; environment?: object } = {}) {
  return {
    agent: { system_template: 'sys {{ agent_id }}', instance_template: 'task: {{ task }}', step_limit: 0, cost_limit: 3, ...overrides.agent },
    environment: { env: { PAGER: 'cat' }, ...overrides.environment },
    model: {
      cost_tracking: 'ignore_errors',
      observation_template: '{{ output.returncode }}|{{ output.output }}|{{ output.exception_info }}',
      format_error_template: 'bad: {{ error }}',
      ...overrides.model,
    },
  }
}

/** The command a reference-protocol exec carries (its last argv element). */
const commandOf = (text: string) => /^bash -c exec 2>&1; exec bash -lc "\$1" bash ([\s\S]*)$/.exec(text)?.[1] ?? text

function sandbox(handler: (command: string) => ReturnType<ExecHandler> = () => ({})) {
  return fakeSandbox((text, options) => {
    const command = commandOf(text)
    if (command === SUBMIT) return { stdout: 'COMPLETE_TASK_AND_SUBMIT_FINAL_OUTPUT\n' }
    if (command === 'cat patch.txt 2>/dev/null') return { exitCode: 1 }
    return handler(command, options)
  })
}

const exitOf = (messages: unknown[]) => (messages as TrajectoryMessage[]).at(-1)

describe("mini_swe_agent under the reference's configuration", () => {
  it('clears the inbox when it starts, then delivers messages before each step', async () => {
    const bus = new MemoryBus()
    const [one, two] = await Promise.all([bus.open('run:x', 'agent1', ['agent2']), bus.open('run:x', 'agent2', ['agent1'])])
    await two.send('agent1', 'sent before agent1 started')
    const model = scriptedModel([
      async () => {
        await two.send('agent1', 'sent while agent1 works')
        return bash('ls')
      },
      bash(SUBMIT),
    ])
    await agentWith(model, config()).run(coopContext(one, { sandbox: sandbox(), options: config() }))
    expect(contents(model.requests[0])).toEqual(['sys agent1', 'task: Add a --verbose flag to the CLI.'])
    expect(contents(model.requests[1])).toContain('[Message from agent2]: sent while agent1 works')
    expect(contents(model.requests[1]).join('\n')).not.toContain('sent before agent1 started')
  })

  it('sets environment.env on every command, stderr into stdout; forward_env has no effect, as in the reference (its adapter drops it)', async () => {
    process.env['CB_FORWARDED_FOR_TEST'] = 'forwarded'
    const box = sandbox()
    const warnings: string[] = []
    const logger = { ...silentLogger, warn: (line: string) => warnings.push(line) }
    const options = config({ environment: { forward_env: ['CB_FORWARDED_FOR_TEST'] } })
    await agentWith(scriptedModel([bash('ls'), bash(SUBMIT)]), options).run(runContext({ sandbox: box, options, logger }))
    delete process.env['CB_FORWARDED_FOR_TEST']
    for (const execOptions of box.options) expect(execOptions.env).toEqual({ PAGER: 'cat' })
    expect(box.commands[0]).toBe('bash -c exec 2>&1; exec bash -lc "$1" bash ls')
    expect(warnings).toContain("agent config: environment.forward_env: the reference's adapter passes only environment.env to its environment")
  })

  it('gives every command 3,600 s, as the reference does; a command past it is -1 with its output, and exception_info says so', async () => {
    const box = sandbox((command) => (command === 'sleep 4000' ? { stdout: 'partial\n', exitCode: -1, timedOut: true } : {}))
    const model = scriptedModel([bash('sleep 4000'), bash(SUBMIT)])
    await agentWith(model, config()).run(runContext({ sandbox: box, options: config() }))
    for (const execOptions of box.options) expect(execOptions.timeoutMs).toBe(3_600_000)
    expect(contents(model.requests[1]).at(-1)).toBe('-1|partial\n|An error occurred while executing the command: the command timed out after 3600 seconds')
  })

  it('answers a malformed reply with the format error template, drops it, and does not count its cost toward the limit', async () => {
    const options = config({ agent: { cost_limit: 1 } })
    const model = scriptedModel([
      reply([], { cost: 5, text: 'no tool' }),
      reply([toolCall('python', '{}')], { cost: 5 }),
      bash('ls', { cost: 0.5 }),
      bash(SUBMIT),
    ])
    const result = await agentWith(model, options).run(runContext({ sandbox: sandbox(), options }))
    expect(result).toMatchObject({ status: 'Submitted', steps: 4 })
    expect(result.cost).toBeCloseTo(10.51)
    expect(contents(model.requests[1]).slice(2)).toEqual(['bad: No tool calls found in the response. Every response MUST include at least one tool call.'])
    expect(contents(model.requests[2]).slice(2)).toEqual([
      'bad: No tool calls found in the response. Every response MUST include at least one tool call.',
      "bad: Unknown tool 'python'.",
    ])
  })

  it('stops at the file’s limits, and the run’s limits win over them', async () => {
    const options = config({ agent: { step_limit: 2 } })
    const stopped = await agentWith(scriptedModel([bash('ls'), bash('ls'), bash('ls')]), options).run(runContext({ sandbox: sandbox(), options }))
    expect(stopped).toMatchObject({ status: 'LimitsExceeded', steps: 2 })
    const limits = { steps: 1, costUsd: null, wallClockSeconds: null }
    const byRun = await agentWith(scriptedModel([bash('ls'), bash('ls')]), options).run(runContext({ sandbox: sandbox(), options, limits }))
    expect(byRun).toMatchObject({ status: 'LimitsExceeded', steps: 1 })
    expect(exitOf(byRun.messages)).toMatchObject({ role: 'exit', extra: { exit_status: 'LimitsExceeded' } })
  })

  it('without model.cost_tracking, MSWEA_COST_TRACKING decides, as in the reference; the file wins over it; a bad value is refused', async () => {
    const saved = process.env['MSWEA_COST_TRACKING']
    const unpriced = async (model: object) => {
      const options = config({ model })
      return await agentWith(scriptedModel([bash('ls', { cost: null }), bash(SUBMIT)]), options).run(runContext({ sandbox: sandbox(), options }))
    }
    try {
      process.env['MSWEA_COST_TRACKING'] = 'ignore_errors'
      expect(await unpriced({ cost_tracking: undefined })).toMatchObject({ status: 'Submitted' })
      expect(await unpriced({ cost_tracking: 'default' })).toMatchObject({ status: 'Error', error: expect.stringContaining('cost_tracking') })
      delete process.env['MSWEA_COST_TRACKING']
      expect(await unpriced({ cost_tracking: undefined })).toMatchObject({ status: 'Error', error: expect.stringContaining('cost_tracking') })
      process.env['MSWEA_COST_TRACKING'] = 'sometimes'
      const refused = await unpriced({ cost_tracking: undefined }).catch((error: unknown) => error)
      expect(isCooperbenchError(refused) && refused.code).toBe('CONFIG_INVALID')
    } finally {
      if (saved === undefined) delete process.env['MSWEA_COST_TRACKING']
      else process.env['MSWEA_COST_TRACKING'] = saved
    }
  })

  it('with cost_tracking "default", a call without a known price ends the agent with Error, as in the reference', async () => {
    const options = config({ model: { cost_tracking: 'default' } })
    const result = await agentWith(scriptedModel([bash('ls', { cost: null })]), options).run(runContext({ sandbox: sandbox(), options }))
    expect(result).toMatchObject({ status: 'Error', error: expect.stringContaining('cost_tracking') })
  })

  it('takes patch.txt, leading and trailing newlines trimmed (upstream 0.0.16), after any ending (an error too)', async () => {
    const withPatch = fakeSandbox((text) => (commandOf(text) === 'cat patch.txt 2>/dev/null' ? { stdout: '\n diff --git a/x b/x\n+y\n\n' } : {}))
    const options = config()
    const failing = scriptedModel([new ModelCallError('server', 'the provider is down')])
    const result = await agentWith(failing, options).run(runContext({ sandbox: withPatch, options }))
    expect(result).toMatchObject({ status: 'Error', submittedPatch: ' diff --git a/x b/x\n+y\n' })
    const none = await agentWith(scriptedModel([bash(SUBMIT)]), options).run(runContext({ sandbox: sandbox(), options }))
    expect(none).toMatchObject({ status: 'Submitted', submittedPatch: '' })
  })

  it('submits on the first tool call that submits; the observations of that reply are not added', async () => {
    const options = config()
    const box = sandbox(() => ({ stdout: 'out\n' }))
    const result = await agentWith(scriptedModel([bash(['echo a', SUBMIT, 'echo never'])]), options).run(runContext({ sandbox: box, options }))
    expect(result.status).toBe('Submitted')
    expect(box.commands.map(commandOf)).toEqual(['echo a', SUBMIT, 'cat patch.txt 2>/dev/null'])
    expect((result.messages as TrajectoryMessage[]).filter((m) => m.role === 'tool')).toEqual([])
  })

  it('passes model_kwargs on as request settings and refuses one it has no equivalent for', async () => {
    const options = config({ model: { model_kwargs: { drop_params: true, temperature: 0.2, top_p: 0.9, seed: 7, stop: '###', max_tokens: 100 } } })
    const model = scriptedModel([bash(SUBMIT)])
    await agentWith(model, options).run(runContext({ sandbox: sandbox(), options }))
    expect(model.requests[0]).toMatchObject({ temperature: 0.2, topP: 0.9, seed: 7, stopSequences: ['###'], maxOutputTokens: 100 })
    const refused = config({ model: { model_kwargs: { logprobs: true } } })
    const error = await agentWith(model, refused)
      .preflight({ model: 'fake/model', options: refused })
      .catch((e: unknown) => e)
    expect(isCooperbenchError(error) && error.code).toBe('CONFIG_INVALID')
    expect((error as Error).message).toMatch(/model_kwargs\.logprobs/)
  })

  it("the format's keys: every key without effect named once when the run starts, every request setting sent, the unsupported refused with the reason", async () => {
    const warnings: string[] = []
    const logger = { ...silentLogger, warn: (line: string) => warnings.push(line) }
    const environment = { cwd: '/x', timeout: 9, executable: 'podman', run_args: [], network: 'n', container_timeout: '1h' }
    const kwargs = { drop_params: true, num_retries: 2, presence_penalty: 0.5, frequency_penalty: 0.25, max_completion_tokens: 64 }
    const options = config({ agent: { mode: 'confirm', output_path: 'traj.json' }, environment, model: { model_kwargs: kwargs } })
    const model = scriptedModel([bash(SUBMIT)])
    await agentWith(model, options).run(runContext({ sandbox: sandbox(), options, logger }))
    expect(model.requests[0]).toMatchObject({ presencePenalty: 0.5, frequencyPenalty: 0.25, maxOutputTokens: 64 })
    expect(warnings.filter((line) => /^agent config: (agent|environment|model)\./.test(line))).toEqual([
      "agent config: agent.mode: not a setting of the reference's agent (its settings class ignores it)",
      'agent config: agent.output_path: the harness writes the trajectory files',
      ...Object.keys(environment).map((key) => `agent config: environment.${key}: the reference's adapter passes only environment.env to its environment`),
      "agent config: model.model_kwargs.drop_params: steers LiteLLM's client, not the request",
      "agent config: model.model_kwargs.num_retries: steers LiteLLM's client, not the request",
    ])
    const refusals = {
      set_cache_control: 'cache-control markers are not added to messages',
      multimodal_regex: 'observations are text only',
      litellm_model_registry: "prices come from cooperbench's own table",
      model_name: 'the model is chosen with --model',
    }
    for (const [key, why] of Object.entries(refusals)) {
      const refused = config({ model: { [key]: key === 'set_cache_control' ? 'default_end' : 'x' } })
      const error = await agentWith(model, refused)
        .preflight({ model: 'fake/model', options: refused })
        .catch((e: unknown) => e)
      expect(isCooperbenchError(error) && error.code, key).toBe('CONFIG_INVALID')
      expect((error as Error).message, key).toContain(`model.${key} of the reference-format agent config is not supported here: ${why}`)
    }
  })

  it('refuses at preflight a configuration without the templates we do not ship, or one that does not render for the run', async () => {
    const model = scriptedModel([])
    const noObservation = config({ model: { observation_template: undefined } })
    await expect(agentWith(model, noObservation).preflight({ model: 'm', options: noObservation })).rejects.toThrow(/no model\.observation_template/)
    const strict = config({ agent: { instance_template: '{{ task }} {{ colleague }}' } })
    await expect(agentWith(model, strict).preflight({ model: 'm', options: strict, run: { messaging: false, git: false, agents: 1 } })).rejects.toThrow(
      /instance_template does not render for agent solo: .*'colleague' is undefined/,
    )
    // The reference renders a format error with the error alone: any other variable is undefined there.
    const errorWithVars = config({ model: { format_error_template: '{{ agent_id }}: {{ error }}' } })
    await expect(agentWith(model, errorWithVars).preflight({ model: 'm', options: errorWithVars })).rejects.toThrow(
      /format_error_template does not render for agent agent1: .*'agent_id' is undefined/,
    )
    // A template that renders, but without the task: two agents would run their steps on nothing.
    for (const instance of ['', 'Solve the issue. {{ agent_id }}']) {
      const taskless = config({ agent: { instance_template: instance } })
      await expect(agentWith(model, taskless).preflight({ model: 'm', options: taskless })).rejects.toThrow(
        /agent\.instance_template and agent\.system_template never show the task/,
      )
    }
  })

  it('refuses at preflight a template that shows the task to some agents only: each agent of the run is tried', async () => {
    const model = scriptedModel([])
    const firstOnly = config({ agent: { instance_template: "{% if agent_id == 'agent1' %}{{ task }}{% endif %}\nWrite patch.txt." } })
    const coop = (agents?: number) => ({
      model: 'm',
      options: firstOnly,
      run: { messaging: true, git: false, agents: agents ?? 2 },
    })
    await expect(agentWith(model, firstOnly).preflight(coop())).rejects.toThrow(/never show the task to agent2: the agent would have nothing to do/)
    const lastMissing = config({ agent: { instance_template: "{% if agent_id != 'agent3' %}{{ task }}{% endif %}" } })
    await expect(agentWith(model, lastMissing).preflight({ ...coop(2), options: lastMissing })).resolves.toBeUndefined()
    await expect(agentWith(model, lastMissing).preflight({ ...coop(3), options: lastMissing })).rejects.toThrow(/never show the task to agent3/)
  })

  it('tries the templates at preflight with the run’s backend and a task as long as a real one', async () => {
    const model = scriptedModel([])
    // `executable` is one of docker's environment settings (local's too), not modal's.
    const dockerOnly = config({ agent: { instance_template: '{{ task }} (commands run by {{ executable }})' } })
    const onModal = { model: 'm', options: dockerOnly, backend: { name: 'modal', network: true } }
    await expect(agentWith(model, dockerOnly).preflight(onModal)).rejects.toThrow(/instance_template does not render .*'executable' is undefined/)
    await expect(agentWith(model, dockerOnly).preflight({ ...onModal, backend: { name: 'local', network: false } })).resolves.toBeUndefined()
    // Shows every real task (a feature.md is hundreds of characters), so it must pass.
    const longTasks = config({ agent: { instance_template: '{% if task|length > 60 %}{{ task }}{% endif %}' } })
    await expect(agentWith(model, longTasks).preflight({ model: 'm', options: longTasks })).resolves.toBeUndefined()
    const asJson = config({ agent: { instance_template: 'The task, as JSON: {{ task|tojson }}' } })
    await expect(agentWith(model, asJson).preflight({ model: 'm', options: asJson })).resolves.toBeUndefined()
  })

  it('ends an agent whose first messages hide its task with Error, failure infra (not the agent’s), before any model call', async () => {
    // Passes the preflight (its image is a placeholder), hides the task from every real pair.
    const options = config({ agent: { instance_template: "{% if image == 'task-image' %}{{ task }}{% endif %}Write patch.txt." } })
    const model = scriptedModel([bash(SUBMIT)])
    await expect(agentWith(model, options).preflight({ model: 'm', options, backend: { name: 'local', network: false } })).resolves.toBeUndefined()
    const result = await agentWith(model, options).run(runContext({ sandbox: sandbox(), options, backend: 'local', image: '' }))
    expect(result).toMatchObject({ status: 'Error', failure: 'infra', steps: 0, cost: 0 })
    expect(result.error).toMatch(/agent\.instance_template and agent\.system_template never show the task with this pair's values/)
    expect(result.error).toContain('Put {{ task }} in agent.instance_template')
    expect(model.requests).toEqual([])
    // What was rendered is kept, so the trajectory shows what the agent would have been sent.
    expect((result.messages as TrajectoryMessage[]).map((m) => m.content)).toEqual(['sys None', 'Write patch.txt.', result.error])
    // Shown to agent1 only: agent2 ends, agent1 runs.
    const bus = new MemoryBus()
    const [one, two] = await Promise.all([bus.open('run:y', 'agent1', ['agent2']), bus.open('run:y', 'agent2', ['agent1'])])
    const firstOnly = config({ agent: { instance_template: "{% if agent_id == 'agent1' or image == 'task-image' %}{{ task }}{% endif %}" } })
    const second = await agentWith(scriptedModel([]), firstOnly).run(coopContext(two, { sandbox: sandbox(), options: firstOnly }))
    expect(second).toMatchObject({ status: 'Error', failure: 'infra', error: expect.stringContaining('never show the task to agent2') })
    const first = await agentWith(scriptedModel([bash(SUBMIT)]), firstOnly).run(coopContext(one, { sandbox: sandbox(), options: firstOnly }))
    expect(first.status).toBe('Submitted')
    // A template that fails only on a pair's values is the configuration's error too.
    const undefinedOnRun = config({ agent: { instance_template: "{% if image != 'task-image' %}{{ colleague }}{% endif %}{{ task }}" } })
    await expect(agentWith(model, undefinedOnRun).preflight({ model: 'm', options: undefinedOnRun })).resolves.toBeUndefined()
    const failed = await agentWith(model, undefinedOnRun).run(runContext({ sandbox: sandbox(), options: undefinedOnRun, image: 'cooperbench/demo:task1' }))
    expect(failed).toMatchObject({
      status: 'Error',
      failure: 'infra',
      error: expect.stringMatching(/do not render: .*instance_template.*'colleague' is undefined/),
    })
  })

  it('runs an agent whose template shows its task cut short, or as JSON', async () => {
    const instructions = `Add a --verbose flag to the CLI. ${'It prints every step. '.repeat(40)}`
    for (const instance of ['{{ task[:300] }}', '{{ task|tojson }}', '{% if task|length > 60 %}{{ task }}{% endif %}']) {
      const options = config({ agent: { instance_template: instance } })
      const result = await agentWith(scriptedModel([bash(SUBMIT)]), options).run(runContext({ sandbox: sandbox(), options, instructions }))
      expect(result.status).toBe('Submitted')
    }
    // The same length test on a short task hides it: refused, not run on nothing.
    const options = config({ agent: { instance_template: '{% if task|length > 60 %}{{ task }}{% endif %}' } })
    const short = await agentWith(scriptedModel([bash(SUBMIT)]), options).run(runContext({ sandbox: sandbox(), options }))
    expect(short).toMatchObject({ status: 'Error', failure: 'infra' })
  })

  it('compacts as the reference does: system, task, the summary as an assistant message, the last turns', async () => {
    const options = config({ agent: { compaction_token_trigger: 100, compaction_keep_recent_turns: 1, compaction_summary_prompt: 'Summarize, please.' } })
    const model = scriptedModel([
      bash('echo one', { usage: { inputTokens: 10 } }),
      bash('echo two', { usage: { inputTokens: 500 } }),
      reply([], { text: 'the summary' }),
      bash(SUBMIT),
    ])
    await agentWith(model, options).run(runContext({ sandbox: sandbox(() => ({ stdout: 'x\n' })), options }))
    const summaryRequest = model.requests[2]!
    expect(summaryRequest.tools).toEqual([])
    expect(summaryRequest.messages.at(-1)).toEqual({ role: 'user', content: 'Summarize, please.' })
    const after = model.requests[3]!.messages
    expect(after.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'assistant', 'tool'])
    expect(after[2]).toMatchObject({ content: 'the summary' })
    expect(after[4]).toMatchObject({ content: '0|x\n|' })
  })
})
