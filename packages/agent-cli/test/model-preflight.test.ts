import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http'
import { createServer as createTcpServer, type Server, type Socket } from 'node:net'
import { cooperbenchRejection, freePort } from '@cooperbench/testkit'
import { afterEach, describe, expect, it } from 'vitest'
import { CliAgent, claudeCodeProfile, codexProfile, qwenCodeProfile } from '../src/index.js'
import { RUN_LIMITS } from './support/run-limits.js'

/**
 * The CLI agents' preflight asks the model's base URL, from this machine, whether it answers HTTP
 * at all, so that a run whose CLI could never reach its model is refused before any sandbox
 * starts. Real servers on loopback: a closed port, one that answers 404, one that never answers.
 */
const KEY = 'sk-test-SECRET-0123456789abcdef'
const env = { OPENAI_API_KEY: KEY, ANTHROPIC_API_KEY: KEY }
const installed = () => '/opt/cli'
const servers: Server[] = []
const sockets = new Set<Socket>()

afterEach(async () => {
  for (const socket of sockets) socket.destroy()
  sockets.clear()
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))))
})

/** An HTTP server that answers every request 404 (as a model API does at a path it has not), recording the headers it got. */
async function notFoundServer(port = 0): Promise<{ url: string; requests: Array<{ path: string; headers: IncomingHttpHeaders }> }> {
  const requests: Array<{ path: string; headers: IncomingHttpHeaders }> = []
  const server = createHttpServer((request, response) => {
    requests.push({ path: request.url ?? '', headers: request.headers })
    response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}')
  })
  return { url: `http://127.0.0.1:${await listen(server, port)}/v1`, requests }
}

/** A server that accepts connections and never says a word. */
async function silentServer(): Promise<string> {
  const server = createTcpServer((socket) => sockets.add(socket))
  return `http://127.0.0.1:${await listen(server)}/v1`
}

async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', resolve)
  })
  servers.push(server)
  return (server.address() as { port: number }).port
}

const preflight = (agent: CliAgent, setup: { modelBaseUrl?: string | null; options?: Record<string, unknown>; backend?: string }) =>
  agent.preflight({
    limits: RUN_LIMITS,
    model: 'openai/gpt-4o',
    modelBaseUrl: setup.modelBaseUrl ?? null,
    options: setup.options ?? {},
    ...(setup.backend ? { backend: { name: setup.backend, network: true } } : {}),
  })

describe('CLI agents: the model base URL answers before the run', () => {
  it('a closed port refuses the run, naming the URL, --model-base-url and, on local, backends.local.network', async () => {
    const url = `http://127.0.0.1:${await freePort()}/v1`
    for (const profile of [codexProfile, qwenCodeProfile, claudeCodeProfile]) {
      const error = await cooperbenchRejection(preflight(new CliAgent(profile, { env, hostBinary: installed }), { modelBaseUrl: url, backend: 'local' }))
      expect(error.code).toBe('BACKEND_UNAVAILABLE')
      expect(error.message).toBe(`${profile.name}: the model server at ${url} does not answer (ECONNREFUSED)`)
      expect(error.hint).toBe(
        `Start the model server at ${url}, or fix --model-base-url; the CLI calls it from inside the sandbox, ` +
          "which shares this machine's network only with backends.local.network: true",
      )
    }
  })

  it('on another backend the hint names the URL and where it was set (the agent option), not the local network', async () => {
    const url = `http://127.0.0.1:${await freePort()}/v1`
    const error = await cooperbenchRejection(
      preflight(new CliAgent(codexProfile, { env, hostBinary: installed }), { options: { model_base_url: url }, backend: 'docker' }),
    )
    expect(error.hint).toBe(`Start the model server at ${url}, or fix agents.codex.model_base_url`)
  })

  it('any HTTP answer (here 404 at the API root) is reachable; no key and no credentials of the URL are sent', async () => {
    const server = await notFoundServer()
    const agent = new CliAgent(codexProfile, { env, hostBinary: installed })
    await expect(preflight(agent, { modelBaseUrl: server.url, backend: 'local' })).resolves.toBeUndefined()
    const withUser = server.url.replace('http://', 'http://user:secret-password@')
    await expect(preflight(agent, { modelBaseUrl: withUser })).resolves.toBeUndefined()
    expect(server.requests.map((r) => r.path)).toEqual(['/v1', '/v1'])
    for (const { headers } of server.requests) {
      expect(headers.authorization).toBeUndefined()
      expect(JSON.stringify(headers)).not.toContain(KEY)
    }
  })

  it("a server on a port fetch() refuses to try (10080) is reachable: the check is the CLI's, not a browser's", async (ctx) => {
    const server = await notFoundServer(10080).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') ctx.skip()
      throw error
    })
    await expect(preflight(new CliAgent(codexProfile, { env, hostBinary: installed }), { modelBaseUrl: server.url })).resolves.toBeUndefined()
    expect(server.requests).toHaveLength(1)
  })

  it('--model-base-url wins over the option, as in the run', async () => {
    const server = await notFoundServer()
    const closed = `http://127.0.0.1:${await freePort()}/v1`
    const agent = new CliAgent(qwenCodeProfile, { env, hostBinary: installed })
    await expect(preflight(agent, { modelBaseUrl: server.url, options: { model_base_url: closed } })).resolves.toBeUndefined()
    expect(server.requests).toHaveLength(1)
  })

  it('a server that accepts and never answers is refused after the bound', async () => {
    const url = await silentServer()
    const agent = new CliAgent(claudeCodeProfile, { env, hostBinary: installed, modelAnswerTimeoutMs: 200 })
    const error = await cooperbenchRejection(preflight(agent, { modelBaseUrl: url }))
    expect(error.code).toBe('BACKEND_UNAVAILABLE')
    expect(error.message).toBe(`claude_code: the model server at ${url} does not answer (no answer within 0.2 s)`)
  })

  it('a base URL that is not http(s) is a configuration error; a password in it is not shown', async () => {
    const agent = new CliAgent(codexProfile, { env, hostBinary: installed })
    const error = await cooperbenchRejection(preflight(agent, { modelBaseUrl: '127.0.0.1:8000/v1' }))
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toBe('codex: the model base URL 127.0.0.1:8000/v1 is not an http(s) URL')
    const closed = `http://me:hunter2@127.0.0.1:${await freePort()}/v1`
    const refused = await cooperbenchRejection(preflight(agent, { modelBaseUrl: closed }))
    expect(JSON.stringify({ message: refused.message, hint: refused.hint })).not.toContain('hunter2')
  })

  it('without a base URL nothing is asked (the provider’s public endpoint)', async () => {
    await expect(preflight(new CliAgent(codexProfile, { env, hostBinary: installed }), {})).resolves.toBeUndefined()
  })
})
