import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { errorTurn, type LlmScript, type ScriptedLlmServer, startScriptedLlmServer, textTurn, toolCall } from '@cooperbench/testkit/llm-server'
import { FAKE_OPENHANDS_SERVER_DIR, fakeOpenHandsServerCommand, fakeOpenHandsServerFiles } from '../src/openhands-server/index.js'

type Json = Record<string, any>

let root: string
let serverDir: string
const children: ChildProcess[] = []
const llms: ScriptedLlmServer[] = []

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fake-openhands-test-'))
  serverDir = join(root, 'server')
  for (const [path, data] of await fakeOpenHandsServerFiles()) {
    mkdirSync(dirname(join(serverDir, path)), { recursive: true })
    writeFileSync(join(serverDir, path), data)
  }
})

afterEach(async () => {
  await Promise.all(
    children.splice(0).map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once('exit', () => resolve())
          child.kill('SIGTERM')
          setTimeout(() => child.kill('SIGKILL'), 3000).unref()
        }),
    ),
  )
  await Promise.all(llms.splice(0).map((llm) => llm.close()))
})

afterAll(() => {
  rmSync(root, { recursive: true, force: true })
})

interface Server {
  base: string
  port: number
  child: ChildProcess
  output: () => string
}

/** Starts the stand-in as a task would: the start command, through bash, with `--port 0`. */
async function startServer(options: { key?: string; env?: Record<string, string>; args?: string[]; cwd?: string } = {}): Promise<Server> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env }
  delete env.SESSION_API_KEY
  delete env.OH_SESSION_API_KEYS_0
  if (options.key !== undefined) env.SESSION_API_KEY = options.key
  Object.assign(env, options.env)
  const child = spawn('bash', ['-c', `exec ${fakeOpenHandsServerCommand(serverDir, 0, ['--host', '127.0.0.1', ...(options.args ?? [])])}`], {
    env,
    cwd: options.cwd ?? workspace(),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /Uvicorn running on http:\/\/[^:]+:(\d+)/.exec(output)
      if (match) resolve(Number(match[1]))
    })
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${output}`)))
  })
  return { base: `http://127.0.0.1:${port}`, port, child, output: () => output }
}

async function llmServer(script: LlmScript, apiKey?: string): Promise<ScriptedLlmServer> {
  const llm = await startScriptedLlmServer({ script, ...(apiKey === undefined ? {} : { apiKey }) })
  llms.push(llm)
  return llm
}

async function api(server: Server, method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.base}${path}`, {
    method,
    headers: { ...(key === undefined ? {} : { 'X-Session-API-Key': key }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, json: text === '' ? null : JSON.parse(text) }
}

function workspace(): string {
  const dir = mkdtempSync(join(root, 'ws-'))
  return dir
}

const SEND_MESSAGE_TOOL = {
  name: 'send_message',
  description: 'Send a message to a teammate.',
  parameters: { type: 'object', properties: { to: { type: 'string', enum: ['agent2'] }, content: { type: 'string' } }, required: ['to', 'content'] },
}

function startRequest(llm: ScriptedLlmServer, workingDir: string, extra: Json = {}): Json {
  return {
    agent: { kind: 'Agent', llm: { model: 'openai/scripted-model', base_url: llm.url, api_key: 'sk-test', usage_id: 'agent' }, tools: [{ name: 'terminal' }] },
    workspace: { kind: 'LocalWorkspace', working_dir: workingDir },
    initial_message: { role: 'user', content: [{ type: 'text', text: 'Fix the bug.' }], run: true },
    max_iterations: 20,
    client_tools: [SEND_MESSAGE_TOOL],
    // The title call of upstream's default would take the scripted model's first turn.
    autotitle: false,
    ...extra,
  }
}

/** A promise the test releases: a scripted model's answer waits on it. */
function heldAnswer(): { held: Promise<void>; release: () => void } {
  let release!: () => void
  const held = new Promise<void>((resolve) => {
    release = resolve
  })
  return { held, release }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== null && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

async function waitForStatus(server: Server, id: string, statuses: string[], key?: string): Promise<Json> {
  return waitFor(`status ${statuses.join('|')}`, async () => {
    const { json } = await api(server, 'GET', `/api/conversations/${id}`, undefined, key)
    return statuses.includes(json.execution_status) ? (json as Json) : null
  })
}

async function allEvents(server: Server, id: string, key?: string): Promise<Json[]> {
  const items: Json[] = []
  let page: string | null = null
  do {
    const { json } = await api(server, 'GET', `/api/conversations/${id}/events/search?limit=100${page ? `&page_id=${page}` : ''}`, undefined, key)
    items.push(...json.items)
    page = json.next_page_id
  } while (page !== null)
  return items
}

interface Socket {
  ws: WebSocket
  events: Json[]
  closed: Promise<{ code: number; reason: string }>
  rejected: Promise<number>
}

function openSocket(url: string, headers: Record<string, string> = {}): Socket {
  const ws = new WebSocket(url, { headers })
  const events: Json[] = []
  ws.on('message', (data) => events.push(JSON.parse(String(data)) as Json))
  ws.on('error', () => {})
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  const rejected = new Promise<number>((resolve) => ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)))
  return { ws, events, closed, rejected }
}

const wsUrl = (server: Server, id: string, query: string): string => `ws://127.0.0.1:${server.port}/sockets/events/${id}?${query}`

describe('fakeOpenHandsServerFiles', () => {
  it('holds the program, an ESM package.json and the ws package, and the command starts it', async () => {
    const files = await fakeOpenHandsServerFiles()
    expect([...files.keys()]).toEqual(
      expect.arrayContaining([
        'server.js',
        'package.json',
        'node_modules/ws/package.json',
        'node_modules/ws/wrapper.mjs',
        'node_modules/ws/lib/websocket-server.js',
      ]),
    )
    expect(JSON.parse(new TextDecoder().decode(files.get('package.json'))).type).toBe('module')
    // the program's modules import each other (all included), node built-ins and ws, nothing else
    const modules = [...files.keys()].filter((path) => path.endsWith('.js') && !path.startsWith('node_modules/'))
    expect(modules).not.toContain('index.js')
    const imports = modules.flatMap((path) =>
      [...new TextDecoder().decode(files.get(path)).matchAll(/(?:from|import) '([^']+)'/g)].map((match) => ({ path, specifier: match[1]! })),
    )
    expect(imports.map((i) => i.specifier)).toContain('ws')
    for (const { path, specifier } of imports) {
      if (specifier.startsWith('.')) expect(files.has(join(dirname(path), specifier)), `${path} imports ${specifier}`).toBe(true)
      else expect(specifier, path).toMatch(/^(node:[a-z_/]+|ws)$/)
    }
    expect(fakeOpenHandsServerCommand()).toBe(`node ${FAKE_OPENHANDS_SERVER_DIR}/server.js --port 8000`)
    expect(fakeOpenHandsServerCommand('/opt/my dir', 9000, ['--hang', 'llm'])).toBe("node '/opt/my dir/server.js' --port 9000 --hang llm")
  })
})

describe('stand-in OpenHands agent server', () => {
  it('answers /alive, /health and /ready, with /ready 503 while starting up', async () => {
    // Starting up for ten minutes, longer than a loaded machine takes for these requests: still starting when they arrive.
    const starting = await startServer({ args: ['--startup-delay-ms', '600000'] })
    expect(await api(starting, 'GET', '/alive')).toEqual({ status: 200, json: { status: 'ok' } })
    expect(await api(starting, 'GET', '/health')).toEqual({ status: 200, json: { status: 'ok' } })
    expect(await api(starting, 'GET', '/ready')).toEqual({ status: 503, json: { status: 'initializing', message: 'Server is still initializing' } })
    expect((await api(starting, 'GET', '/api/conversations/search')).status).toBe(503)
    // One that starts up in 300 ms becomes ready.
    const server = await startServer({ args: ['--startup-delay-ms', '300'] })
    await waitFor('ready', async () => (await api(server, 'GET', '/ready')).status === 200)
    expect((await api(server, 'GET', '/ready')).json).toEqual({ status: 'ready' })
    expect((await api(server, 'GET', '/api/conversations/search')).json).toEqual({ items: [], next_page_id: null })
  })

  it('requires the session key on /api/* and on the event socket (query, header or first frame)', async () => {
    const llm = await llmServer([toolCall('echo "key=${SESSION_API_KEY:-none}"'), textTurn('hello')])
    const server = await startServer({ key: 'secret-key' })
    expect((await api(server, 'GET', '/alive')).status).toBe(200)
    expect((await api(server, 'GET', '/ready')).status).toBe(200)
    expect(await api(server, 'GET', '/api/conversations/search')).toEqual({ status: 401, json: { detail: 'Unauthorized' } })
    expect((await api(server, 'GET', '/api/conversations/search', undefined, 'wrong')).status).toBe(401)
    expect((await api(server, 'POST', '/api/conversations', startRequest(llm, workspace()))).status).toBe(401)
    const dir = workspace()
    const created = await api(server, 'POST', '/api/conversations', startRequest(llm, dir), 'secret-key')
    expect(created.status).toBe(201)
    const id = created.json.id as string
    await waitForStatus(server, id, ['finished'], 'secret-key')
    // the agent's commands do not see the key
    expect(JSON.stringify(llm.chatRequests()[1]?.body.messages.at(-1))).toContain('key=none')

    // a wrong legacy key is refused before the handshake
    const wrong = openSocket(wsUrl(server, id, 'session_api_key=wrong&resend_mode=all'))
    expect(await wrong.rejected).toBe(403)
    // the query key and the header key are accepted
    const byQuery = openSocket(wsUrl(server, id, 'session_api_key=secret-key&resend_mode=all'))
    await waitFor('query-auth events', () => byQuery.events.length > 3)
    byQuery.ws.close()
    const byHeader = openSocket(wsUrl(server, id, 'resend_mode=all'), { 'X-Session-API-Key': 'secret-key' })
    await waitFor('header-auth events', () => byHeader.events.length > 3)
    byHeader.ws.close()
    // first-message auth: a wrong frame closes with 4001, the right one opens the stream
    const badFrame = openSocket(wsUrl(server, id, 'resend_mode=all'))
    badFrame.ws.on('open', () => badFrame.ws.send(JSON.stringify({ type: 'auth', session_api_key: 'nope' })))
    expect(await badFrame.closed).toEqual({ code: 4001, reason: 'Authentication failed' })
    const goodFrame = openSocket(wsUrl(server, id, 'resend_mode=all'))
    goodFrame.ws.on('open', () => goodFrame.ws.send(JSON.stringify({ type: 'auth', session_api_key: 'secret-key' })))
    await waitFor('first-message-auth events', () => goodFrame.events.length > 3)
    expect(goodFrame.events[0]).toMatchObject({ kind: 'ConversationStateUpdateEvent', key: 'full_state', source: 'environment' })
    goodFrame.ws.close()
  })

  it('takes the keys from OH_SESSION_API_KEYS_<n> over SESSION_API_KEY, as config.py does', async () => {
    const server = await startServer({ key: 'v0-key', env: { OH_SESSION_API_KEYS_0: 'k0', OH_SESSION_API_KEYS_1: 'k1' } })
    expect((await api(server, 'GET', '/api/conversations/count', undefined, 'v0-key')).status).toBe(401)
    expect(await api(server, 'GET', '/api/conversations/count', undefined, 'k0')).toEqual({ status: 200, json: 0 })
    expect((await api(server, 'GET', '/api/conversations/count', undefined, 'k1')).status).toBe(200)
  })

  it('runs a conversation: terminal commands really run in the workspace, client tools are acknowledged, finish ends it, usage adds up', async () => {
    const llm = await llmServer(
      [
        {
          toolCalls: [{ name: 'terminal', arguments: { command: 'echo hello > made-by-agent.txt && cat made-by-agent.txt && pwd', summary: 'write a file' } }],
          usage: { promptTokens: 100, completionTokens: 10, cachedTokens: 40 },
        },
        { toolCalls: [{ name: 'bash', arguments: { command: 'cd sub && export GREETING=hi && false' } }], usage: { promptTokens: 120, completionTokens: 12 } },
        {
          toolCalls: [{ name: 'terminal', arguments: { command: 'echo "$GREETING from $(basename "$PWD")"' } }],
          usage: { promptTokens: 140, completionTokens: 14 },
          headers: { 'x-litellm-response-cost': '0.25' },
        },
        {
          content: 'Telling my teammate.',
          toolCalls: [{ name: 'send_message', arguments: { to: 'agent2', content: 'I take src/a.py' } }],
          usage: { promptTokens: 160, completionTokens: 16 },
        },
        { toolCalls: [{ name: 'finish', arguments: { message: 'All done.' } }], usage: { promptTokens: 180, completionTokens: 18 } },
      ],
      'sk-test',
    )
    const server = await startServer()
    const dir = workspace()
    mkdirSync(join(dir, 'sub'))
    const created = await api(server, 'POST', '/api/conversations', startRequest(llm, dir))
    expect(created.status).toBe(201)
    const info = created.json
    expect(info).toMatchObject({
      execution_status: 'running',
      workspace: { working_dir: dir, kind: 'LocalWorkspace' },
      max_iterations: 20,
      client_tools: [SEND_MESSAGE_TOOL],
      metrics: null,
    })
    expect(info.agent.llm.api_key).toBe('**********')
    expect(info.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)

    const done = await waitForStatus(server, info.id, ['finished', 'error'])
    expect(done.execution_status).toBe('finished')
    expect(readFileSync(join(dir, 'made-by-agent.txt'), 'utf8')).toBe('hello\n')

    // the LLM saw the Bearer key, the conversation, and the tools terminal, the client tool and finish
    const requests = llm.chatRequests()
    expect(requests).toHaveLength(5)
    expect(requests.every((request) => request.authorized)).toBe(true)
    expect(requests[0]?.body.model).toBe('scripted-model')
    expect(requests[0]?.body.tools?.map((tool) => tool.function.name)).toEqual(['terminal', 'send_message', 'finish'])
    expect(requests[0]?.body.tools?.[0]?.function.parameters).toMatchObject({
      type: 'object',
      required: ['command'],
      properties: { command: { type: 'string' }, summary: { type: 'string' } },
    })
    expect(requests[0]?.body.messages.map((m) => m.role)).toEqual(['system', 'user'])
    const toolResult = requests[1]?.body.messages.at(-1)
    expect(toolResult).toMatchObject({ role: 'tool', tool_call_id: 'call_0_0', name: 'terminal' })
    expect(JSON.stringify(toolResult?.content)).toContain(`hello\\n${dir}`)
    expect(JSON.stringify(toolResult?.content)).toContain('[Command finished with exit code 0]')

    const events = await allEvents(server, info.id)
    const kinds = events.map((event) => event.kind)
    expect(kinds.slice(0, 4)).toEqual(['SystemPromptEvent', 'MessageEvent', 'ConversationStateUpdateEvent', 'ConversationStateUpdateEvent'])
    for (const event of events) {
      expect(event).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/),
          source: expect.any(String),
          kind: expect.any(String),
        }),
      )
    }
    expect(events.map((event) => event.timestamp)).toEqual([...events.map((event) => event.timestamp)].sort())
    expect(events.find((event) => event.key === 'execution_status')?.value).toBe('running')
    expect(events.at(-1)).toMatchObject({ kind: 'ConversationStateUpdateEvent', key: 'execution_status', value: 'finished' })

    const actions = events.filter((event) => event.kind === 'ActionEvent')
    const observations = events.filter((event) => event.kind === 'ObservationEvent')
    expect(actions.map((a) => a.tool_name)).toEqual(['terminal', 'terminal', 'terminal', 'send_message', 'finish'])
    expect(actions[0]).toMatchObject({
      source: 'agent',
      action: { command: 'echo hello > made-by-agent.txt && cat made-by-agent.txt && pwd', is_input: false, reset: false, kind: 'TerminalAction' },
      tool_call: {
        id: 'call_0_0',
        name: 'terminal',
        arguments: '{"command": "echo hello > made-by-agent.txt && cat made-by-agent.txt && pwd"}',
        origin: 'completion',
      },
      tool_call_id: 'call_0_0',
      llm_response_id: 'chatcmpl-scripted-0',
      security_risk: 'UNKNOWN',
      summary: 'write a file',
      thought: [],
    })
    // `bash` is upstream's alias of terminal; a non-zero exit is an ordinary observation
    expect(actions[1]).toMatchObject({
      tool_name: 'terminal',
      tool_call: { name: 'terminal' },
      summary: 'terminal: {"command": "cd sub && export GREETING=hi && false"}',
    })
    expect(observations[0]).toMatchObject({
      source: 'environment',
      tool_name: 'terminal',
      tool_call_id: 'call_0_0',
      action_id: actions[0]?.id,
      observation: {
        kind: 'TerminalObservation',
        is_error: false,
        exit_code: 0,
        timeout: false,
        command: actions[0]?.action.command,
        content: [{ type: 'text', text: `hello\n${dir}` }],
        metadata: { exit_code: 0, working_dir: dir },
      },
    })
    expect(observations[1]?.observation).toMatchObject({ exit_code: 1, metadata: { working_dir: join(dir, 'sub') } })
    // the shell session persists the directory and exported variables between commands
    expect(observations[2]?.observation.content[0].text).toBe('hi from sub')
    // client tool: the ActionEvent for the client, and the SDK's acknowledgement
    expect(actions[3]).toMatchObject({
      thought: [{ type: 'text', text: 'Telling my teammate.' }],
      action: { to: 'agent2', content: 'I take src/a.py', kind: 'ClientAction_send_message' },
    })
    expect(observations[3]).toMatchObject({
      tool_name: 'send_message',
      action_id: actions[3]?.id,
      observation: { kind: 'ClientToolObservation', is_error: false, content: [{ type: 'text', text: 'Tool call dispatched to client.' }] },
    })
    expect(observations[4]?.observation).toMatchObject({ kind: 'FinishObservation', content: [{ text: 'All done.' }] })

    // metrics: ConversationStats.usage_to_metrics keyed by the LLM's usage_id
    const metrics = done.stats.usage_to_metrics.agent
    expect(metrics).toMatchObject({
      model_name: 'openai/scripted-model',
      accumulated_cost: 0.25,
      max_budget_per_task: null,
      accumulated_token_usage: {
        prompt_tokens: 700,
        completion_tokens: 70,
        cache_read_tokens: 40,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
        per_turn_token: 198,
      },
    })
    expect(metrics.token_usages).toHaveLength(5)
    expect(metrics.costs).toEqual([expect.objectContaining({ model: 'openai/scripted-model', cost: 0.25 })])
    const lastStats = events.filter((event) => event.key === 'stats').at(-1)
    expect(lastStats?.value.usage_to_metrics.agent).toEqual({
      model_name: 'openai/scripted-model',
      accumulated_cost: 0.25,
      max_budget_per_task: null,
      accumulated_token_usage: metrics.accumulated_token_usage,
    })
    expect((await api(server, 'GET', `/api/conversations/${info.id}/agent_final_response`)).json).toEqual({ response: 'All done.' })
  })

  it('puts a user message posted mid-run into the next LLM request, and runs a finished conversation again on run:true', async () => {
    // The first answer is held until the user message below is in: posted mid-run whatever the machine's load.
    const firstAnswer = heldAnswer()
    const llm = await llmServer(async (_request, turn) => {
      if (turn === 0) return firstAnswer.held.then(() => toolCall('echo first'))
      if (turn === 1) return { toolCalls: [{ name: 'finish', arguments: { message: 'done once' } }] }
      return textTurn(`answer ${turn}`)
    })
    const server = await startServer()
    const { json: info } = await api(server, 'POST', '/api/conversations', startRequest(llm, workspace()))
    await waitFor('the first LLM request', () => llm.chatRequests().length === 1)
    const sent = await api(server, 'POST', `/api/conversations/${info.id}/events`, {
      role: 'user',
      content: [{ type: 'text', text: 'Also update the README.' }],
      run: true,
    })
    expect(sent).toEqual({ status: 200, json: { success: true } })
    firstAnswer.release()
    await waitForStatus(server, info.id, ['finished'])
    const second = llm.chatRequests()[1]?.body.messages ?? []
    // it was recorded while the first LLM call was out, after the first user message: the two
    // plain user turns go out as one message (events_to_messages merges them)
    expect(second.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool'])
    expect(second[1]?.content).toEqual([
      { type: 'text', text: 'Fix the bug.' },
      { type: 'text', text: 'Also update the README.' },
    ])
    expect(llm.chatRequests()).toHaveLength(2)

    // a message without run is only recorded; with run:true the finished conversation runs again
    await api(server, 'POST', `/api/conversations/${info.id}/events`, { role: 'user', content: [{ type: 'text', text: 'note' }], run: false })
    expect((await api(server, 'GET', `/api/conversations/${info.id}`)).json.execution_status).toBe('idle')
    expect(llm.chatRequests()).toHaveLength(2)
    await api(server, 'POST', `/api/conversations/${info.id}/events`, { role: 'user', content: [{ type: 'text', text: 'One more thing.' }], run: true })
    await waitFor('the third LLM request', () => llm.chatRequests().length === 3)
    await waitForStatus(server, info.id, ['finished'])
    const third = llm.chatRequests()[2]?.body.messages ?? []
    expect(third.at(-1)).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'note' },
        { type: 'text', text: 'One more thing.' },
      ],
    })
    expect((await api(server, 'GET', `/api/conversations/${info.id}/agent_final_response`)).json).toEqual({ response: 'answer 2' })
  })

  it('drops the event socket after N frames once; a reconnect with resend_mode=since loses and doubles nothing after dedupe by id', async () => {
    const llm = await llmServer([
      toolCall('echo one', { delayMs: 200 }),
      toolCall('echo two', { delayMs: 200 }),
      { toolCalls: [{ name: 'send_message', arguments: { to: 'agent2', content: 'hi' } }], delayMs: 200 },
      { toolCalls: [{ name: 'finish', arguments: { message: 'bye' } }], delayMs: 200 },
    ])
    const server = await startServer({ args: ['--drop-ws-after', '3'] })
    const { json: info } = await api(server, 'POST', '/api/conversations', startRequest(llm, workspace()))

    const seen = new Map<string, Json>()
    let duplicates = 0
    let since: string | null = null
    const take = (events: Json[]): void => {
      for (const event of events) {
        if (event.key === 'full_state') continue // a snapshot for this socket, not a recorded event
        if (seen.has(event.id)) duplicates++
        else seen.set(event.id, event)
        since = event.timestamp
      }
    }

    const first = openSocket(wsUrl(server, info.id, 'resend_mode=all'))
    const firstClose = await first.closed
    expect(firstClose.code).toBe(1006) // terminated without a close frame
    expect(first.events).toHaveLength(3)
    expect(first.events[0]).toMatchObject({ kind: 'ConversationStateUpdateEvent', key: 'full_state', value: { execution_status: 'running', id: info.id } })
    take(first.events)
    await new Promise((resolve) => setTimeout(resolve, 400)) // events keep being recorded meanwhile

    const second = openSocket(wsUrl(server, info.id, `resend_mode=since&after_timestamp=${encodeURIComponent(since as unknown as string)}`))
    await waitFor('the finished status on the socket', () => second.events.some((event) => event.key === 'execution_status' && event.value === 'finished'))
    second.ws.close()
    expect((await second.closed).code).toBe(1005)
    take(second.events)
    expect(duplicates).toBe(1) // `timestamp >= after_timestamp` resends the last event seen

    const recorded = await allEvents(server, info.id)
    expect([...seen.keys()]).toEqual(recorded.map((event) => event.id))
  })

  it('resends everything with resend_mode=all and nothing without a resend mode', async () => {
    const llm = await llmServer([textTurn('hi')])
    const server = await startServer()
    const { json: info } = await api(server, 'POST', '/api/conversations', startRequest(llm, workspace()))
    await waitForStatus(server, info.id, ['finished'])
    const recorded = await allEvents(server, info.id)
    const all = openSocket(wsUrl(server, info.id, 'resend_mode=all'))
    await waitFor('all events', () => all.events.length === recorded.length + 1)
    expect(all.events.slice(1).map((event) => event.id)).toEqual(recorded.map((event) => event.id))
    all.ws.close()
    const none = openSocket(wsUrl(server, info.id, ''))
    await waitFor('the snapshot', () => none.events.length === 1)
    expect(none.events[0]).toMatchObject({ key: 'full_state', value: { execution_status: 'finished' } })
    // a message over the socket is sent with run=True
    none.ws.send(JSON.stringify({ role: 'user', content: [{ type: 'text', text: 'again' }] }))
    await waitFor('the message event on the socket', () => none.events.some((event) => event.kind === 'MessageEvent' && event.source === 'user'))
    none.ws.close()
    const missing = openSocket(wsUrl(server, '00000000-0000-4000-8000-000000000000', 'resend_mode=all'))
    expect(await missing.closed).toEqual({ code: 4004, reason: 'Conversation not found' })
  })

  it('pages /events/search, filters by kind (module path, as upstream), source and timestamp, and counts', async () => {
    const llm = await llmServer([toolCall('true'), { toolCalls: [{ name: 'finish', arguments: { message: 'ok' } }] }])
    const server = await startServer()
    const { json: info } = await api(server, 'POST', '/api/conversations', startRequest(llm, workspace()))
    await waitForStatus(server, info.id, ['finished'])
    const recorded = await allEvents(server, info.id)
    const pages: Json[] = []
    let page: string | null = null
    do {
      const { json } = await api(server, 'GET', `/api/conversations/${info.id}/events/search?limit=3${page ? `&page_id=${page}` : ''}`)
      expect(json.items.length).toBeLessThanOrEqual(3)
      pages.push(...json.items)
      page = json.next_page_id
    } while (page !== null)
    expect(pages.map((event) => event.id)).toEqual(recorded.map((event) => event.id))
    const desc = await api(server, 'GET', `/api/conversations/${info.id}/events/search?sort_order=TIMESTAMP_DESC&limit=2`)
    expect(desc.json.items.map((event: Json) => event.id)).toEqual([recorded.at(-1)?.id, recorded.at(-2)?.id])
    const actions = await api(server, 'GET', `/api/conversations/${info.id}/events/search?kind=openhands.sdk.event.llm_convertible.action.ActionEvent`)
    expect(actions.json.items.map((event: Json) => event.tool_name)).toEqual(['terminal', 'finish'])
    expect((await api(server, 'GET', `/api/conversations/${info.id}/events/count?source=user`)).json).toBe(1)
    const middle = recorded[4] as Json
    const since = await api(server, 'GET', `/api/conversations/${info.id}/events/search?timestamp__gte=${encodeURIComponent(middle.timestamp)}`)
    expect(since.json.items.map((event: Json) => event.id)).toEqual(recorded.slice(4).map((event) => event.id))
    expect((await api(server, 'GET', `/api/conversations/${info.id}/events/${middle.id}`)).json).toEqual(middle)
    expect((await api(server, 'GET', `/api/conversations/${info.id}/events/search?limit=101`)).status).toBe(422)
    expect(await api(server, 'GET', '/api/conversations/00000000-0000-4000-8000-000000000000/events/search')).toEqual({
      status: 404,
      json: { detail: 'Conversation not found: 00000000-0000-4000-8000-000000000000' },
    })
    expect((await api(server, 'GET', '/api/conversations/not-a-uuid')).status).toBe(422)
  })

  it('stops at max_iterations with an error status and a MaxIterationsReached ConversationErrorEvent', async () => {
    const llm = await llmServer((_request, turn) => toolCall(`echo ${turn}`))
    const server = await startServer()
    const { json: info } = await api(server, 'POST', '/api/conversations', startRequest(llm, workspace(), { max_iterations: 3 }))
    await waitForStatus(server, info.id, ['error'])
    expect(llm.chatRequests()).toHaveLength(3)
    const events = await allEvents(server, info.id)
    expect(events.find((event) => event.kind === 'ConversationErrorEvent')).toMatchObject({
      source: 'environment',
      code: 'MaxIterationsReached',
      detail: 'Agent reached maximum iterations limit (3).',
      classification: { kind: 'agent_action', retryable: false, user_action: 'none' },
    })
  })

  it('turns an LLM error into an error status with a ConversationErrorEvent named as the SDK names it', async () => {
    const llm = await llmServer([errorTurn(401)])
    const server = await startServer()
    const { json: info } = await api(server, 'POST', '/api/conversations', startRequest(llm, workspace()))
    await waitForStatus(server, info.id, ['error'])
    const events = await allEvents(server, info.id)
    expect(events.find((event) => event.kind === 'ConversationErrorEvent')).toMatchObject({
      code: 'LLMAuthenticationError',
      classification: { kind: 'auth', user_action: 'settings' },
    })
  })

  it('reports an unknown tool as an AgentErrorEvent and goes on', async () => {
    const llm = await llmServer([{ toolCalls: [{ name: 'file_editor', arguments: { command: 'view', path: '/' } }] }, textTurn('giving up')])
    const server = await startServer()
    const { json: info } = await api(server, 'POST', '/api/conversations', startRequest(llm, workspace()))
    await waitForStatus(server, info.id, ['finished'])
    const events = await allEvents(server, info.id)
    expect(events.find((event) => event.kind === 'AgentErrorEvent')).toMatchObject({
      source: 'agent',
      tool_name: 'file_editor',
      error: "Tool 'file_editor' not found. Available: ['terminal', 'send_message', 'finish']",
      classification: { kind: 'agent_action', retryable: true, user_action: 'retry' },
    })
    expect(events.filter((event) => event.kind === 'MessageEvent' && event.source === 'agent')).toHaveLength(1)
  })

  it('DELETE stops the loop and kills the running command', async () => {
    const llm = await llmServer([toolCall('echo $$ > shell.pid; sleep 30; touch too-late')])
    const server = await startServer()
    const dir = workspace()
    const { json: info } = await api(server, 'POST', '/api/conversations', startRequest(llm, dir))
    const pid = await waitFor('the command to start', () => (existsSync(join(dir, 'shell.pid')) ? Number(readFileSync(join(dir, 'shell.pid'), 'utf8')) : null))
    expect(await api(server, 'DELETE', `/api/conversations/${info.id}`)).toEqual({ status: 200, json: { success: true } })
    expect(() => process.kill(pid, 0)).toThrow()
    expect((await api(server, 'GET', `/api/conversations/${info.id}`)).status).toBe(404)
    expect((await api(server, 'DELETE', `/api/conversations/${info.id}`)).status).toBe(400)
    expect(existsSync(join(dir, 'too-late'))).toBe(false)
  })

  it('hang=llm: the run starts and never reaches the LLM; interrupt pauses it with an InterruptEvent', async () => {
    const llm = await llmServer([textTurn('never asked')])
    const server = await startServer({ args: ['--hang', 'llm'] })
    const { json: info } = await api(server, 'POST', '/api/conversations', startRequest(llm, workspace()))
    expect(info.execution_status).toBe('running')
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect((await api(server, 'GET', `/api/conversations/${info.id}`)).json.execution_status).toBe('running')
    expect(llm.chatRequests()).toHaveLength(0)
    expect((await api(server, 'POST', `/api/conversations/${info.id}/run`)).status).toBe(409)
    expect(await api(server, 'POST', `/api/conversations/${info.id}/interrupt`)).toEqual({ status: 200, json: { success: true } })
    expect((await api(server, 'GET', `/api/conversations/${info.id}`)).json.execution_status).toBe('paused')
    const events = await allEvents(server, info.id)
    expect(events.at(-1)).toMatchObject({ kind: 'InterruptEvent', source: 'user' })
  })

  it('hang=run: the conversation is accepted and stays idle', async () => {
    const llm = await llmServer([textTurn('never asked')])
    const server = await startServer({ env: { OH_FAKE_HANG: 'run' } })
    const { status, json: info } = await api(server, 'POST', '/api/conversations', startRequest(llm, workspace()))
    expect(status).toBe(201)
    expect((await api(server, 'POST', `/api/conversations/${info.id}/run`)).status).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect((await api(server, 'GET', `/api/conversations/${info.id}`)).json.execution_status).toBe('idle')
    expect(llm.chatRequests()).toHaveLength(0)
  })

  it('pause between steps: the loop stops after the current step, and /run resumes it', async () => {
    // The first step's answer is held until the pause is in: the pause lands mid-step whatever the machine's load.
    const firstAnswer = heldAnswer()
    const llm = await llmServer(async (_request, turn) =>
      turn === 0 ? firstAnswer.held.then(() => toolCall('echo a')) : { toolCalls: [{ name: 'finish', arguments: { message: 'resumed' } }] },
    )
    const server = await startServer()
    const { json: info } = await api(server, 'POST', '/api/conversations', startRequest(llm, workspace()))
    await waitFor('the first LLM request', () => llm.chatRequests().length === 1)
    expect(await api(server, 'POST', `/api/conversations/${info.id}/pause`)).toEqual({ status: 200, json: { success: true } })
    expect((await api(server, 'GET', `/api/conversations/${info.id}`)).json.execution_status).toBe('paused') // at once, mid-step
    firstAnswer.release()
    // The step in flight completes after the pause; its observation is the last thing the loop does.
    const events = await waitFor('the step in flight to complete', async () => {
      const all = await allEvents(server, info.id)
      return all.some((event) => event.kind === 'ObservationEvent') ? all : null
    })
    expect(events.some((event) => event.kind === 'PauseEvent')).toBe(true)
    expect(events.filter((event) => event.kind === 'ObservationEvent')).toHaveLength(1)
    // /run answers 409 while the loop is still winding down from that step, then resumes it.
    await waitFor('/run to resume', async () => {
      const { status } = await api(server, 'POST', `/api/conversations/${info.id}/run`)
      if (status !== 200 && status !== 409) throw new Error(`POST /run answered ${status}`)
      return status === 200
    })
    await waitForStatus(server, info.id, ['finished'])
    expect(llm.chatRequests()).toHaveLength(2) // one more step after the resume, none while paused
  })

  it('rejects a bad start request with 422 and client tool names that clash', async () => {
    const llm = await llmServer([])
    const server = await startServer()
    expect((await api(server, 'POST', '/api/conversations', { workspace: { working_dir: workspace() } })).status).toBe(422)
    const clash = await api(
      server,
      'POST',
      '/api/conversations',
      startRequest(llm, workspace(), { client_tools: [{ ...SEND_MESSAGE_TOOL, name: 'terminal' }] }),
    )
    expect(clash.status).toBe(422)
    const notObject = await api(
      server,
      'POST',
      '/api/conversations',
      startRequest(llm, workspace(), { client_tools: [{ ...SEND_MESSAGE_TOOL, parameters: { type: 'array' } }] }),
    )
    expect(notObject.status).toBe(422)
  })
})
