import { createServer } from 'node:net'
import { isCooperbenchError, type Logger } from '@cooperbench/spec'
import { type ScriptedLlmServer, scriptedLlmServersPerTest, toolCall } from '@cooperbench/testkit'
import { calcPrice } from '@pydantic/genai-prices'
import { describe, expect, it } from 'vitest'
import { isModelCallError } from '../../src/llm/errors.js'
import { type ChatMessage, type ChatModelOptions, createChatModel, type ModelCallError, type ToolSpec } from '../../src/llm/index.js'
import { MISSING_TOOL_RESULT } from '../../src/llm/messages.js'

const BASH: ToolSpec = {
  name: 'bash',
  description: 'Run a bash command in the repository.',
  parameters: { type: 'object', properties: { command: { type: 'string', description: 'The command.' } }, required: ['command'] },
}
const START: ChatMessage[] = [
  { role: 'system', content: 'You are agent1, a careful engineer.' },
  { role: 'user', content: 'Add a sub function to calc.py.' },
]
const SECRET = 'sk-test-SECRET-0123456789abcdefXYZ'

const start = scriptedLlmServersPerTest()

function recordingLogger(): Logger & { lines: Array<[string, string]> } {
  const lines: Array<[string, string]> = []
  return {
    lines,
    debug: (message) => lines.push(['debug', message]),
    info: (message) => lines.push(['info', message]),
    warn: (message) => lines.push(['warn', message]),
    error: (message) => lines.push(['error', message]),
  }
}

let modelCounter = 0
/** A model on the fixture through --model-base-url; unique ids keep price warnings per test. */
function compatibleModel(server: ScriptedLlmServer, options: Partial<ChatModelOptions> = {}) {
  return createChatModel({ model: `scripted-model-${++modelCounter}`, baseUrl: server.url, env: {}, retryBaseMs: 1, retryMaxMs: 5, ...options })
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a rejection')
}

describe('createChatModel against the scripted server', () => {
  it('round-trips a tool call: the assistant call and the tool result are sent back under the same id', async () => {
    const server = await start({ script: [toolCall('ls -la'), { content: 'I see calc.py.' }] })
    const model = compatibleModel(server)
    const first = await model.complete({ messages: START, tools: [BASH] })
    expect(first.toolCalls).toEqual([{ id: 'call_0_0', name: 'bash', arguments: '{"command":"ls -la"}' }])
    expect(first.text).toBe('')

    const conversation: ChatMessage[] = [
      ...START,
      { role: 'assistant', content: 'Looking around.', toolCalls: first.toolCalls },
      { role: 'tool', toolCallId: 'call_0_0', content: 'calc.py\nREADME.md\n' },
    ]
    const second = await model.complete({ messages: conversation, tools: [BASH] })
    expect(second.text).toBe('I see calc.py.')
    expect(second.toolCalls).toEqual([])

    const [request1, request2] = server.chatRequests()
    expect(request1?.path).toBe('/v1/chat/completions')
    expect(request1?.body.stream).not.toBe(true)
    expect(request1?.body.model).toBe(model.id)
    expect(request1?.body.messages).toEqual([
      { role: 'system', content: 'You are agent1, a careful engineer.' },
      { role: 'user', content: 'Add a sub function to calc.py.' },
    ])
    expect(request1?.body.tools).toEqual([{ type: 'function', function: { name: 'bash', description: BASH.description, parameters: BASH.parameters } }])
    expect(request1?.body.tool_choice).toBe('auto')
    expect(request2?.body.messages).toEqual([
      { role: 'system', content: 'You are agent1, a careful engineer.' },
      { role: 'user', content: 'Add a sub function to calc.py.' },
      {
        role: 'assistant',
        content: 'Looking around.',
        tool_calls: [{ id: 'call_0_0', type: 'function', function: { name: 'bash', arguments: '{"command":"ls -la"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_0_0', content: 'calc.py\nREADME.md\n' },
    ])
  })

  it('keeps tool-call arguments as the raw text the model sent, both ways', async () => {
    const raw = '{ "command" :  "grep -rn  \\"def add\\" ." }'
    const malformed = '{"command": "ls'
    const server = await start({
      script: [
        {
          toolCalls: [
            { name: 'bash', arguments: raw, id: 'call_a' },
            { name: 'bash', arguments: malformed, id: 'call_b' },
          ],
        },
        { content: 'ok' },
      ],
    })
    const model = compatibleModel(server)
    const first = await model.complete({ messages: START, tools: [BASH] })
    expect(first.toolCalls).toEqual([
      { id: 'call_a', name: 'bash', arguments: raw },
      { id: 'call_b', name: 'bash', arguments: malformed },
    ])
    await model.complete({
      messages: [
        ...START,
        { role: 'assistant', content: '', toolCalls: first.toolCalls },
        { role: 'tool', toolCallId: 'call_a', content: 'calc.py:1' },
        { role: 'tool', toolCallId: 'call_b', content: 'invalid JSON' },
      ],
      tools: [BASH],
    })
    const sent = server.chatRequests()[1]?.body.messages
    expect(sent?.[2]?.tool_calls?.map((call) => call.function.arguments)).toEqual([raw, JSON.stringify(malformed)])
    expect(sent?.slice(3)).toEqual([
      { role: 'tool', tool_call_id: 'call_a', content: 'calc.py:1' },
      { role: 'tool', tool_call_id: 'call_b', content: 'invalid JSON' },
    ])
  })

  it('answers a text-only reply, passes temperature and max tokens, and keeps the response body as raw', async () => {
    const server = await start({ script: [{ content: 'Nothing to do.' }] })
    const response = await compatibleModel(server).complete({ messages: START, tools: [BASH], temperature: 0, maxOutputTokens: 512 })
    expect(response.text).toBe('Nothing to do.')
    expect(response.toolCalls).toEqual([])
    expect(response.raw).toMatchObject({ id: 'chatcmpl-scripted-0', object: 'chat.completion', choices: [{ message: { content: 'Nothing to do.' } }] })
    expect(server.chatRequests()[0]?.body).toMatchObject({ temperature: 0, max_tokens: 512 })
  })

  it("names no tool_choice when told not to (the reference's client, LiteLLM, sends none), the tools unchanged", async () => {
    const server = await start({ script: [{ content: 'hi' }] })
    await compatibleModel(server, { sendsToolChoice: false }).complete({ messages: START, tools: [BASH] })
    const body = server.chatRequests()[0]?.body
    expect(body?.tools?.map((tool) => tool.function.name)).toEqual(['bash'])
    expect(body && 'tool_choice' in body).toBe(false)
  })

  it("writes marked messages as LiteLLM 1.81.12 sends SWE-agent's cache_control processor's: one text part, the cache_control keys taken out", async () => {
    const server = await start({ script: [{ content: 'hi' }, { content: 'hi' }] })
    const model = compatibleModel(server)
    const conversation: ChatMessage[] = [
      { role: 'system', content: 'You are agent1.' },
      { role: 'user', content: 'The task.', cacheControl: 'cleared' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'bash', arguments: '{"command":"ls"}' }] },
      { role: 'tool', toolCallId: 'call_1', content: 'calc.py\n', cacheControl: 'message' },
      { role: 'user', content: '[Message from agent2]: hi', cacheControl: 'part' },
    ]
    await model.complete({ messages: conversation, tools: [BASH], promptCache: 'marked' })
    // The server's JSON.parse keeps the keys in the order they were sent.
    const sent = server.chatRequests()[0]!.body as unknown as { messages: unknown[] }
    expect(sent.messages).toEqual([
      { role: 'system', content: 'You are agent1.' },
      { role: 'user', content: [{ type: 'text', text: 'The task.' }] },
      expect.objectContaining({ role: 'assistant' }),
      { role: 'tool', content: [{ type: 'text', text: 'calc.py\n' }], tool_call_id: 'call_1' },
      { role: 'user', content: [{ type: 'text', text: '[Message from agent2]: hi' }] },
    ])
    // Keys in the order SWE-agent writes them.
    expect(Object.keys(sent.messages[3] as object)).toEqual(['role', 'content', 'tool_call_id'])
    // Without promptCache 'marked' the marks are not the client's to send.
    await model.complete({ messages: conversation, tools: [BASH] })
    const unmarked = server.chatRequests()[1]!.body.messages.filter((m) => m.role !== 'assistant')
    expect(unmarked.map((m) => typeof m.content)).toEqual(['string', 'string', 'string', 'string'])
  })

  it('sends no tools when there are none', async () => {
    const server = await start({ script: [{ content: 'hi' }] })
    await compatibleModel(server).complete({ messages: START, tools: [] })
    expect(server.chatRequests()[0]?.body.tools).toBeUndefined()
    expect(server.chatRequests()[0]?.body.tool_choice).toBeUndefined()
  })

  it('maps usage, cached tokens included', async () => {
    const server = await start({ script: [{ content: 'x', usage: { promptTokens: 1200, completionTokens: 80, cachedTokens: 1000 } }] })
    const response = await compatibleModel(server).complete({ messages: START, tools: [BASH] })
    expect(response.usage).toEqual({ inputTokens: 1200, outputTokens: 80, cacheReadTokens: 1000, cacheWriteTokens: 0 })
  })

  it('records cost null for an unpriced model, and says nothing itself (the agent warns once, saying what it records)', async () => {
    const server = await start({ script: [{ content: 'one' }, { content: 'two' }] })
    const logger = recordingLogger()
    const model = compatibleModel(server, { logger })
    const first = await model.complete({ messages: START, tools: [BASH] })
    const second = await model.complete({ messages: START, tools: [BASH] })
    expect(first.cost).toBeNull()
    expect(second.cost).toBeNull()
    const warnings = logger.lines.filter(([level]) => level === 'warn').map(([, message]) => message)
    expect(warnings).toEqual([])
  })

  it('prices a known model from genai-prices: openai/gpt-4o through OPENAI_BASE_URL speaks Chat Completions to the fixture', async () => {
    const usage = { promptTokens: 12_000, completionTokens: 345, cachedTokens: 8_000 }
    const server = await start({ script: [toolCall('ls', { usage }), { content: 'done', usage }] })
    const logger = recordingLogger()
    const model = createChatModel({ model: 'openai/gpt-4o', env: { OPENAI_API_KEY: SECRET, OPENAI_BASE_URL: server.url }, logger })
    const response = await model.complete({ messages: START, tools: [BASH] })
    const expected = calcPrice({ input_tokens: 12_000, output_tokens: 345, cache_read_tokens: 8_000, cache_write_tokens: 0 }, 'gpt-4o', {
      providerId: 'openai',
    })
    expect(expected).not.toBeNull()
    expect(response.cost).toBe(expected?.total_price)
    expect(response.cost).toBeGreaterThan(0)
    expect(logger.lines.filter(([level]) => level === 'warn')).toEqual([])
    const [request] = server.chatRequests()
    expect(request?.path).toBe('/v1/chat/completions')
    expect(request?.body.model).toBe('gpt-4o')
    expect(request?.authorized).toBe(true)
    expect(JSON.stringify(response)).not.toContain(SECRET)
    // A bare id routes the same way.
    const bare = createChatModel({ model: 'gpt-4o', env: { OPENAI_API_KEY: SECRET, OPENAI_BASE_URL: server.url } })
    expect((await bare.complete({ messages: START, tools: [BASH] })).cost).toBe(expected?.total_price)
  })

  it('sends the OpenAI key as a bearer token to a server that requires it', async () => {
    const server = await start({ script: [{ content: 'ok' }], apiKey: SECRET })
    const model = createChatModel({ model: 'local-model', baseUrl: server.url, env: { OPENAI_API_KEY: SECRET } })
    expect((await model.complete({ messages: START, tools: [] })).text).toBe('ok')
    expect(server.chatRequests()[0]?.authorized).toBe(true)
  })

  it('retries a 429 and honours Retry-After over the backoff', async () => {
    const server = await start({
      script: [{ status: 429, headers: { 'Retry-After': '0' } }, { status: 429, headers: { 'Retry-After': '0' } }, { content: 'finally' }],
    })
    const logger = recordingLogger()
    // The backoff alone would wait 20 s and more: Retry-After: 0 must win.
    const model = compatibleModel(server, { logger, retryBaseMs: 20_000, retryMaxMs: 60_000 })
    const started = Date.now()
    const response = await model.complete({ messages: START, tools: [BASH] })
    expect(response.text).toBe('finally')
    expect(Date.now() - started).toBeLessThan(15_000)
    expect(server.chatRequests()).toHaveLength(3)
    const retries = logger.lines.filter(([level, message]) => level === 'warn' && message.includes('HTTP 429'))
    expect(retries).toHaveLength(2)
    expect(retries[0]?.[1]).toMatch(/retry 1\/10 in 0\.0s/)
  })

  it('retries a 500 up to maxRetries, then fails with a clear error', async () => {
    const server = await start({ script: () => ({ status: 500, errorMessage: 'upstream exploded' }) })
    const error = (await rejection(compatibleModel(server, { maxRetries: 3 }).complete({ messages: START, tools: [BASH] }))) as ModelCallError
    expect(isModelCallError(error)).toBe(true)
    expect(error.kind).toBe('server')
    expect(error.status).toBe(500)
    expect(error.attempts).toBe(4)
    expect(error.transient).toBe(true)
    expect(error.message).toContain('failed after 4 attempts')
    expect(error.message).toContain('HTTP 500')
    expect(error.message).toContain('upstream exploded')
    expect(server.chatRequests()).toHaveLength(4)
  })

  it('does not retry a 400 and surfaces the server message', async () => {
    const server = await start({ script: () => ({ status: 400, errorMessage: "Unsupported parameter: 'temperature' is not supported with this model." }) })
    const error = (await rejection(compatibleModel(server).complete({ messages: START, tools: [BASH], temperature: 0 }))) as ModelCallError
    expect(error.kind).toBe('bad-request')
    expect(error.status).toBe(400)
    expect(error.attempts).toBe(1)
    expect(error.message).toContain("Unsupported parameter: 'temperature'")
    expect(server.chatRequests()).toHaveLength(1)
  })

  it.each([
    [401, 'auth'],
    [403, 'auth'],
    [404, 'not-found'],
  ])('does not retry a %i', async (status, kind) => {
    const server = await start({ script: () => ({ status }) })
    const error = (await rejection(compatibleModel(server).complete({ messages: START, tools: [BASH] }))) as ModelCallError
    expect(error.kind).toBe(kind)
    expect(server.chatRequests()).toHaveLength(1)
  })

  it.each([
    ['a 501 Not Implemented', { fault: { answer: 501 } }, /HTTP 501/],
    ['an HTML page served with 200', { fault: { answer: 'html' } }, /HTML page \("Welcome"\), not the model API/],
    ['an HTML page served with 404', { fault: { answer: 'html', status: 404 } }, /HTML page/],
  ] as const)('does not retry %s: a protocol failure naming --model-base-url', async (_name, options, message) => {
    const server = await start({ script: () => ({ content: 'unused' }), ...options })
    const error = (await rejection(compatibleModel(server).complete({ messages: START, tools: [BASH] }))) as ModelCallError
    expect(error.kind).toBe('protocol')
    expect(error.message).toMatch(message)
    expect(error.hint).toMatch(/--model-base-url/)
    // A fault answers before the body is read, so the request is recorded without one.
    expect(server.requests.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(1)
  })

  it('does not retry a context-length error, even behind a 500', async () => {
    const server = await start({
      script: () => ({ status: 500, errorMessage: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens." }),
    })
    const error = (await rejection(compatibleModel(server).complete({ messages: START, tools: [BASH] }))) as ModelCallError
    expect(error.kind).toBe('context-length')
    expect(error.hint).toMatch(/context window/)
    expect(server.chatRequests()).toHaveLength(1)
  })

  it('times a slow request out, retries it, then fails', async () => {
    const server = await start({ script: () => ({ content: 'too late', delayMs: 60_000 }) })
    const started = Date.now()
    const error = (await rejection(compatibleModel(server, { timeoutMs: 150, maxRetries: 2 }).complete({ messages: START, tools: [BASH] }))) as ModelCallError
    expect(error.kind).toBe('timeout')
    expect(error.attempts).toBe(3)
    expect(error.message).toMatch(/failed after 3 attempts: no response within 150 ms/)
    // Well under one answer's 60 s, whatever the machine's load.
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(server.chatRequests()).toHaveLength(3)
  })

  it('succeeds after a timed-out attempt', async () => {
    const server = await start({ script: [{ content: 'slow', delayMs: 3_000 }, { content: 'fast' }] })
    const response = await compatibleModel(server, { timeoutMs: 150 }).complete({ messages: START, tools: [BASH] })
    expect(response.text).toBe('fast')
  })

  it('does not retry when the caller aborts', async () => {
    // The answer would take a minute: the call ends because of the abort, not the answer.
    const server = await start({ script: () => ({ content: 'too late', delayMs: 60_000 }) })
    const controller = new AbortController()
    const started = Date.now()
    const pending = rejection(compatibleModel(server).complete({ messages: START, tools: [BASH], signal: controller.signal }))
    // Aborted once the server has the request (on a busy machine a fixed delay could abort before it is sent).
    await waitFor(() => server.chatRequests().length === 1, 30_000)
    controller.abort()
    const error = await pending
    expect((error as Error).name).toBe('AbortError')
    expect(isModelCallError(error)).toBe(false)
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(server.chatRequests()).toHaveLength(1)
  })

  it('rejects at once with an already-aborted signal, and during a backoff wait', async () => {
    const server = await start({ script: () => ({ status: 503 }) })
    const aborted = AbortSignal.abort()
    await expect(compatibleModel(server).complete({ messages: START, tools: [], signal: aborted })).rejects.toMatchObject({ name: 'AbortError' })
    expect(server.chatRequests()).toHaveLength(0)
    const controller = new AbortController()
    const pending = compatibleModel(server, { retryBaseMs: 30_000, retryMaxMs: 60_000 }).complete({ messages: START, tools: [], signal: controller.signal })
    await waitFor(() => server.chatRequests().length === 1, 30_000)
    setTimeout(() => controller.abort(), 50)
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' })
    expect(server.chatRequests()).toHaveLength(1)
  })

  it('retries connection errors', async () => {
    const port = await freePort()
    const logger = recordingLogger()
    const model = createChatModel({
      model: 'local',
      baseUrl: `http://127.0.0.1:${port}/v1`,
      env: { OPENAI_API_KEY: SECRET },
      maxRetries: 2,
      retryBaseMs: 1,
      retryMaxMs: 2,
      logger,
    })
    const error = (await rejection(model.complete({ messages: START, tools: [] }))) as ModelCallError
    expect(error.kind).toBe('connection')
    expect(error.attempts).toBe(3)
    expect(logger.lines.filter(([level]) => level === 'warn')).toHaveLength(2)
    expect(`${error.message} ${JSON.stringify(logger.lines)}`).not.toContain(SECRET)
  })

  it('never lets the key out: errors and logs are scrubbed even when the server echoes it', async () => {
    const server = await start({
      script: [
        { status: 500, errorMessage: `proxy failed with Authorization: Bearer ${SECRET}` },
        { status: 401, errorMessage: `Incorrect API key provided: ${SECRET}. You can find your API key at https://platform.openai.com.` },
      ],
    })
    const logger = recordingLogger()
    const model = createChatModel({ model: 'openai/gpt-4o', env: { OPENAI_API_KEY: SECRET, OPENAI_BASE_URL: server.url }, logger, retryBaseMs: 1 })
    const error = (await rejection(model.complete({ messages: START, tools: [BASH] }))) as ModelCallError
    expect(error.kind).toBe('auth')
    expect(error.hint).toBe('Check OPENAI_API_KEY.')
    expect(error.message).toContain('Incorrect API key provided: [redacted]')
    const everything = `${error.message} ${error.stack ?? ''} ${JSON.stringify(error)} ${String(error.cause ?? '')} ${JSON.stringify(logger.lines)}`
    expect(everything).not.toContain(SECRET)
    expect(logger.lines.some(([level]) => level === 'warn')).toBe(true)
  })

  it('fills in a missing tool result instead of sending an invalid conversation', async () => {
    const server = await start({ script: [{ content: 'ok' }] })
    const logger = recordingLogger()
    await compatibleModel(server, { logger }).complete({
      messages: [
        ...START,
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_x', name: 'bash', arguments: '{"command":"ls"}' }] },
        { role: 'user', content: 'Please use one command per step.' },
      ],
      tools: [BASH],
    })
    expect(server.chatRequests()[0]?.body.messages.slice(2)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_x', type: 'function', function: { name: 'bash', arguments: '{"command":"ls"}' } }] },
      { role: 'tool', tool_call_id: 'call_x', content: MISSING_TOOL_RESULT },
      { role: 'user', content: 'Please use one command per step.' },
    ])
    expect(logger.lines.some(([level, message]) => level === 'debug' && message.includes('call_x'))).toBe(true)
  })
})

describe('createChatModel configuration', () => {
  it.each([
    ['openai/gpt-4o', 'OPENAI_API_KEY'],
    ['gpt-4o', 'OPENAI_API_KEY'],
    ['anthropic/claude-sonnet-4-5-20250929', 'ANTHROPIC_API_KEY'],
    ['claude-sonnet-4-5-20250929', 'ANTHROPIC_API_KEY'],
    ['gemini/gemini-3-flash-preview', 'GEMINI_API_KEY'],
    ['openrouter/meta-llama/llama-3.1-70b-instruct', 'OPENROUTER_API_KEY'],
    ['deepseek/deepseek-chat', 'DEEPSEEK_API_KEY'],
    ['vertex_ai/gemini-3-flash-preview', 'VERTEXAI_PROJECT'],
    ['hosted_vllm/my-model', 'HOSTED_VLLM_API_BASE'],
  ])('%s without configuration: CONFIG_INVALID naming %s, before any request', (model, variable) => {
    let caught: unknown
    try {
      createChatModel({ model, env: {} })
    } catch (error) {
      caught = error
    }
    expect(isCooperbenchError(caught)).toBe(true)
    if (!isCooperbenchError(caught)) return
    expect(caught.code).toBe('CONFIG_INVALID')
    expect(caught.message).toContain(variable)
    expect(caught.message).toContain(model)
    expect(caught.hint).toBeTruthy()
  })

  it('creates models for every provider without a request, keys taken from env only', () => {
    const env = {
      OPENAI_API_KEY: SECRET,
      ANTHROPIC_API_KEY: SECRET,
      GEMINI_API_KEY: SECRET,
      OPENROUTER_API_KEY: SECRET,
      VERTEXAI_PROJECT: 'my-project',
      HOSTED_VLLM_API_BASE: 'http://127.0.0.1:8000/v1',
    }
    for (const model of [
      'openai/gpt-4o',
      'anthropic/claude-sonnet-4-5',
      'gemini/gemini-3-flash-preview',
      'vertex_ai/gemini-3-flash-preview',
      'vertex_ai/claude-sonnet-4-5@20250929',
      'openrouter/x/y',
      'hosted_vllm/m',
      'ollama/llama3',
    ]) {
      expect(createChatModel({ model, env }).id).toBe(model)
    }
  })

  it('a base URL model needs no key', () => {
    expect(createChatModel({ model: 'moonshotai/Kimi-K2.5', baseUrl: 'http://127.0.0.1:1/v1', env: {} }).id).toBe('moonshotai/Kimi-K2.5')
  })

  it('an unknown provider without a base URL is a CONFIG_INVALID error', () => {
    expect(() => createChatModel({ model: 'moonshotai/Kimi-K2.5', env: {} })).toThrow(/unknown provider 'moonshotai'/)
  })
})

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
