/** The event WebSocket of a conversation (sockets.py): `/sockets/events/{conversation_id}`. */
import type { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { type WebSocket, WebSocketServer } from 'ws'
import type { Config } from './config.js'
import type { Conversation, Subscriber } from './conversation.js'
import { makeEvent, messageContent, type OhEvent } from './events.js'
import { isObject } from './json.js'
import { normalizeDatetimeParam, normalizeUuid } from './python-compat.js'

export class EventSocketServer {
  private readonly wss = new WebSocketServer({ noServer: true })

  constructor(
    private readonly config: Config,
    private readonly conversations: Map<string, Conversation>,
  ) {}

  /** Answers an HTTP upgrade request: an event socket, or a refusal as starlette and sockets.py send it. */
  upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const match = /^\/sockets\/events\/([^/]+)\/?$/.exec(url.pathname)
    const reject = (status: number, phrase: string): void => {
      socket.end(`HTTP/1.1 ${status} ${phrase}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
    }
    // starlette refuses a websocket route it does not know, or a bad path parameter, with 403
    if (match === null || normalizeUuid(decodeURIComponent(match[1] as string)) === null) return reject(403, 'Forbidden')
    const resendMode = url.searchParams.get('resend_mode')
    const afterRaw = url.searchParams.get('after_timestamp')
    if ((resendMode !== null && resendMode !== 'all' && resendMode !== 'since') || (afterRaw !== null && normalizeDatetimeParam(afterRaw) === null))
      return reject(403, 'Forbidden')
    const queryKey = url.searchParams.get('session_api_key')
    const headerKey = req.headers['x-session-api-key']
    const legacyKey = queryKey ?? (Array.isArray(headerKey) ? headerKey[0] : headerKey) ?? null
    // _accept_authenticated_websocket: a wrong legacy key is refused before the handshake completes
    if (this.config.sessionKeys.length > 0 && legacyKey !== null && !this.config.sessionKeys.includes(legacyKey)) return reject(403, 'Forbidden')
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const needsFirstMessageAuth = this.config.sessionKeys.length > 0 && legacyKey === null
      const conversationId = normalizeUuid(decodeURIComponent(match[1] as string)) as string
      const options = {
        resendMode,
        after: afterRaw === null ? null : normalizeDatetimeParam(afterRaw),
        resendAll: url.searchParams.get('resend_all') === 'true',
      }
      if (!needsFirstMessageAuth) return this.eventsSocket(ws, conversationId, options)
      const timer = setTimeout(() => ws.close(4001, 'Authentication failed'), 10_000)
      ws.once('message', (data, isBinary) => {
        clearTimeout(timer)
        let frame: unknown
        try {
          frame = JSON.parse(isBinary ? '' : rawText(data))
        } catch {
          frame = null
        }
        if (
          !isObject(frame) ||
          frame.type !== 'auth' ||
          typeof frame.session_api_key !== 'string' ||
          !this.config.sessionKeys.includes(frame.session_api_key)
        ) {
          ws.close(4001, 'Authentication failed')
          return
        }
        this.eventsSocket(ws, conversationId, options)
      })
      ws.once('close', () => clearTimeout(timer))
    })
  }

  /** events_socket: initial state, resend (all | since), then live events; inbound frames are messages. */
  private eventsSocket(ws: WebSocket, conversationId: string, options: { resendMode: string | null; after: string | null; resendAll: boolean }): void {
    const conversation = this.conversations.get(conversationId)
    if (conversation === undefined) {
      ws.close(4004, 'Conversation not found')
      return
    }
    const config = this.config
    let sent = 0
    let dropping = false
    const subscriber: Subscriber = {
      send(event: OhEvent): void {
        if (dropping || ws.readyState !== ws.OPEN) return
        sent++
        const drop = config.dropWsAfter > 0 && sent >= config.dropWsAfter && conversation.socketDrops < config.dropWsTimes
        if (!drop) {
          ws.send(JSON.stringify(event))
          return
        }
        dropping = true
        conversation.socketDrops++
        conversation.subscribers.delete(subscriber)
        ws.send(JSON.stringify(event), () => ws.terminate())
      },
    }
    // subscribe_to_events: the current state goes to the new subscriber first
    subscriber.send(conversation.fullStateEvent())
    const mode = options.resendMode ?? (options.resendAll ? 'all' : null)
    if (mode === 'all') for (const event of conversation.events) subscriber.send(event)
    else if (mode === 'since' && options.after !== null) for (const event of conversation.events) if (event.timestamp >= options.after) subscriber.send(event)
    if (!dropping) conversation.subscribers.add(subscriber)
    ws.on('close', () => conversation.subscribers.delete(subscriber))
    ws.on('error', () => conversation.subscribers.delete(subscriber))
    ws.on('message', (data, isBinary) => {
      let frame: unknown
      try {
        frame = JSON.parse(rawText(data))
      } catch (error) {
        return sendServerError(ws, 'JSONDecodeError', error instanceof Error ? error.message : String(error))
      }
      if (isObject(frame) && frame.type === 'auth' && Object.keys(frame).every((key) => key === 'type' || key === 'session_api_key')) return
      try {
        if (!isObject(frame)) throw new Error('Input should be a valid dictionary or instance of Message')
        const role = frame.role
        if (typeof role !== 'string' || !['user', 'system', 'assistant', 'tool'].includes(role))
          throw new Error("role: Input should be 'user', 'system', 'assistant' or 'tool'")
        if (role !== 'user') throw new Error('Only user messages are allowed to be sent to the agent.')
        conversation.sendMessage(role, messageContent(frame.content), true)
      } catch (error) {
        sendServerError(
          ws,
          error instanceof Error && error.message.startsWith('Only user')
            ? 'AssertionError'
            : error instanceof Error && error.message === 'inactive_service'
              ? 'ValueError'
              : 'ValidationError',
          error instanceof Error ? error.message : String(error),
        )
      }
    })
  }

  /** Ends every open socket at once (no close frame), as the server shuts down. */
  terminateAll(): void {
    for (const client of this.wss.clients) client.terminate()
  }
}

function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8')
}

/** models.py ServerErrorEvent, sent to the socket only. */
function sendServerError(ws: WebSocket, code: string, detail: string): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(makeEvent('ServerErrorEvent', 'environment', { code, detail })))
}
