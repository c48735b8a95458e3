import { finalTurn, startScriptedLlmServer, textTurn, toolCall, type ScriptedLlmServer } from '@cooperbench/testkit'
import { silentLogger } from '@cooperbench/spec-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { MiniSweAgent } from '../src/agent/mini-swe-agent.js'
import { parseOptions } from '../src/agent/options.js'
import { createChatModel } from '../src/llm/index.js'
import { fakeSandbox, runContext, SUBMIT, SUBMITTED } from './fakes.js'

/**
 * The agent against the real chat-model client and a scripted OpenAI-compatible server: what
 * actually goes over the wire (one bash tool, tool results paired with their calls, a summary
 * request without tools).
 */
describe('mini_swe_agent over the wire', () => {
  let server: ScriptedLlmServer | undefined
  afterEach(() => server?.close())

  it('survives a format error, runs two calls of one reply, compacts, and submits', async () => {
    server = await startScriptedLlmServer({
      script: [
        textTurn('Let me think first.'),
        {
          content: 'Two looks.',
          toolCalls: [
            { name: 'bash', arguments: { command: 'ls' } },
            { name: 'bash', arguments: { command: 'git status' } },
          ],
        },
        toolCall('cat setup.py', { usage: { promptTokens: 50_000 } }),
        textTurn('SUMMARY: looked at the layout.'),
        finalTurn(),
      ],
    })
    const agent = new MiniSweAgent(parseOptions({ model_base_url: server.url, compaction: { keep_last: 1 }, model: { max_retries: 0 } }), {
      createModel: (options) => createChatModel({ ...options, env: {} }),
    })
    const result = await agent.run(runContext({ sandbox: fakeSandbox(), model: 'openai/scripted-model' }))

    expect(result).toMatchObject({ status: 'Submitted', steps: 4, error: null })
    const requests = server.chatRequests().map((r) => r.body)
    expect(requests).toHaveLength(5)
    expect(requests[0]!.tools?.map((t) => t.function.name)).toEqual(['bash'])
    expect(requests[3]!.tools ?? []).toEqual([])
    const last = requests[4]!.messages
    expect(last.map((m) => m.role)).toEqual(['system', 'user', 'user', 'assistant', 'tool'])
    expect(JSON.stringify(last[2]!.content)).toContain('SUMMARY: looked at the layout.')
    expect(last[4]!.tool_call_id).toBe(last[3]!.tool_calls?.[0]?.id)
  })

  it("under a reference configuration, every request names no tool_choice, as the reference's client sends it", async () => {
    server = await startScriptedLlmServer({ script: [toolCall('ls'), finalTurn()] })
    const options = {
      model_base_url: server.url,
      model: { max_retries: 0 },
      agent: { system_template: 'sys', instance_template: '{{ task }}' },
      config: { model: { cost_tracking: 'ignore_errors', observation_template: '{{ output.output }}' } },
    }
    const agent = new MiniSweAgent(parseOptions(options), { createModel: (settings) => createChatModel({ ...settings, env: {} }) })
    // The reference's commands run as `bash -c … <command>`: the submit command is the last word.
    const sandbox = fakeSandbox((command) => (command.endsWith(SUBMIT) ? SUBMITTED : {}))
    const result = await agent.run(runContext({ sandbox, model: 'openai/scripted-model', options }))
    expect(result, String(result.error)).toMatchObject({ status: 'Submitted', steps: 2 })
    const bodies = server.chatRequests().map((r) => r.body)
    expect(bodies).toHaveLength(2)
    for (const body of bodies) expect({ tools: body.tools?.length, tool_choice: 'tool_choice' in body }).toEqual({ tools: 1, tool_choice: false })
  })

  it('warns about a model without a price with what is recorded: "cost unknown", costUnknown in the result, cost_unknown in the trajectory', async () => {
    server = await startScriptedLlmServer({ script: [toolCall('ls'), finalTurn()] })
    const warnings: string[] = []
    const logger = { ...silentLogger, warn: (message: string) => warnings.push(message) }
    const agent = new MiniSweAgent(parseOptions({ model_base_url: server.url, model: { max_retries: 0 } }), {
      createModel: (options) => createChatModel({ ...options, env: {} }),
    })
    const model = 'openai/unpriced-model-for-the-warning'
    const result = await agent.run(runContext({ sandbox: fakeSandbox(), model, logger }))

    expect(result).toMatchObject({ status: 'Submitted', cost: 0, costUnknown: true })
    expect(JSON.stringify(result.messages)).toContain('"cost_unknown":true')
    // One warning, not one from the model layer and another from the agent.
    const priceWarnings = warnings.filter((w) => w.startsWith('no price known'))
    expect(priceWarnings, warnings.join('\n')).toHaveLength(1)
    const [warning] = priceWarnings
    expect(warning).toMatch(new RegExp(`^no price known for model ${model}`))
    expect(warning).not.toContain('count as $0')
    expect(warning).toContain('"cost unknown", never $0')
    expect(warning).toContain('result.json says cost_unknown')
  })

  it('prices a model the price table knows by its name, as the reference does at any base URL: a number, not unknown', async () => {
    server = await startScriptedLlmServer({ script: [toolCall('ls'), finalTurn()] })
    const options = {
      model_base_url: server.url,
      model: { max_retries: 0 },
      agent: { system_template: 'sys', instance_template: '{{ task }}' },
      config: { model: { observation_template: '{{ output.output }}' } },
    }
    const agent = new MiniSweAgent(parseOptions(options), { createModel: (settings) => createChatModel({ ...settings, env: {} }) })
    const sandbox = fakeSandbox((command) => (command.endsWith(SUBMIT) ? SUBMITTED : {}))
    const result = await agent.run(runContext({ sandbox, model: 'openai/gpt-4o-mini', options }))
    expect(result, String(result.error)).toMatchObject({ status: 'Submitted' })
    expect(result.cost).toBeGreaterThan(0)
    expect(result.costUnknown).toBeUndefined()
    expect(JSON.stringify(result.messages)).not.toContain('cost_unknown')
  })
})
