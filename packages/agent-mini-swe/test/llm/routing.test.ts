import { isCooperbenchError } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { routeModel } from '../../src/llm/routing.js'

const BASE = 'http://127.0.0.1:8000/v1'

describe('routeModel', () => {
  it.each([
    ['gpt-4o', null, { provider: 'openai', modelId: 'gpt-4o', priceProvider: 'openai' }],
    ['openai/gpt-4o', null, { provider: 'openai', modelId: 'gpt-4o', priceProvider: 'openai' }],
    ['o3-mini', null, { provider: 'openai', modelId: 'o3-mini', priceProvider: 'openai' }],
    ['o1', null, { provider: 'openai', modelId: 'o1', priceProvider: 'openai' }],
    ['o4-mini', null, { provider: 'openai', modelId: 'o4-mini', priceProvider: 'openai' }],
    ['chatgpt-4o-latest', null, { provider: 'openai', modelId: 'chatgpt-4o-latest', priceProvider: 'openai' }],
    ['claude-sonnet-4-5-20250929', null, { provider: 'anthropic', modelId: 'claude-sonnet-4-5-20250929', priceProvider: 'anthropic' }],
    ['anthropic/claude-sonnet-4-5-20250929', null, { provider: 'anthropic', modelId: 'claude-sonnet-4-5-20250929', priceProvider: 'anthropic' }],
    ['gemini-2.5-pro', null, { provider: 'google', modelId: 'gemini-2.5-pro', priceProvider: 'google' }],
    ['gemini/gemini-3-flash-preview', null, { provider: 'google', modelId: 'gemini-3-flash-preview', priceProvider: 'google' }],
    ['vertex_ai/gemini-3-flash-preview', null, { provider: 'vertex', modelId: 'gemini-3-flash-preview', priceProvider: 'google' }],
    ['vertex_ai/claude-sonnet-4-5@20250929', null, { provider: 'vertex', modelId: 'claude-sonnet-4-5@20250929', priceProvider: 'google' }],
    [
      'openrouter/meta-llama/llama-3.1-70b-instruct',
      null,
      { provider: 'openrouter', modelId: 'meta-llama/llama-3.1-70b-instruct', priceProvider: 'openrouter' },
    ],
    ['deepseek/deepseek-chat', null, { provider: 'openai-compatible', modelId: 'deepseek-chat', priceProvider: 'deepseek' }],
    ['hosted_vllm/Qwen/Qwen3-Coder-30B', null, { provider: 'openai-compatible', modelId: 'Qwen/Qwen3-Coder-30B', priceProvider: null }],
    ['ollama/llama3.1', null, { provider: 'openai-compatible', modelId: 'llama3.1', priceProvider: null }],
    // With a base URL everything goes to that OpenAI-compatible server, unpriced.
    ['moonshotai/Kimi-K2.5', BASE, { provider: 'openai-compatible', modelId: 'moonshotai/Kimi-K2.5', priceProvider: null }],
    ['hosted_vllm/moonshotai/Kimi-K2.5', BASE, { provider: 'openai-compatible', modelId: 'moonshotai/Kimi-K2.5', priceProvider: null }],
    ['openai/gpt-4o', BASE, { provider: 'openai-compatible', modelId: 'gpt-4o', priceProvider: null }],
    ['gpt-4o', BASE, { provider: 'openai-compatible', modelId: 'gpt-4o', priceProvider: null }],
    ['anthropic/claude-sonnet-4-5', BASE, { provider: 'openai-compatible', modelId: 'anthropic/claude-sonnet-4-5', priceProvider: null }],
    ['my-local-model', `${BASE}/`, { provider: 'openai-compatible', modelId: 'my-local-model', priceProvider: null }],
    // An empty base URL is no base URL.
    ['gpt-4o', '  ', { provider: 'openai', modelId: 'gpt-4o', priceProvider: 'openai' }],
  ] as const)('%s (base URL %s)', (model, baseUrl, expected) => {
    expect(routeModel(model, baseUrl)).toMatchObject(expected)
  })

  it.each([
    ['moonshotai/Kimi-K2.5', /unknown provider 'moonshotai'/],
    ['llama-3.1-70b', /unknown model 'llama-3.1-70b'/],
    ['', /no model given/],
    ['openai/', /names no model/],
    ['/gpt-4o', /model '\/gpt-4o' names no provider before '\/'/],
  ])('rejects %s with a CONFIG_INVALID error naming the fix', (model, message) => {
    let caught: unknown
    try {
      routeModel(model)
    } catch (error) {
      caught = error
    }
    expect(isCooperbenchError(caught)).toBe(true)
    if (!isCooperbenchError(caught)) return
    expect(caught.code).toBe('CONFIG_INVALID')
    expect(caught.message).toMatch(message)
    if (model !== '') expect(caught.hint).toMatch(/provider\/model.*--model-base-url/s)
  })

  it('suggests a provider before the name a model without one was given (`-m /gpt-4o`: its own provider, never `openrouter//gpt-4o`)', () => {
    const hintOf = (model: string) => {
      try {
        routeModel(model)
      } catch (error) {
        return isCooperbenchError(error) ? error.hint : null
      }
      return null
    }
    expect(hintOf('/gpt-4o')).toContain('e.g. openai/gpt-4o,')
    expect(hintOf('//my-model')).toContain('e.g. openrouter/my-model,')
    expect(hintOf('moonshotai/Kimi-K2.5')).toContain('e.g. openrouter/moonshotai/Kimi-K2.5,')
  })
})

describe('routeModel with a base URL, priced by the name (the reference protocol, as LiteLLM prices)', () => {
  const URL = 'http://127.0.0.1:8000/v1'
  it.each([
    ['openai/gpt-4o', { modelId: 'gpt-4o', priceProvider: 'openai' }],
    ['gpt-4o', { modelId: 'gpt-4o', priceProvider: 'openai' }],
    ['anthropic/claude-sonnet-4-5', { modelId: 'anthropic/claude-sonnet-4-5', priceProvider: 'anthropic', priceModelId: 'claude-sonnet-4-5' }],
    ['hosted_vllm/gpt-4o', { modelId: 'gpt-4o', priceProvider: null }],
    ['ollama/llama3.1', { modelId: 'llama3.1', priceProvider: null }],
    ['my-model', { modelId: 'my-model', priceProvider: null }],
  ] as const)('%s', (model, expected) => {
    const route = routeModel(model, URL, { byName: true })
    expect(route).toMatchObject({ provider: 'openai-compatible', ...expected })
    if (!('priceModelId' in expected)) expect(route.priceModelId).toBeUndefined()
    // Without it (our profiles) a custom endpoint has no price.
    expect(routeModel(model, URL).priceProvider).toBeNull()
  })
})
