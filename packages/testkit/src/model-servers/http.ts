import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { readBody, recordArrival, scriptedHttpShell } from '../scripted-http.js'
import type { RecordedRequest, ScriptedTurn } from '../llm-server/types.js'

/** A request to one of the wire-protocol servers, with its parsed JSON body. */
export type WireRequest<Body> = Omit<RecordedRequest, 'body'> & { body: Body | null }

/** Turns consumed in order, or a function choosing the answer from the request. */
export type WireScript<Body> = ScriptedTurn[] | ((request: WireRequest<Body> & { body: Body }, turn: number) => ScriptedTurn | Promise<ScriptedTurn>)

/** What a wire protocol contributes to {@link startWireServer}. */
export interface WireProtocol<Body> {
  /** The paths (without `/v1`) of the one POST route that consumes turns, e.g. `/messages`. */
  route: string
  /** Whether a parsed body is a request of this protocol; a reason when it is not. */
  validate(body: unknown): string | null
  /** Whether the request carried the expected credentials. */
  authorized(headers: IncomingMessage['headers'], apiKey: string | undefined): boolean
  /** A request that must not consume a turn gets this answer instead (e.g. a CLI's side query); null otherwise. */
  sideAnswer?(body: Body): ScriptedTurn | null
  /** Sends the error body of `status`. */
  sendError(res: ServerResponse, status: number, message?: string, headers?: Record<string, string>): void
  /** Sends the answer of `turn`, streaming or not as the request asks. */
  sendAnswer(res: ServerResponse, turn: ScriptedTurn, body: Body, turnIndex: number): void
  /** Extra GET routes, e.g. `/models`; the path is given without `/v1`. */
  get?(path: string): unknown
}

export interface WireServerOptions<Body> {
  script: WireScript<Body>
  apiKey?: string
}

export interface WireServer<Body> {
  /** The base URL a client is given (`http://127.0.0.1:<port>` or with `/v1`, per protocol). */
  url: string
  /** `http://127.0.0.1:<port>`: the origin, without a path. */
  origin: string
  requests: Array<WireRequest<Body>>
  /** The requests that carried a parsed body of this protocol. */
  modelRequests(): Array<WireRequest<Body> & { body: Body }>
  close(): Promise<void>
}

/**
 * The HTTP part the Anthropic Messages and OpenAI Responses scripted servers share: recording,
 * routing (`/v1<route>` or `<route>`), JSON parsing, auth, scripted turns (in order or by
 * function), scripted delays and error statuses. The protocol turns a turn into wire bytes.
 */
export async function startWireServer<Body>(protocol: WireProtocol<Body>, options: WireServerOptions<Body>, urlSuffix: string): Promise<WireServer<Body>> {
  const requests: Array<WireRequest<Body>> = []
  let nextTurn = 0

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) protocol.sendError(res, 500, `scripted server failed: ${error instanceof Error ? error.message : String(error)}`)
      else res.destroy()
    })
  })
  server.keepAliveTimeout = 1_000
  const shell = scriptedHttpShell(server)

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const record: WireRequest<Body> = recordArrival(req, res, requests.length, protocol.authorized(req.headers, options.apiKey), ['authorization', 'x-api-key'])
    requests.push(record)
    res.on('finish', () => {
      record.status = res.statusCode
    })
    const raw = await readBody(req)
    const path = (req.url ?? '/')
      .split('?')[0]!
      .replace(/\/+$/, '')
      .replace(/^\/v1(?=\/)/, '')
    if (req.method === 'GET' && protocol.get) {
      const answer = protocol.get(path)
      if (answer !== undefined) return sendJson(res, 200, answer)
    }
    if (path !== protocol.route) return protocol.sendError(res, 404, `scripted server: no route for ${req.method} ${req.url}`)
    if (req.method !== 'POST') return protocol.sendError(res, 405, `scripted server: ${req.method} is not allowed on ${path}`)
    let body: unknown
    try {
      body = JSON.parse(raw)
    } catch {
      return protocol.sendError(res, 400, 'scripted server: the request body is not JSON')
    }
    const problem = protocol.validate(body)
    if (problem !== null) return protocol.sendError(res, 400, `scripted server: ${problem}`)
    record.body = body as Body
    if (options.apiKey !== undefined && !record.authorized) return protocol.sendError(res, 401)

    const side = protocol.sideAnswer?.(body as Body) ?? null
    if (side !== null) return protocol.sendAnswer(res, side, body as Body, -1)

    const turnIndex = nextTurn++
    record.turn = turnIndex
    let turn: ScriptedTurn | undefined
    try {
      turn = Array.isArray(options.script) ? options.script[turnIndex] : await options.script(record as WireRequest<Body> & { body: Body }, turnIndex)
    } catch (error) {
      return protocol.sendError(res, 400, `scripted server: the script failed on turn ${turnIndex}: ${error instanceof Error ? error.message : String(error)}`)
    }
    if (turn === undefined) {
      const count = Array.isArray(options.script) ? options.script.length : 0
      return protocol.sendError(res, 400, `scripted server: the script is exhausted (${count} turns, this is request ${turnIndex + 1})`)
    }
    if (turn.delayMs !== undefined && turn.delayMs > 0 && !(await shell.wait(turn.delayMs, res))) return
    if (res.destroyed || shell.closed) return
    if (turn.status !== undefined && turn.status >= 400) return protocol.sendError(res, turn.status, turn.errorMessage, turn.headers)
    protocol.sendAnswer(res, turn, body as Body, turnIndex)
  }

  const origin = `http://127.0.0.1:${await shell.listen()}`
  return {
    url: `${origin}${urlSuffix}`,
    origin,
    requests,
    modelRequests: () => requests.filter((request): request is WireRequest<Body> & { body: Body } => request.body !== null),
    close: () => shell.close(),
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers })
  res.end(text)
}

/** Starts a server-sent-events answer; `send(event, data)` writes one event. */
export function openEventStream(res: ServerResponse, headers: Record<string, string> = {}): (event: string | null, data: unknown) => void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers })
  return (event, data) => {
    if (res.destroyed) return
    res.write(`${event === null ? '' : `event: ${event}\n`}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`)
  }
}

export function pieces(text: string, size: number): string[] {
  const result: string[] = []
  for (let start = 0; start < text.length; start += size) result.push(text.slice(start, start + size))
  return result.length === 0 ? [''] : result
}
