import { request as httpRequest } from 'node:http'
import { describe, expect, it } from 'vitest'
import { finalTurn, type ScriptedLlmServer, SUBMIT_COMMAND, scriptedLlmServersPerTest, toolCall } from '../src/index.js'

const start = scriptedLlmServersPerTest()

const userOnly = {
  model: 'scripted-model',
  messages: [
    { role: 'system', content: 'You are agent1.' },
    { role: 'user', content: 'Fix the bug.' },
  ],
}

async function post(server: ScriptedLlmServer, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
}

/** The JSON payloads of an SSE body, and whether it ended with `data: [DONE]`. */
function parseSse(text: string): { events: Array<Record<string, unknown>>; done: boolean } {
  const events: Array<Record<string, unknown>> = []
  let done = false
  for (const block of text.split('\n\n')) {
    const line = block.trim()
    if (line === '') continue
    expect(line.startsWith('data: ')).toBe(true)
    const data = line.slice('data: '.length)
    if (data === '[DONE]') done = true
    else events.push(JSON.parse(data) as Record<string, unknown>)
  }
  return { events, done }
}

describe('scripted LLM server', () => {
  it('listens on 127.0.0.1 under /v1 and lists models', async () => {
    const server = await start({ script: [], models: ['m1', 'm2'] })
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
    const response = await fetch(`${server.url}/models`)
    expect(response.status).toBe(200)
    const body = (await response.json()) as { object: string; data: Array<{ id: string; object: string }> }
    expect(body.object).toBe('list')
    expect(body.data.map((model) => model.id)).toEqual(['m1', 'm2'])
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models', body: null, turn: null, status: 200 })
  })

  it('answers a non-streaming request with a tool call, finish_reason and usage', async () => {
    const server = await start({ script: [toolCall('ls -la', { usage: { promptTokens: 120, completionTokens: 7, cachedTokens: 100 } })] })
    const response = await post(server, userOnly)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('application/json')
    const body = (await response.json()) as any
    expect(body.object).toBe('chat.completion')
    expect(body.model).toBe('scripted-model')
    expect(body.choices).toHaveLength(1)
    expect(body.choices[0].finish_reason).toBe('tool_calls')
    expect(body.choices[0].message).toMatchObject({ role: 'assistant', content: null })
    expect(body.choices[0].message.tool_calls).toEqual([
      { id: 'call_0_0', type: 'function', function: { name: 'bash', arguments: JSON.stringify({ command: 'ls -la' }) } },
    ])
    expect(body.usage).toEqual({
      prompt_tokens: 120,
      completion_tokens: 7,
      total_tokens: 127,
      prompt_tokens_details: { cached_tokens: 100 },
      completion_tokens_details: { reasoning_tokens: 0 },
    })
  })

  it('answers text with finish_reason stop and a deterministic usage estimate', async () => {
    const server = await start({ script: [{ content: 'All done.' }, { content: 'All done.' }] })
    const first = (await (await post(server, userOnly)).json()) as any
    const second = (await (await post(server, userOnly)).json()) as any
    expect(first.choices[0].message).toMatchObject({ role: 'assistant', content: 'All done.' })
    expect(first.choices[0].message.tool_calls).toBeUndefined()
    expect(first.choices[0].finish_reason).toBe('stop')
    expect(first.usage.prompt_tokens).toBeGreaterThan(0)
    expect(first.usage.completion_tokens).toBe(Math.ceil('All done.'.length / 4))
    expect(first.usage.prompt_tokens_details.cached_tokens).toBe(0)
    expect(second.usage).toEqual(first.usage)
  })

  it('sends raw string arguments as given and keeps explicit ids', async () => {
    const server = await start({ script: [{ content: 'Trying.', toolCalls: [{ name: 'bash', arguments: '{"command": "ls"', id: 'call_custom' }] }] })
    const body = (await (await post(server, userOnly)).json()) as any
    expect(body.choices[0].message.content).toBe('Trying.')
    expect(body.choices[0].message.tool_calls[0]).toEqual({ id: 'call_custom', type: 'function', function: { name: 'bash', arguments: '{"command": "ls"' } })
  })

  it('streams content and incremental tool-call arguments as SSE, with usage last when asked', async () => {
    const server = await start({
      script: [
        {
          content: 'Let me look at the files first.',
          toolCalls: [{ name: 'bash', arguments: { command: 'grep -rn "def add" .' } }],
          usage: { promptTokens: 50, completionTokens: 20, cachedTokens: 10 },
        },
      ],
      streamChunkSize: 5,
    })
    const response = await post(server, { ...userOnly, stream: true, stream_options: { include_usage: true } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('text/event-stream')
    const { events, done } = parseSse(await response.text())
    expect(done).toBe(true)
    const choices = events.flatMap((event) => event.choices as any[])
    expect(events.every((event) => event.object === 'chat.completion.chunk')).toBe(true)
    expect(choices[0].delta.role).toBe('assistant')
    const content = choices.map((choice) => choice.delta.content ?? '').join('')
    expect(content).toBe('Let me look at the files first.')
    expect(choices.filter((choice) => typeof choice.delta.content === 'string' && choice.delta.content !== '').length).toBeGreaterThan(1)
    const toolDeltas = choices.flatMap((choice) => choice.delta.tool_calls ?? [])
    expect(toolDeltas[0]).toMatchObject({ index: 0, id: 'call_0_0', type: 'function', function: { name: 'bash', arguments: '' } })
    expect(toolDeltas.length).toBeGreaterThan(2)
    expect(toolDeltas.slice(1).every((delta: any) => delta.id === undefined && delta.index === 0)).toBe(true)
    expect(toolDeltas.map((delta: any) => delta.function.arguments).join('')).toBe(JSON.stringify({ command: 'grep -rn "def add" .' }))
    expect(choices.at(-1).finish_reason).toBe('tool_calls')
    const last = events.at(-1) as any
    expect(last.choices).toEqual([])
    expect(last.usage).toMatchObject({ prompt_tokens: 50, completion_tokens: 20, total_tokens: 70, prompt_tokens_details: { cached_tokens: 10 } })
    expect(events.slice(0, -1).every((event) => event.usage === null)).toBe(true)
  })

  it('streams without a usage chunk unless include_usage is set', async () => {
    const server = await start({ script: [{ content: 'hi' }] })
    const { events, done } = parseSse(await (await post(server, { ...userOnly, stream: true })).text())
    expect(done).toBe(true)
    expect(events.every((event) => !('usage' in event))).toBe(true)
    expect((events.at(-1) as any).choices[0].finish_reason).toBe('stop')
  })

  it('answers scripted error statuses with an OpenAI-style body and the scripted headers', async () => {
    const server = await start({
      script: [
        { status: 429, headers: { 'Retry-After': '3' } },
        { status: 500, errorMessage: 'upstream exploded' },
        { status: 400, errorMessage: "This model's maximum context length is 8192 tokens" },
        { content: 'ok' },
      ],
    })
    const rateLimited = await post(server, userOnly)
    expect(rateLimited.status).toBe(429)
    expect(rateLimited.headers.get('retry-after')).toBe('3')
    expect(((await rateLimited.json()) as any).error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded', message: expect.any(String) })
    const failed = await post(server, userOnly)
    expect(failed.status).toBe(500)
    expect(((await failed.json()) as any).error).toMatchObject({ message: 'upstream exploded', type: 'server_error' })
    const tooLong = await post(server, userOnly)
    expect(tooLong.status).toBe(400)
    expect(((await tooLong.json()) as any).error.message).toContain('maximum context length')
    expect((await post(server, userOnly)).status).toBe(200)
    expect(server.requests.map((request) => [request.turn, request.status])).toEqual([
      [0, 429],
      [1, 500],
      [2, 400],
      [3, 200],
    ])
  })

  it('says when the script is exhausted, with a 400 that names it', async () => {
    const server = await start({ script: [{ content: 'one' }] })
    await post(server, userOnly)
    const response = await post(server, userOnly)
    expect(response.status).toBe(400)
    expect(((await response.json()) as any).error.message).toContain('script is exhausted')
  })

  it('routes by the conversation with a function script', async () => {
    const seen: number[] = []
    const server = await start({
      script: (request, turn) => {
        seen.push(turn)
        const system = String(request.body.messages[0]?.content ?? '')
        const last = request.body.messages.at(-1)
        if (last?.role === 'tool') return { content: `${system.includes('agent1') ? 'agent1' : 'agent2'} saw: ${String(last.content)}` }
        return system.includes('agent1') ? toolCall('echo one') : toolCall('echo two')
      },
    })
    const agent2 = {
      model: 'm',
      messages: [
        { role: 'system', content: 'You are agent2.' },
        { role: 'user', content: 'task' },
      ],
    }
    const first = (await (await post(server, userOnly)).json()) as any
    const second = (await (await post(server, agent2)).json()) as any
    expect(JSON.parse(first.choices[0].message.tool_calls[0].function.arguments)).toEqual({ command: 'echo one' })
    expect(JSON.parse(second.choices[0].message.tool_calls[0].function.arguments)).toEqual({ command: 'echo two' })
    const followUp = {
      model: 'm',
      messages: [
        ...agent2.messages,
        { role: 'assistant', content: null, tool_calls: second.choices[0].message.tool_calls },
        { role: 'tool', tool_call_id: 'call_1_0', content: 'two\n' },
      ],
    }
    const third = (await (await post(server, followUp)).json()) as any
    expect(third.choices[0].message.content).toBe('agent2 saw: two\n')
    expect(seen).toEqual([0, 1, 2])
  })

  it('async function scripts can wait, and a throwing script answers a 400 naming the turn', async () => {
    const server = await start({
      script: async (_request, turn) => {
        await new Promise((resolve) => setTimeout(resolve, 5))
        if (turn === 1) throw new Error('no plan for this')
        return { content: 'fine' }
      },
    })
    expect((await post(server, userOnly)).status).toBe(200)
    const response = await post(server, userOnly)
    expect(response.status).toBe(400)
    expect(((await response.json()) as any).error.message).toMatch(/turn 1: no plan for this/)
  })

  it('records requests: parsed body, headers without authorization, authorized flag', async () => {
    const server = await start({ script: [finalTurn(), { content: 'x' }] })
    const tools = [
      {
        type: 'function',
        function: {
          name: 'bash',
          description: 'Run a command',
          parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
        },
      },
    ]
    await post(server, { ...userOnly, tools, tool_choice: 'auto', temperature: 0 }, { authorization: 'Bearer sk-secret-value', 'x-custom': 'yes' })
    await post(server, userOnly)
    const [first, second] = server.chatRequests()
    expect(first?.body.tools).toEqual(tools)
    expect(first?.body.tool_choice).toBe('auto')
    expect(first?.body.messages).toEqual(userOnly.messages)
    expect(first?.headers['x-custom']).toBe('yes')
    expect(first?.headers.authorization).toBeUndefined()
    expect(JSON.stringify(server.requests)).not.toContain('sk-secret-value')
    expect(first?.authorized).toBe(true)
    expect(second?.authorized).toBe(false)
    expect(first?.path).toBe('/v1/chat/completions')
    expect(first?.turn).toBe(0)
    expect(first?.receivedAt).toBeTypeOf('number')
    const answer = finalTurn()
    expect(answer.toolCalls?.[0]).toEqual({ name: 'bash', arguments: { command: SUBMIT_COMMAND } })
  })

  it('keeps each body as the text that arrived, for byte-for-byte comparisons (Python clients write 0.0)', async () => {
    const server = await start({ script: [finalTurn()] })
    const text = '{"messages":[{"role":"user","content":"caf\\u00e9"}],"model":"scripted-model","temperature":0.0}'
    await fetch(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text })
    const [request] = server.chatRequests()
    expect(request?.rawBody).toBe(text)
    expect(request?.body.messages[0]?.content).toBe('café')
  })

  it('requires the API key when configured, without consuming a turn', async () => {
    const server = await start({ script: [{ content: 'ok' }], apiKey: 'test-key-123' })
    const missing = await post(server, userOnly)
    expect(missing.status).toBe(401)
    expect(((await missing.json()) as any).error.code).toBe('invalid_api_key')
    expect((await post(server, userOnly, { authorization: 'Bearer wrong' })).status).toBe(401)
    const ok = await post(server, userOnly, { authorization: 'Bearer test-key-123' })
    expect(ok.status).toBe(200)
    expect(server.requests.map((request) => [request.authorized, request.turn])).toEqual([
      [false, null],
      [false, null],
      [true, 0],
    ])
  })

  it('rejects bodies that are not chat requests', async () => {
    const server = await start({ script: [] })
    const notJson = await fetch(`${server.url}/chat/completions`, { method: 'POST', body: '{nope' })
    expect(notJson.status).toBe(400)
    expect((await post(server, { model: 'x' })).status).toBe(400)
    expect((await fetch(`${server.url}/embeddings`, { method: 'POST', body: '{}' })).status).toBe(404)
  })

  it('delays an answer and notices a client that gives up', async () => {
    const server = await start({
      script: [
        { content: 'slow', delayMs: 150 },
        { content: 'too slow', delayMs: 5_000 },
      ],
    })
    const started = Date.now()
    expect((await post(server, userOnly)).status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    const controller = new AbortController()
    const pending = fetch(`${server.url}/chat/completions`, { method: 'POST', body: JSON.stringify(userOnly), signal: controller.signal })
    await waitFor(() => server.requests.length === 2)
    controller.abort()
    await expect(pending).rejects.toThrow()
    await waitFor(() => server.requests[1]?.aborted === true)
    expect(server.requests[1]?.status).toBe(0)
  })

  it('close() ends open connections and pending answers at once', async () => {
    const server = await start({ script: [{ content: 'never', delayMs: 30_000 }] })
    const outcome = new Promise<string>((resolve) => {
      const req = httpRequest(`${server.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume()
        res.on('end', () => resolve('ended'))
        res.on('error', () => resolve('error'))
      })
      req.on('error', () => resolve('error'))
      req.end(JSON.stringify(userOnly))
    })
    await waitFor(() => server.requests.length === 1)
    const started = Date.now()
    await server.close()
    // Well under the answer's 30 s delay, whatever the machine's load.
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(await outcome).toBe('error')
    await expect(fetch(`${server.url}/models`)).rejects.toThrow()
    await server.close()
  })
})

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
