import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { type RecordedRequest, type ScriptedLlmServer, startScriptedLlmServer, type ScriptedTurn } from '@cooperbench/testkit/llm-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIXTURE_DIR } from './real-server-fixtures.js'

/**
 * Records what the real OpenHands agent server answers, into test/fixtures/openhands-server/
 * (replayed in CI by real-server-fixtures.test.ts). A developer tool, skipped unless
 * OPENHANDS_RECORD_SERVER names the command starting that server (`{port}` replaced):
 *
 *   OPENHANDS_RECORD_SERVER="$PWD/scripts/openhands-real-server/run-server.sh --host 127.0.0.1 --port {port}" \
 *     npx vitest run packages/agent-openhands-bridge/test/record-real-server.test.ts
 *
 * See scripts/openhands-real-server/README.md for building that server from upstream source.
 */
const command = process.env.OPENHANDS_RECORD_SERVER
const KEY = 'recording-session-key'

let serverCwd: string
let repo: string
let llm: ScriptedLlmServer
let server: ChildProcess
let base: string
const turns: ScriptedTurn[] = []

const write = (name: string, value: unknown) => writeFileSync(join(FIXTURE_DIR, `${name}.json`), `${JSON.stringify(value, null, 2)}\n`)

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'X-Session-API-Key': KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, json: text === '' ? null : JSON.parse(text) }
}

function request(extra: Record<string, unknown> = {}, agent: Record<string, unknown> = {}): Record<string, unknown> {
  const llmSpec = { model: 'openai/scripted-model', base_url: llm.url, api_key: 'sk-scripted', usage_id: 'agent' }
  return {
    agent: { kind: 'Agent', llm: llmSpec, tools: [{ name: 'terminal' }, { name: 'file_editor' }], ...agent },
    workspace: { kind: 'LocalWorkspace', working_dir: repo },
    initial_message: { role: 'user', content: [{ type: 'text', text: 'Write hello into hello.txt, then finish.' }], run: true },
    max_iterations: 10,
    ...extra,
  }
}

/** The frames of the event socket from its opening until `until` says so (or 60 s pass). */
async function socketFrames(id: string, auth: 'first-frame' | 'query', until: (frames: Array<Record<string, unknown>>) => boolean): Promise<Array<Record<string, unknown>>> {
  const url = new URL(`/sockets/events/${id}`, base.replace(/^http/, 'ws'))
  url.searchParams.set('resend_mode', 'all')
  if (auth === 'query') url.searchParams.set('session_api_key', KEY)
  const socket = new WebSocket(url.href)
  const frames: Array<Record<string, unknown>> = []
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => (socket.close(), resolve(frames)), 60_000)
    socket.addEventListener('open', () => {
      if (auth === 'first-frame') socket.send(JSON.stringify({ type: 'auth', session_api_key: KEY }))
    })
    socket.addEventListener('message', (message) => {
      frames.push(JSON.parse(String(message.data)) as Record<string, unknown>)
      if (until(frames)) {
        clearTimeout(timer)
        socket.close()
        resolve(frames)
      }
    })
    socket.addEventListener('error', () => reject(new Error('event socket error')))
  })
}

const finished = (frames: Array<Record<string, unknown>>) => frames.some((f) => f.kind === 'ConversationStateUpdateEvent' && f.key === 'execution_status' && f.value === 'finished')

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

/** The model requests of the run: whether each carried tools, and what the title request asked. */
const modelCalls = (requests: RecordedRequest[]) =>
  requests.filter((r) => r.body !== null).map((r) => ({ tools: (r.body?.tools ?? []).map((t) => t.function.name), messages: r.body?.messages.map((m) => m.role) }))

describe.skipIf(!command)('recording the real OpenHands agent server', () => {
  beforeAll(async () => {
    mkdirSync(FIXTURE_DIR, { recursive: true })
    serverCwd = mkdtempSync(join(tmpdir(), 'oh-record-cwd-'))
    repo = mkdtempSync(join(tmpdir(), 'oh-record-repo-'))
    llm = await startScriptedLlmServer({
      script: (req) => {
        // The title request has no tools (upstream's title generation is a plain completion).
        if (!req.body.tools?.length) return { content: 'Scripted title' }
        return turns.shift() ?? { toolCalls: [{ name: 'finish', arguments: { message: 'done' } }] }
      },
    })
    const port = 30_000 + (process.pid % 5000)
    base = `http://127.0.0.1:${port}`
    server = spawn('bash', ['-c', `exec ${command!.replaceAll('{port}', String(port))}`], { cwd: serverCwd, env: { ...process.env, SESSION_API_KEY: KEY }, stdio: 'ignore' })
    for (let i = 0; i < 240; i++) {
      if (await fetch(`${base}/ready`).then((r) => r.ok, () => false)) return
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    throw new Error('the real server did not become ready')
  }, 150_000)

  afterAll(async () => {
    server?.kill()
    await llm?.close()
    rmSync(serverCwd, { recursive: true, force: true })
    rmSync(repo, { recursive: true, force: true })
  })

  it('records server_info, a conversation (create, socket frames, status, search pages) and its files', async () => {
    write('server-info', (await call('GET', '/server_info')).json)
    turns.push({ toolCalls: [{ name: 'terminal', arguments: { command: 'echo hello > hello.txt' } }] })
    const created = await call('POST', '/api/conversations', request({ autotitle: false }))
    expect(created.status).toBe(201)
    write('conversation-create', created.json)
    const id = (created.json as { id: string }).id
    write('socket-frames', await socketFrames(id, 'first-frame', finished))
    write('conversation-status', (await call('GET', `/api/conversations/${id}`)).json)
    const first = await call('GET', `/api/conversations/${id}/events/search?limit=3&sort_order=TIMESTAMP`)
    write('events-search-page', first.json)
    write('events-search-last-page', (await call('GET', `/api/conversations/${id}/events/search?limit=100&sort_order=TIMESTAMP`)).json)
    write('model-calls-autotitle-false', modelCalls(llm.requests))
    write('server-cwd-files', filesUnder(serverCwd).map((path) => path.replace(id.replaceAll('-', ''), '<id>').replace(id, '<id>')))
    await call('DELETE', `/api/conversations/${id}`)
  }, 120_000)

  it('records the title call of the default autotitle, and the deprecated query-key socket', async () => {
    const before = llm.requests.length
    const created = await call('POST', '/api/conversations', request())
    const id = (created.json as { id: string }).id
    const frames = await socketFrames(id, 'query', finished)
    expect(frames.length).toBeGreaterThan(0)
    await new Promise((resolve) => setTimeout(resolve, 3000))
    write('model-calls-autotitle-default', modelCalls(llm.requests.slice(before)))
    await call('DELETE', `/api/conversations/${id}`)
  }, 120_000)

  it('records the 422s of a condenser max_size below its minimum, and the smallest accepted', async () => {
    const condenser = (maxSize: number) => ({ condenser: { kind: 'LLMSummarizingCondenser', llm: { model: 'openai/scripted-model', base_url: llm.url, api_key: 'x', usage_id: 'condenser' }, max_size: maxSize } })
    const answers: Record<string, number> = {}
    for (const size of [4, 5, 6, 7, 8]) {
      const answer = await call('POST', '/api/conversations', request({ initial_message: null }, condenser(size)))
      answers[size] = answer.status
      if (answer.status === 422 && size === 4) write('condenser-max-size-422', answer.json)
      if (answer.status < 300) await call('DELETE', `/api/conversations/${(answer.json as { id: string }).id}`)
    }
    write('condenser-max-size-statuses', answers)
  }, 120_000)
})
