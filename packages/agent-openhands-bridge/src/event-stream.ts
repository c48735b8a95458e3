import type { Logger } from '@cooperbench/spec'
import type { AgentServerClient, ServerEvent } from './server-client.js'

/**
 * A conversation's events over `WS /sockets/events/{id}`, each once, in arrival order. The socket may drop (a known
 * upstream failure): it reopens with `resend_mode=since` the last timestamp, and resent events are skipped by id.
 */
export class ConversationEvents {
  private readonly seen = new Set<string>()
  private lastTimestamp: string | null = null
  private socket: WebSocket | null = null
  private stopped = false
  reconnects = 0

  constructor(
    private readonly client: AgentServerClient,
    private readonly conversationId: string,
    private readonly onEvent: (event: ServerEvent) => void,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.open()
  }

  /** Adds events fetched another way (a REST search); the same dedup applies. */
  accept(event: ServerEvent): void {
    if (typeof event.id !== 'string' || this.seen.has(event.id)) return
    this.seen.add(event.id)
    // The snapshot a socket opens with bears the opening time: resuming from it would skip the older events resent after it.
    if (typeof event.timestamp === 'string' && !isSnapshot(event)) this.lastTimestamp = event.timestamp
    this.onEvent(event)
  }

  stop(): void {
    this.stopped = true
    this.socket?.close()
    this.socket = null
  }

  private open(): void {
    if (this.stopped) return
    const socket = new WebSocket(this.client.socketUrl(this.conversationId, this.lastTimestamp))
    this.socket = socket
    socket.addEventListener('open', () => socket.send(this.client.socketAuthFrame()))
    socket.addEventListener('message', (message) => {
      let event: ServerEvent
      try {
        event = JSON.parse(String(message.data)) as ServerEvent
      } catch {
        return
      }
      this.accept(event)
    })
    socket.addEventListener('close', () => {
      if (this.stopped || this.socket !== socket) return
      this.reconnects++
      this.logger.debug(`openhands: event socket of ${this.conversationId} closed; reopening from ${this.lastTimestamp ?? 'the start'}`)
      setTimeout(() => this.open(), Math.min(5000, 250 * this.reconnects))
    })
    socket.addEventListener('error', () => {
      // A close event follows and reopens it.
    })
  }
}

function isSnapshot(event: ServerEvent): boolean {
  return event.kind === 'ConversationStateUpdateEvent' && event.key === 'full_state'
}
