import { afterEach, describe, expect, it } from 'vitest'
import { responsesRequestTexts, startScriptedAnthropicServer, startScriptedResponsesServer } from '../src/index.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

const post = (url: string, body: unknown, headers: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })

/** The `data:` payloads of a server-sent-events body, with their event names. */
function events(text: string): Array<{ event: string; data: Record<string, unknown> }> {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => ({
      event: /^event: (.*)$/m.exec(block)?.[1] ?? '',
      data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as Record<string, unknown>,
    }))
}

describe('the scripted Anthropic Messages server', () => {
  it('streams a tool_use block whose input_json_delta pieces join to the arguments; side requests without tools take no turn', async () => {
    const server = await startScriptedAnthropicServer({
      script: [{ toolCalls: [{ name: 'Bash', arguments: { command: 'echo "a\\u2019b"' } }] }],
    })
    closers.push(() => server.close())
    const side = await post(`${server.url}/v1/messages`, { model: 'm', messages: [{ role: 'user', content: 'title?' }] }, { 'x-api-key': 'k' })
    expect(((await side.json()) as { content: Array<{ text: string }> }).content[0]!.text).toBe('scripted side answer')
    const res = await post(
      `${server.url}/v1/messages`,
      { model: 'm', stream: true, tools: [{ name: 'Bash' }], messages: [{ role: 'user', content: 'go' }] },
      { 'x-api-key': 'k' },
    )
    const stream = events(await res.text())
    expect(stream.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ])
    const json = stream
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => (e.data['delta'] as { partial_json: string }).partial_json)
      .join('')
    expect(JSON.parse(json)).toEqual({ command: 'echo "a\\u2019b"' })
    expect(stream[4]!.data['delta']).toMatchObject({ stop_reason: 'tool_use' })
    expect(server.modelRequests().map((r) => r.turn)).toEqual([null, 0])
  })

  it('answers a wrong key with 401 authentication_error and an exhausted script with 400', async () => {
    const server = await startScriptedAnthropicServer({ script: [], apiKey: 'right' })
    closers.push(() => server.close())
    const wrong = await post(`${server.url}/v1/messages`, { model: 'm', tools: [{ name: 'x' }], messages: [] }, { 'x-api-key': 'wrong' })
    expect(wrong.status).toBe(401)
    expect(await wrong.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } })
    const exhausted = await post(`${server.url}/v1/messages`, { model: 'm', tools: [{ name: 'x' }], messages: [] }, { authorization: 'Bearer right' })
    expect(exhausted.status).toBe(400)
  })
})

describe('the scripted OpenAI Responses server', () => {
  it('streams function_call items and a completed response with usage; JSON without stream', async () => {
    const server = await startScriptedResponsesServer({
      script: [{ toolCalls: [{ name: 'exec_command', arguments: { cmd: 'ls' } }] }, { content: 'Done.', usage: { promptTokens: 7, completionTokens: 2 } }],
    })
    closers.push(() => server.close())
    const res = await post(`${server.url}/responses`, { model: 'm', stream: true, input: [{ role: 'user', content: 'go' }] }, { authorization: 'Bearer k' })
    const stream = events(await res.text())
    expect(stream[0]!.event).toBe('response.created')
    expect(stream.find((e) => e.event === 'response.output_item.done')!.data['item']).toMatchObject({
      type: 'function_call',
      name: 'exec_command',
      arguments: '{"cmd":"ls"}',
    })
    expect(stream.at(-1)!.event).toBe('response.completed')
    const plain = await post(`${server.url}/responses`, { model: 'm', input: 'go' }, { authorization: 'Bearer k' })
    expect(await plain.json()).toMatchObject({
      status: 'completed',
      output: [{ type: 'message', content: [{ type: 'output_text', text: 'Done.' }] }],
      usage: { input_tokens: 7, output_tokens: 2 },
    })
  })

  it('a call with a namespace (an MCP tool as Codex offers it) carries it; tool outputs given as content items are texts', async () => {
    const server = await startScriptedResponsesServer({
      script: [{ toolCalls: [{ name: 'wait_for_message', namespace: 'mcp__cooperbench_team', arguments: { timeout_seconds: 5 } }] }],
    })
    closers.push(() => server.close())
    const res = await post(`${server.url}/responses`, { model: 'm', stream: true, input: 'go' }, { authorization: 'Bearer k' })
    const done = events(await res.text()).find((e) => e.event === 'response.output_item.done')!
    expect(done.data['item']).toMatchObject({ type: 'function_call', name: 'wait_for_message', namespace: 'mcp__cooperbench_team' })
    const input = [
      { type: 'function_call_output', call_id: 'a', output: 'plain text' },
      {
        type: 'function_call_output',
        call_id: 'b',
        output: [
          { type: 'input_text', text: 'Wall time: 2 s' },
          { type: 'input_text', text: '[Message from agent2]: hi' },
        ],
      },
    ]
    expect(responsesRequestTexts({ model: 'm', input })).toEqual(['plain text', 'Wall time: 2 s', '[Message from agent2]: hi'])
  })
})
