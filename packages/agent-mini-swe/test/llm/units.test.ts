import { calcPrice } from '@pydantic/genai-prices'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { backoffDelayMs, MAX_RETRY_AFTER_MS } from '../../src/llm/backoff.js'
import { retryAfterMs } from '../../src/llm/errors.js'
import { pythonFloat } from '../../src/llm/litellm-body.js'
import { MISSING_TOOL_RESULT, toModelMessages } from '../../src/llm/messages.js'
import { computeCost } from '../../src/llm/pricing.js'
import { SecretScrubber } from '@cooperbench/spec-utils'
import { routeModel } from '../../src/llm/routing.js'
import { createSdkModel, sharedSdkModel } from '../../src/llm/sdk-client.js'
import { resolveClientSettings } from '../../src/llm/settings.js'

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('toModelMessages', () => {
  const conversation = [
    { role: 'system' as const, content: 'sys' },
    { role: 'user' as const, content: 'task' },
    { role: 'assistant' as const, content: 'thinking', toolCalls: [{ id: 't1', name: 'bash', arguments: '{"command":"ls"}' }] },
    { role: 'tool' as const, toolCallId: 't1', content: 'a.txt' },
    { role: 'assistant' as const, content: '', toolCalls: [{ id: 't2', name: 'bash', arguments: '{"command":' }] },
    { role: 'tool' as const, toolCallId: 't2', content: 'bad arguments' },
  ]

  it('parses arguments into objects for providers that need them ({} when malformed)', () => {
    const messages = toModelMessages(conversation, { rawArguments: false, cacheBreakpoints: false })
    expect(messages[2]).toEqual({
      role: 'assistant',
      content: [
        { type: 'text', text: 'thinking' },
        { type: 'tool-call', toolCallId: 't1', toolName: 'bash', input: { command: 'ls' } },
      ],
    })
    expect(messages[3]).toEqual({
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId: 't1', toolName: 'bash', output: { type: 'text', value: 'a.txt' } }],
    })
    expect(messages[4]).toEqual({ role: 'assistant', content: [{ type: 'tool-call', toolCallId: 't2', toolName: 'bash', input: {} }] })
  })

  it('keeps raw argument text for OpenAI-style clients', () => {
    const messages = toModelMessages(conversation, { rawArguments: true, cacheBreakpoints: false })
    expect(messages[4]).toEqual({ role: 'assistant', content: [{ type: 'tool-call', toolCallId: 't2', toolName: 'bash', input: '{"command":' }] })
  })

  it('marks the system prompt and the last two user/tool messages as Anthropic cache breakpoints', () => {
    const messages = toModelMessages(conversation, { rawArguments: false, cacheBreakpoints: true })
    const marked = messages.map((message) => message.providerOptions !== undefined)
    expect(marked).toEqual([true, false, false, true, false, true])
    expect(messages[0]?.providerOptions).toEqual({ anthropic: { cacheControl: { type: 'ephemeral' } } })
  })

  it("with 'marked', makes breakpoints of the messages' own cache_control marks only (the system prompt not among them)", () => {
    const marks = [undefined, 'cleared', undefined, 'message', undefined, 'part'] as const
    const marked = conversation.map((message, i) => (marks[i] === undefined ? message : { ...message, cacheControl: marks[i] }))
    const messages = toModelMessages(marked, { rawArguments: false, cacheBreakpoints: 'marked' })
    expect(messages.map((message) => message.providerOptions !== undefined)).toEqual([false, false, false, true, false, true])
  })

  it('merges consecutive tool results and repairs inconsistent conversations', () => {
    const repairs: string[] = []
    const messages = toModelMessages(
      [
        { role: 'user', content: 'task' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [
            { id: 'a', name: 'bash', arguments: '{}' },
            { id: 'b', name: 'bash', arguments: '{}' },
            { id: 'c', name: 'bash', arguments: '{}' },
          ],
        },
        { role: 'tool', toolCallId: 'a', content: 'A' },
        { role: 'tool', toolCallId: 'b', content: 'B' },
        { role: 'tool', toolCallId: 'zzz', content: 'orphan' },
      ],
      { rawArguments: true, cacheBreakpoints: false, onRepair: (message) => repairs.push(message) },
    )
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'user'])
    expect(messages[2]?.content).toEqual([
      { type: 'tool-result', toolCallId: 'a', toolName: 'bash', output: { type: 'text', value: 'A' } },
      { type: 'tool-result', toolCallId: 'b', toolName: 'bash', output: { type: 'text', value: 'B' } },
      { type: 'tool-result', toolCallId: 'c', toolName: 'bash', output: { type: 'text', value: MISSING_TOOL_RESULT } },
    ])
    expect(messages[3]).toEqual({ role: 'user', content: 'orphan' })
    expect(repairs).toHaveLength(2)
  })
})

describe('backoff', () => {
  it('grows exponentially from the base, with jitter in the upper half, capped at the max', () => {
    const low = () => 0
    const high = () => 1
    expect(backoffDelayMs(1, { baseMs: 4000, maxMs: 60_000, random: low })).toBe(2000)
    expect(backoffDelayMs(1, { baseMs: 4000, maxMs: 60_000, random: high })).toBe(4000)
    expect(backoffDelayMs(3, { baseMs: 4000, maxMs: 60_000, random: high })).toBe(16_000)
    expect(backoffDelayMs(10, { baseMs: 4000, maxMs: 60_000, random: high })).toBe(60_000)
    for (let retry = 1; retry < 20; retry++) expect(backoffDelayMs(retry, { baseMs: 4000, maxMs: 60_000 })).toBeLessThanOrEqual(60_000)
  })

  it('honours Retry-After (seconds, milliseconds, HTTP dates), within a sane bound', () => {
    expect(backoffDelayMs(5, { baseMs: 4000, maxMs: 60_000, retryAfterMs: 0 })).toBe(0)
    expect(backoffDelayMs(1, { baseMs: 4000, maxMs: 60_000, retryAfterMs: 90_000 })).toBe(90_000)
    expect(backoffDelayMs(1, { baseMs: 4000, maxMs: 60_000, retryAfterMs: 10 ** 9 })).toBe(MAX_RETRY_AFTER_MS)
    expect(retryAfterMs({ 'Retry-After': '2' })).toBe(2000)
    expect(retryAfterMs({ 'retry-after-ms': '150', 'retry-after': '9' })).toBe(150)
    expect(retryAfterMs({ 'retry-after': new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString() }, Date.UTC(2030, 0, 1))).toBe(30_000)
    expect(retryAfterMs({ 'retry-after': 'soon' })).toBeUndefined()
    expect(retryAfterMs(undefined)).toBeUndefined()
  })
})

describe('SecretScrubber', () => {
  it('removes given secrets, key-like env values, bearer tokens and key-shaped strings', () => {
    const scrubber = new SecretScrubber(['given-secret-123'], { MY_SERVICE_TOKEN: 'tok_abcdefgh123', PATH: '/usr/bin:/bin', SHORT_KEY: 'abc' })
    const text =
      'given-secret-123 tok_abcdefgh123 Authorization: Bearer xyz.123 "x-api-key": "k-999" sk-ant-api03-abcdefghijklmnop ?key=AIzaSyABCDEFGHIJKLMNOPQRSTUVW /usr/bin:/bin abc'
    const scrubbed = scrubber.text(text)
    for (const secret of ['given-secret-123', 'tok_abcdefgh123', 'xyz.123', 'k-999', 'sk-ant-api03-abcdefghijklmnop', 'AIzaSyABCDEFGHIJKLMNOPQRSTUVW'])
      expect(scrubbed).not.toContain(secret)
    expect(scrubbed).toContain('/usr/bin:/bin')
    expect(scrubbed).toContain(' abc')
  })

  it('scrubs JSON values and returns the same object when nothing changed', () => {
    const scrubber = new SecretScrubber(['given-secret-123'])
    const clean = { a: 1, b: ['x'] }
    expect(scrubber.value(clean)).toBe(clean)
    expect(scrubber.value({ echo: 'key given-secret-123' })).toEqual({ echo: 'key [redacted]' })
  })
})

describe('computeCost', () => {
  const usage = { inputTokens: 10_000, outputTokens: 500, cacheReadTokens: 6_000, cacheWriteTokens: 1_000 }

  it('equals genai-prices for known models, with no network access', () => {
    vi.stubGlobal('fetch', () => {
      throw new Error('network access during pricing')
    })
    for (const [priceProvider, modelId] of [
      ['openai', 'gpt-4o'],
      ['anthropic', 'claude-sonnet-4-5-20250929'],
      ['google', 'gemini-2.5-pro'],
      ['google', 'claude-sonnet-4-5@20250929'],
      ['openrouter', 'meta-llama/llama-3.1-70b-instruct'],
    ] as const) {
      const expected = calcPrice({ input_tokens: 10_000, output_tokens: 500, cache_read_tokens: 6_000, cache_write_tokens: 1_000 }, modelId, {
        providerId: priceProvider,
      })
      expect(expected, `${priceProvider}:${modelId}`).not.toBeNull()
      expect(computeCost({ priceProvider, modelIds: [modelId], usage })).toBe(expected?.total_price)
    }
  })

  it('falls back to the id the response names, and never throws on odd usage', () => {
    expect(computeCost({ priceProvider: 'openai', modelIds: ['my-alias', 'gpt-4o-2024-08-06'], usage })).toBeGreaterThan(0)
    const odd = { inputTokens: 10, outputTokens: 5, cacheReadTokens: 100, cacheWriteTokens: 0 }
    expect(computeCost({ priceProvider: 'openai', modelIds: ['gpt-4o'], usage: odd })).toBeGreaterThan(0)
  })

  it('is null for unknown models and providers', () => {
    expect(computeCost({ priceProvider: 'openai', modelIds: ['no-such-model-zz'], usage })).toBeNull()
    expect(computeCost({ priceProvider: 'no-such-provider', modelIds: ['gpt-4o'], usage })).toBeNull()
    expect(computeCost({ priceProvider: null, modelIds: ['gpt-4o'], usage })).toBeNull()
  })
})

describe('provider clients', () => {
  const env = {
    OPENAI_API_KEY: 'sk-test-000000000000',
    ANTHROPIC_API_KEY: 'sk-ant-test-000000000000',
    GEMINI_API_KEY: 'gemini-test-000000000000',
    OPENROUTER_API_KEY: 'sk-or-test-000000000000',
    VERTEXAI_PROJECT: 'my-project',
    VERTEXAI_LOCATION: 'us-east5',
  }

  it.each([
    ['openai/gpt-4o', {}, 'openai.responses', 'gpt-4o'],
    ['openai/gpt-4o', { OPENAI_BASE_URL: 'http://127.0.0.1:4000/v1' }, 'openai.chat', 'gpt-4o'],
    ['anthropic/claude-sonnet-4-5', {}, 'anthropic.messages', 'claude-sonnet-4-5'],
    ['gemini/gemini-3-flash-preview', {}, 'google.generative-ai', 'gemini-3-flash-preview'],
    ['vertex_ai/gemini-3-flash-preview', {}, 'google.vertex.chat', 'gemini-3-flash-preview'],
    ['vertex_ai/claude-sonnet-4-5@20250929', {}, 'googleVertex.anthropic.messages', 'claude-sonnet-4-5@20250929'],
    ['openrouter/meta-llama/llama-3.1-70b-instruct', {}, 'openrouter.chat', 'meta-llama/llama-3.1-70b-instruct'],
    ['ollama/llama3.1', {}, 'ollama.chat', 'llama3.1'],
  ])('%s %j → %s', async (model, extraEnv, provider, modelId) => {
    const sdkModel = (await createSdkModel(resolveClientSettings(routeModel(model), { ...env, ...extraEnv }))) as { provider: string; modelId: string }
    expect(sdkModel.provider).toBe(provider)
    expect(sdkModel.modelId).toBe(modelId)
  })

  it('shares one model object per settings across agents, and makes another for other settings', async () => {
    const settings = (baseUrl: string) => resolveClientSettings(routeModel('ollama/llama3.1'), { ...env, OLLAMA_API_BASE: baseUrl })
    const first = await sharedSdkModel(settings('http://gpu-a:11434'))
    expect(await sharedSdkModel(settings('http://gpu-a:11434'))).toBe(first)
    const other = (await sharedSdkModel(settings('http://gpu-b:11434'))) as { modelId: string }
    expect(other).not.toBe(first)
    expect(other.modelId).toBe('llama3.1')
  })

  it('reads endpoints the LiteLLM way', () => {
    expect(resolveClientSettings(routeModel('anthropic/claude-x'), { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: 'https://proxy.example' })).toMatchObject({
      baseUrl: 'https://proxy.example/v1',
    })
    expect(resolveClientSettings(routeModel('anthropic/claude-x'), { ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: 'https://proxy.example/v1/' })).toMatchObject({
      baseUrl: 'https://proxy.example/v1',
    })
    expect(resolveClientSettings(routeModel('ollama/llama3'), { OLLAMA_API_BASE: 'http://gpu:11434' })).toMatchObject({
      baseUrl: 'http://gpu:11434/v1',
      apiKey: 'EMPTY',
    })
    expect(resolveClientSettings(routeModel('hosted_vllm/m'), { HOSTED_VLLM_API_BASE: 'http://gpu:8000/v1' })).toMatchObject({
      client: 'openai-compatible',
      baseUrl: 'http://gpu:8000/v1',
    })
    expect(resolveClientSettings(routeModel('vertex_ai/gemini-2.5-pro'), { GOOGLE_CLOUD_PROJECT: 'p' })).toMatchObject({
      client: 'vertex',
      project: 'p',
      location: 'us-central1',
    })
    expect(resolveClientSettings(routeModel('m', 'http://h/v1'), { OPENAI_API_KEY: 'sk-x' })).toMatchObject({
      client: 'openai-compatible',
      baseUrl: 'http://h/v1',
      apiKey: 'sk-x',
    })
  })
})

describe("pythonFloat (LiteLLM's bodies: Python's repr of a float)", () => {
  it('writes whole numbers with .0, the shortest digits otherwise, and exponents as Python does', () => {
    const cases: Array<[number, string]> = [
      [0, '0.0'],
      [-0, '-0.0'],
      [1, '1.0'],
      [0.7, '0.7'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [1.5e-7, '1.5e-07'],
      [1e15, '1000000000000000.0'],
      [1e16, '1e+16'],
      [-2.5e22, '-2.5e+22'],
    ]
    expect(cases.map(([value]) => pythonFloat(value))).toEqual(cases.map(([, text]) => text))
  })
})
