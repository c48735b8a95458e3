import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { readBody, recordArrival, scriptedHttpShell } from '../scripted-http.js'
import type { ChatCompletionRequestBody, RecordedRequest, ScriptedLlmServer, ScriptedLlmServerOptions, ScriptedServerFault, ScriptedTurn } from './types.js'
import { completionBody, errorBody, resolveAnswer, streamChunks } from './wire.js'

type ChatRequest = RecordedRequest & { body: ChatCompletionRequestBody }

/**
 * A scripted OpenAI-compatible server on 127.0.0.1 (`options.port`, else a free port) for tests and
 * benchmarks: `POST /v1/chat/completions` (streaming and not, tool calls, usage, scripted
 * errors and delays) and `GET /v1/models`. Every request is recorded; answers come from
 * `options.script`, an array of turns consumed in order or a function of the request.
 */
export async function startScriptedLlmServer(options: ScriptedLlmServerOptions): Promise<ScriptedLlmServer> {
  const requests: RecordedRequest[] = []
  let nextTurn = 0

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed)
        sendJson(res, 500, errorBody(500, `scripted LLM server failed: ${error instanceof Error ? error.message : String(error)}`))
      else res.destroy()
    })
  })
  server.keepAliveTimeout = 1_000
  const shell = scriptedHttpShell(server)

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const authorization = req.headers.authorization
    const authorized =
      typeof authorization === 'string' && /^Bearer\s+\S/.test(authorization) && (options.apiKey === undefined || authorization === `Bearer ${options.apiKey}`)
    const record: RecordedRequest = recordArrival(req, res, requests.length, authorized, ['authorization'])
    requests.push(record)

    const rawBody = await readBody(req)
    record.rawBody = rawBody
    const path = (req.url ?? '/').split('?')[0]?.replace(/\/+$/, '') ?? ''

    const chat = path === '/v1/chat/completions' || path === '/chat/completions'
    if (options.fault !== undefined && (chat || options.fault.routes !== 'chat')) {
      sendFault(res, options.fault, record)
      return
    }
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      const created = Math.floor(Date.now() / 1000)
      sendJson(
        res,
        200,
        { object: 'list', data: (options.models ?? ['scripted-model']).map((id) => ({ id, object: 'model', created, owned_by: 'cooperbench-testkit' })) },
        record,
      )
      return
    }
    if (path !== '/v1/chat/completions' && path !== '/chat/completions') {
      sendJson(res, 404, errorBody(404, `scripted LLM server: no route for ${req.method} ${req.url}`), record)
      return
    }
    if (req.method !== 'POST') {
      sendJson(res, 405, errorBody(405, `scripted LLM server: ${req.method} is not allowed on ${path}`), record)
      return
    }
    let body: unknown
    try {
      body = JSON.parse(rawBody)
    } catch {
      sendJson(res, 400, errorBody(400, 'scripted LLM server: the request body is not JSON'), record)
      return
    }
    if (typeof body !== 'object' || body === null || !Array.isArray((body as { messages?: unknown }).messages)) {
      sendJson(res, 400, errorBody(400, "scripted LLM server: the request body has no 'messages' array"), record)
      return
    }
    record.body = body as ChatCompletionRequestBody
    if (options.apiKey !== undefined && !authorized) {
      sendJson(res, 401, errorBody(401), record)
      return
    }

    const turnIndex = nextTurn++
    record.turn = turnIndex
    let turn: ScriptedTurn | undefined
    try {
      turn = Array.isArray(options.script) ? options.script[turnIndex] : await options.script(record as ChatRequest, turnIndex)
    } catch (error) {
      sendJson(
        res,
        400,
        errorBody(400, `scripted LLM server: the script failed on turn ${turnIndex}: ${error instanceof Error ? error.message : String(error)}`),
        record,
      )
      return
    }
    if (turn === undefined) {
      const count = Array.isArray(options.script) ? options.script.length : 0
      sendJson(res, 400, errorBody(400, `scripted LLM server: the script is exhausted (${count} turns, this is request ${turnIndex + 1})`), record)
      return
    }

    if (turn.delayMs !== undefined && turn.delayMs > 0) {
      const completed = await shell.wait(turn.delayMs, res)
      if (!completed) return
    }
    if (res.destroyed || shell.closed) return

    const extraHeaders = turn.headers ?? {}
    if (turn.status !== undefined && turn.status >= 400) {
      sendJson(res, turn.status, errorBody(turn.status, turn.errorMessage), record, extraHeaders)
      return
    }

    const answer = resolveAnswer(turn, record.body, turnIndex)
    if (record.body.stream === true) {
      const includeUsage = record.body.stream_options?.include_usage === true
      record.status = turn.status ?? 200
      res.writeHead(record.status, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...extraHeaders })
      for (const chunk of streamChunks(answer, { includeUsage, chunkSize: options.streamChunkSize ?? 8 })) {
        if (res.destroyed) return
        res.write(`data: ${JSON.stringify(chunk)}\n\n`)
      }
      res.end('data: [DONE]\n\n')
      return
    }
    sendJson(res, turn.status ?? 200, completionBody(answer), record, extraHeaders)
  }

  const port = await shell.listen(options.port)
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: () => requests.filter((request): request is ChatRequest => request.body !== null),
    close: () => shell.close(),
  }
}

/** A web page like a reverse proxy or a web app serves at a wrong base URL. */
const FAULT_PAGE = '<!DOCTYPE html>\n<html><head><title>Welcome</title></head><body><h1>Welcome</h1><p>This is not an API.</p></body></html>\n'

function sendFault(res: ServerResponse, fault: ScriptedServerFault, record: RecordedRequest): void {
  if (fault.answer === 'html') {
    record.status = fault.status ?? 200
    res.writeHead(record.status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(FAULT_PAGE) })
    res.end(FAULT_PAGE)
    return
  }
  // OpenAI's wrong-key answer: its message masks the key it was sent.
  const message =
    fault.answer === 401 ? 'Incorrect API key provided: sk-test****0000. You can find your API key at https://platform.openai.com/account/api-keys.' : undefined
  sendJson(res, fault.answer, errorBody(fault.answer, message), record)
}

function sendJson(res: ServerResponse, status: number, body: unknown, record?: RecordedRequest, headers: Record<string, string> = {}): void {
  if (res.destroyed) return
  if (record !== undefined) record.status = status
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers })
  res.end(text)
}
