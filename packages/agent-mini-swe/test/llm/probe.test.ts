import { isCooperbenchError } from '@cooperbench/spec'
import { type ScriptedLlmServer, type ScriptedLlmServerOptions, scriptedLlmServersPerTest } from '@cooperbench/testkit'
import { describe, expect, it } from 'vitest'
import { probeModelServer } from '../../src/llm/probe.js'

const KEY = 'sk-test-SECRET-0123456789abcdefXYZ'
const ENV = { OPENAI_API_KEY: KEY }

const startServer = scriptedLlmServersPerTest()
/** A server that no test here asks for a completion. */
const start = (options: Omit<ScriptedLlmServerOptions, 'script'>) => startServer({ script: [], ...options })

async function probeError(server: ScriptedLlmServer): Promise<{ code: string; message: string; hint: string | undefined }> {
  const error = await probeModelServer('openai/scripted-model', server.url, ENV).then(
    () => null,
    (e: unknown) => e,
  )
  if (!isCooperbenchError(error)) throw new Error(`expected a CooperbenchError, got ${String(error)}`)
  return error as { code: string; message: string; hint: string | undefined }
}

describe('probeModelServer: a misconfigured model fails before any token is spent', () => {
  it('lists the models with the key the client would send, and passes', async () => {
    const server = await start({ apiKey: KEY })
    await probeModelServer('openai/scripted-model', server.url, ENV)
    expect(server.requests.map((r) => [r.method, r.path, r.authorized])).toEqual([['GET', '/v1/models', true]])
    expect(server.chatRequests()).toHaveLength(0)
  })

  it("a refused key (OpenAI's 401 invalid_api_key) is a configuration error naming the variable, the key scrubbed", async () => {
    const error = await probeError(await start({ fault: { answer: 401 } }))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toMatch(/refuses OPENAI_API_KEY \(HTTP 401: Incorrect API key provided/)
    expect(error.hint).toBe('Check OPENAI_API_KEY.')
    expect(JSON.stringify(error)).not.toContain(KEY)
  })

  it('a base URL that serves a web page is a configuration error naming --model-base-url', async () => {
    const error = await probeError(await start({ fault: { answer: 'html' } }))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toMatch(/HTML page \("Welcome"\) \(HTTP 200\), not an OpenAI-compatible API/)
    expect(error.hint).toMatch(/--model-base-url/)
  })

  it('501 Not Implemented is a configuration error', async () => {
    const error = await probeError(await start({ fault: { answer: 501 } }))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toMatch(/501 Not Implemented/)
  })

  it('an HTML 404 is a web site, not an API without a models route', async () => {
    const server = await start({ fault: { answer: 'html', status: 404 }, models: [] })
    // An HTML 404 is a web page, not an API without the route.
    expect((await probeError(server)).code).toBe('CONFIG_INVALID')
  })
})
