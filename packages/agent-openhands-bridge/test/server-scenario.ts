import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { type RecordedRequest, type ScriptedLlmServer, type ScriptedTurn, startScriptedLlmServer } from '@cooperbench/testkit/llm-server'

/**
 * One scenario run against an OpenHands agent server, the real one (record-real-server.test.ts
 * writes what it answers as fixtures) or the stand-in (real-server-fixtures.test.ts compares its
 * answers with those fixtures): the same requests, so the two can be compared shape for shape.
 */
export type Json = Record<string, unknown>

export interface ScenarioRecord {
  'server-info': Json
  'conversation-create': Json
  'socket-frames': Json[]
  'conversation-status': Json
  'events-search-page': Json
  'events-search-last-page': Json
  /** The model calls of a conversation with `autotitle: false`, then of one with upstream's default. */
  'model-calls-autotitle-false': ModelCall[]
  'model-calls-autotitle-default': ModelCall[]
  /** Files under the server's working directory while a conversation exists (ids replaced by `<id>`). */
  'server-cwd-files': string[]
  'condenser-max-size-statuses': Record<string, number>
  'condenser-max-size-422': Json
}

export interface ModelCall {
  tools: string[]
  messages: string[]
}

const KEY = 'recording-session-key'
/** A coop tool as the bridge declares it (teammate-tools.ts), for the client tool's events. */
const SEND_MESSAGE = {
  name: 'send_message',
  description: 'Send a message to a teammate.',
  parameters: { type: 'object', properties: { to: { type: 'string' }, content: { type: 'string' } }, required: ['to', 'content'] },
}

const modelCalls = (requests: RecordedRequest[]): ModelCall[] =>
  requests
    .filter((r) => r.body !== null)
    .map((r) => ({ tools: (r.body?.tools ?? []).map((t) => t.function.name), messages: (r.body?.messages ?? []).map((m) => m.role) }))

function filesUnder(dir: string): string[] {
  const out: string[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name)
      if (statSync(path).isDirectory()) walk(path)
      else out.push(relative(dir, path))
    }
  }
  walk(dir)
  return out.sort()
}

/** Runs the scenario against the server `command` starts (`{port}` replaced), in a fresh working directory. */
export async function runServerScenario(command: string): Promise<ScenarioRecord> {
  const serverCwd = mkdtempSync(join(tmpdir(), 'oh-scenario-cwd-'))
  const repo = mkdtempSync(join(tmpdir(), 'oh-scenario-repo-'))
  const turns: ScriptedTurn[] = []
  let llm: ScriptedLlmServer | null = null
  let server: ChildProcess | null = null
  try {
    llm = await startScriptedLlmServer({
      // The title request has no tools (upstream's title generation is a plain completion).
      script: (req) =>
        !req.body.tools?.length ? { content: 'Scripted title' } : (turns.shift() ?? { toolCalls: [{ name: 'finish', arguments: { message: 'done' } }] }),
    })
    const port = 30_000 + Math.floor(Math.random() * 10_000)
    const base = `http://127.0.0.1:${port}`
    server = spawn('bash', ['-c', `exec ${command.replaceAll('{port}', String(port))}`], {
      cwd: serverCwd,
      env: { ...process.env, SESSION_API_KEY: KEY },
      stdio: 'ignore',
    })
    await waitReady(base)
    const client = new ScenarioClient(base, llm, repo)
    const record: Partial<ScenarioRecord> = {}
    record['server-info'] = (await client.call('GET', '/server_info')).json

    turns.push({ toolCalls: [{ name: 'send_message', arguments: { to: 'agent2', content: 'hello from agent1' } }] })
    turns.push({ toolCalls: [{ name: 'terminal', arguments: { command: 'echo hello > hello.txt' } }] })
    const created = await client.call('POST', '/api/conversations', client.request({ autotitle: false, client_tools: [SEND_MESSAGE] }))
    if (created.status !== 201) throw new Error(`POST /api/conversations answered ${created.status}: ${JSON.stringify(created.json)}`)
    record['conversation-create'] = created.json
    const id = String(created.json.id)
    record['socket-frames'] = await client.socketFrames(id)
    record['conversation-status'] = (await client.call('GET', `/api/conversations/${id}`)).json
    record['events-search-page'] = (await client.call('GET', `/api/conversations/${id}/events/search?limit=3&sort_order=TIMESTAMP`)).json
    record['events-search-last-page'] = (await client.call('GET', `/api/conversations/${id}/events/search?limit=100&sort_order=TIMESTAMP`)).json
    record['model-calls-autotitle-false'] = modelCalls(llm.requests)
    const hex = id.replaceAll('-', '')
    record['server-cwd-files'] = filesUnder(serverCwd).map((path) => path.replace(hex, '<id>').replace(/event-(\d+)-[0-9a-f-]+\.json$/, 'event-$1-<id>.json'))
    await client.call('DELETE', `/api/conversations/${id}`)

    const before = llm.requests.length
    const titled = await client.call('POST', '/api/conversations', client.request())
    const titledId = String(titled.json.id)
    await client.finished(titledId)
    record['model-calls-autotitle-default'] = modelCalls(llm.requests.slice(before))
    await client.call('DELETE', `/api/conversations/${titledId}`)

    const statuses: Record<string, number> = {}
    for (const size of [4, 5, 6, 7, 8]) {
      const condenser = {
        kind: 'LLMSummarizingCondenser',
        llm: { model: 'openai/scripted-model', base_url: llm.url, api_key: 'x', usage_id: 'condenser' },
        max_size: size,
      }
      const answer = await client.call('POST', '/api/conversations', client.request({ initial_message: null }, { condenser }))
      statuses[size] = answer.status
      if (size === 4) record['condenser-max-size-422'] = answer.json
      if (answer.status < 300) await client.call('DELETE', `/api/conversations/${String(answer.json.id)}`)
    }
    record['condenser-max-size-statuses'] = statuses
    return record as ScenarioRecord
  } finally {
    server?.kill()
    await llm?.close()
    rmSync(serverCwd, { recursive: true, force: true })
    rmSync(repo, { recursive: true, force: true })
  }
}

async function waitReady(base: string): Promise<void> {
  for (let i = 0; i < 240; i++) {
    if (
      await fetch(`${base}/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`the server at ${base} did not become ready`)
}

class ScenarioClient {
  constructor(
    private readonly base: string,
    private readonly llm: ScriptedLlmServer,
    private readonly repo: string,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers: { 'X-Session-API-Key': KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    return { status: response.status, json: (text === '' ? null : JSON.parse(text)) as Json }
  }

  request(extra: Json = {}, agent: Json = {}): Json {
    const llm = { model: 'openai/scripted-model', base_url: this.llm.url, api_key: 'sk-scripted', usage_id: 'agent' }
    return {
      agent: { kind: 'Agent', llm, tools: [{ name: 'terminal' }], ...agent },
      workspace: { kind: 'LocalWorkspace', working_dir: this.repo },
      initial_message: { role: 'user', content: [{ type: 'text', text: 'Write hello into hello.txt, then finish.' }], run: true },
      max_iterations: 10,
      ...extra,
    }
  }

  /** Polls the status until the conversation finished (60 s at most). */
  async finished(id: string): Promise<void> {
    for (let i = 0; i < 240; i++) {
      if ((await this.call('GET', `/api/conversations/${id}`)).json.execution_status === 'finished') return
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }

  /** The socket's frames (first-frame auth) from its opening until the conversation finished (or 60 s passed). */
  async socketFrames(id: string): Promise<Json[]> {
    const url = new URL(`/sockets/events/${id}`, this.base.replace(/^http/, 'ws'))
    url.searchParams.set('resend_mode', 'all')
    const socket = new WebSocket(url.href)
    const frames: Json[] = []
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => (socket.close(), resolve(frames)), 60_000)
      socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'auth', session_api_key: KEY })))
      socket.addEventListener('message', (message) => {
        const frame = JSON.parse(String(message.data)) as Json
        frames.push(frame)
        if (frame.kind === 'ConversationStateUpdateEvent' && frame.key === 'execution_status' && frame.value === 'finished') {
          clearTimeout(timer)
          socket.close()
          resolve(frames)
        }
      })
      socket.addEventListener('error', () => reject(new Error('event socket error')))
    })
  }
}
