import { isCooperbenchError } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { resolveEndpoint } from '../src/endpoint.js'
import { createOneshotAgent, oneshotOwnLimits, withOneshotDefaults } from '../src/index.js'

/** What `preflight` rejects with (or null when it resolves). */
async function preflightError(options: Record<string, unknown>, model: string, env: NodeJS.ProcessEnv = {}) {
  const agent = createOneshotAgent({}, { env })
  return agent.preflight!({ model, options, limits: { steps: 3, costUsd: 0, wallClockSeconds: null, ...oneshotOwnLimits(options) } }).then(
    () => null,
    (error: unknown) => error,
  )
}

describe('preflight', () => {
  it('fails once, naming the flag, when no base URL is configured', async () => {
    const error = await preflightError({}, 'openai/gpt-4.1', { OPENAI_API_KEY: 'sk' })
    expect(isCooperbenchError(error) && error.code).toBe('CONFIG_INVALID')
    expect((error as Error).message).toMatch(/no model base URL/)
    expect(isCooperbenchError(error) && error.hint).toMatch(/--model-base-url/)
  })

  it('fails, naming the variable, when the key is missing for a remote URL', async () => {
    const error = await preflightError({ model_base_url: 'https://api.example.com/v1', apiKeyEnv: 'EXAMPLE_KEY' }, 'm', { OPENAI_API_KEY: 'sk' })
    expect((error as Error).message).toMatch(/EXAMPLE_KEY is not set, and api\.example\.com is not on this machine/)
    expect(isCooperbenchError(error) && error.hint).toMatch(/export EXAMPLE_KEY=/i)
    expect(await preflightError({ model_base_url: 'https://api.example.com/v1', apiKeyEnv: 'EXAMPLE_KEY' }, 'm', { EXAMPLE_KEY: 'k' })).toBeNull()
  })

  it('needs no key for a server on this machine', async () => {
    for (const url of ['http://127.0.0.1:8000/v1', 'http://localhost:11434/v1', 'http://[::1]:8000/v1']) {
      expect(await preflightError({ model_base_url: url }, 'qwen', {})).toBeNull()
    }
  })

  it('fails when no model is configured at all', async () => {
    const error = await preflightError({ baseUrl: 'http://127.0.0.1:1/v1' }, '  ')
    expect((error as Error).message).toMatch(/no model is configured/)
  })
})

describe('resolveEndpoint', () => {
  it('takes the run model without its self-hosting prefix, and the harness base URL', () => {
    const options = withOneshotDefaults({ model_base_url: 'http://127.0.0.1:8000/v1/' })
    expect(resolveEndpoint('hosted_vllm/Qwen/Qwen3-8B', options, {})).toEqual({ model: 'Qwen/Qwen3-8B', baseUrl: 'http://127.0.0.1:8000/v1', apiKey: null })
    // Prefixes that name a provider stay: a proxy may route by them.
    expect(resolveEndpoint('anthropic/claude-x', options, {}).model).toBe('anthropic/claude-x')
  })

  it('lets the plugin options override the run model and base URL, and reads the key from apiKeyEnv', () => {
    const options = withOneshotDefaults({
      model: 'openai/literal-id',
      baseUrl: 'https://proxy.example/v1',
      model_base_url: 'http://127.0.0.1:8000/v1',
      apiKeyEnv: 'PROXY_KEY',
    })
    expect(resolveEndpoint('gpt-4.1', options, { PROXY_KEY: 'pk', OPENAI_API_KEY: 'ok' })).toEqual({
      model: 'openai/literal-id',
      baseUrl: 'https://proxy.example/v1',
      apiKey: 'pk',
    })
  })
})
