import { isCooperbenchError } from '@cooperbench/spec'
import { errorTurn, type ScriptedLlmServer, startScriptedLlmServer, textTurn } from '@cooperbench/testkit/llm-server'
import { afterEach, describe, expect, it } from 'vitest'
import { createChatClient } from '../src/chat-client.js'

let server: ScriptedLlmServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const never = new AbortController().signal
const ask = { messages: [{ role: 'user' as const, content: 'hi' }], maxTokens: null, temperature: null, signal: never }

describe('createChatClient', () => {
  it('posts model, messages, max_tokens and temperature with the bearer key, and reads the reply and its usage', async () => {
    server = await startScriptedLlmServer({
      apiKey: 'sk-test',
      script: [textTurn('hello', { usage: { promptTokens: 11, completionTokens: 3, cachedTokens: 4 } })],
    })
    const client = createChatClient({ model: 'm-1', baseUrl: server.url, apiKey: 'sk-test' }, { timeoutMs: 30_000 })
    const reply = await client.complete({ ...ask, maxTokens: 64, temperature: 0 })
    expect(reply).toEqual({ content: 'hello', finishReason: 'stop', usage: { promptTokens: 11, completionTokens: 3, cachedTokens: 4 } })
    const [request] = server.chatRequests()
    expect(request!.authorized).toBe(true)
    expect(request!.path).toBe('/v1/chat/completions')
    expect(request!.body).toMatchObject({ model: 'm-1', messages: [{ role: 'user', content: 'hi' }], max_tokens: 64, temperature: 0 })
  })

  it('leaves max_tokens and temperature to the server when they are null', async () => {
    server = await startScriptedLlmServer({ script: [textTurn('ok')] })
    await createChatClient({ model: 'm', baseUrl: server.url, apiKey: null }, { timeoutMs: 30_000 }).complete(ask)
    const body = server.chatRequests()[0]!.body
    expect(body).not.toHaveProperty('max_tokens')
    expect(body).not.toHaveProperty('temperature')
  })

  it('refuses a wrong key with CONFIG_INVALID and a hint naming apiKeyEnv, without retrying', async () => {
    server = await startScriptedLlmServer({ apiKey: 'sk-right', script: [textTurn('never')] })
    const error = await createChatClient({ model: 'm', baseUrl: server.url, apiKey: 'sk-wrong' }, { timeoutMs: 30_000 })
      .complete(ask)
      .catch((e: unknown) => e)
    expect(isCooperbenchError(error) && error.code).toBe('CONFIG_INVALID')
    expect((error as Error).message).toMatch(/answered 401/)
    expect(isCooperbenchError(error) && error.hint).toMatch(/apiKeyEnv/)
    expect(server.chatRequests()).toHaveLength(1)
  })

  it('retries a rate limit and a server error, honouring Retry-After', async () => {
    server = await startScriptedLlmServer({
      script: [errorTurn(429, { headers: { 'Retry-After': '0' } }), errorTurn(503, { headers: { 'Retry-After': '0' } }), textTurn('third time')],
    })
    const reply = await createChatClient({ model: 'm', baseUrl: server.url, apiKey: null }, { timeoutMs: 30_000 }).complete(ask)
    expect(reply.content).toBe('third time')
    expect(server.chatRequests()).toHaveLength(3)
  })

  it('gives up after two retries with BACKEND_UNAVAILABLE and the server message', async () => {
    const busy = errorTurn(503, { headers: { 'Retry-After': '0' }, errorMessage: 'overloaded' })
    server = await startScriptedLlmServer({ script: [busy, busy, busy, textTurn('too late')] })
    const error = await createChatClient({ model: 'm', baseUrl: server.url, apiKey: null }, { timeoutMs: 30_000 })
      .complete(ask)
      .catch((e: unknown) => e)
    expect(isCooperbenchError(error) && error.code).toBe('BACKEND_UNAVAILABLE')
    expect((error as Error).message).toMatch(/answered 503: overloaded/)
    expect(server.chatRequests()).toHaveLength(3)
  })

  it('times a request out after timeoutMs, once: a slow model is not asked again', async () => {
    server = await startScriptedLlmServer({ script: [textTurn('slow', { delayMs: 60_000 }), textTurn('fast')] })
    const started = Date.now()
    const error = await createChatClient({ model: 'm', baseUrl: server.url, apiKey: null }, { timeoutMs: 300 })
      .complete(ask)
      .catch((e: unknown) => e)
    expect(isCooperbenchError(error) && error.code).toBe('BACKEND_UNAVAILABLE')
    expect((error as Error).message).toMatch(/did not answer within 300 ms/)
    expect(isCooperbenchError(error) && error.hint).toMatch(/requestTimeoutMs/)
    // Well under the slow answer's 60 s, whatever the machine's load.
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(server.chatRequests()).toHaveLength(1)
  })

  it('rejects at once with the reason when the signal fires mid-request', async () => {
    server = await startScriptedLlmServer({ script: [textTurn('slow', { delayMs: 10_000 })] })
    const controller = new AbortController()
    const pending = createChatClient({ model: 'm', baseUrl: server.url, apiKey: null }, { timeoutMs: 30_000 }).complete({ ...ask, signal: controller.signal })
    setTimeout(() => controller.abort(new Error('interrupted')), 100)
    await expect(pending).rejects.toThrow('interrupted')
  })

  it('names the URL when nothing listens there', async () => {
    server = await startScriptedLlmServer({ script: [] })
    const url = server.url
    await server.close()
    const error = await createChatClient({ model: 'm', baseUrl: url, apiKey: null }, { timeoutMs: 2_000, backoffMs: 10 })
      .complete(ask)
      .catch((e: unknown) => e)
    expect(isCooperbenchError(error) && error.code).toBe('BACKEND_UNAVAILABLE')
    expect((error as Error).message).toContain(`cannot reach the model at ${url}/chat/completions`)
    expect(isCooperbenchError(error) && error.hint).toMatch(/--model-base-url/)
  })
})
