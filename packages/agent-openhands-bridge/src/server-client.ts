import { CooperbenchError } from '@cooperbench/spec'

/** The agent server's REST routes the bridge uses (server_details, conversation and event routers), keyed by `X-Session-API-Key`. */
export interface ConversationInfo {
  id: string
  execution_status: string
  /** `usage_to_metrics`: one Metrics per LLM of the conversation. */
  stats?: { usage_to_metrics?: Record<string, MetricsJson> }
}

export interface MetricsJson {
  accumulated_cost?: number
  accumulated_token_usage?: { prompt_tokens?: number; completion_tokens?: number; cache_read_tokens?: number; cache_write_tokens?: number } | null
}

/** `GET /server_info`; `version` is the openhands-agent-server package's (`unknown` when it has no metadata). */
export interface ServerInfo {
  version?: string
  [key: string]: unknown
}

/** One event as the server serialises it: `kind` names its class. */
export interface ServerEvent {
  id: string
  timestamp: string
  source: string
  kind: string
  [key: string]: unknown
}

export class AgentServerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export class AgentServerClient {
  constructor(
    readonly baseUrl: string,
    private readonly sessionKey: string,
  ) {}

  /** Whether `GET /ready` answers 200 (a refused connection or 503 is "not yet"). */
  async ready(signal?: AbortSignal): Promise<boolean> {
    try {
      const response = await fetch(`${this.baseUrl}/ready`, {
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(5000)]) : AbortSignal.timeout(5000),
      })
      await response.body?.cancel()
      return response.ok
    } catch (error) {
      if (signal?.aborted) throw error
      return false
    }
  }

  /** `GET /server_info` (server_details_router): the server's version among other details. */
  serverInfo(signal?: AbortSignal): Promise<ServerInfo> {
    return this.call('GET', '/server_info', undefined, signal)
  }

  startConversation(request: Record<string, unknown>, signal?: AbortSignal): Promise<ConversationInfo> {
    return this.call('POST', '/api/conversations', request, signal)
  }

  conversation(id: string, signal?: AbortSignal): Promise<ConversationInfo> {
    return this.call('GET', `/api/conversations/${id}`, undefined, signal)
  }

  /** A user message into the conversation (`SendMessageRequest`); `run` starts the agent when it is idle. */
  async sendMessage(id: string, text: string, run: boolean, signal?: AbortSignal): Promise<void> {
    await this.call('POST', `/api/conversations/${id}/events`, { role: 'user', content: [{ type: 'text', text }], run }, signal)
  }

  /** Every event of the conversation, oldest first (`GET …/events/search`, page by page). */
  async events(id: string, signal?: AbortSignal): Promise<ServerEvent[]> {
    const events: ServerEvent[] = []
    let page: string | null = null
    do {
      const query = new URLSearchParams({ limit: '100', sort_order: 'TIMESTAMP', ...(page ? { page_id: page } : {}) })
      const path = `/api/conversations/${id}/events/search?${query}`
      const result: { items?: ServerEvent[]; next_page_id?: string | null } = await this.call('GET', path, undefined, signal)
      events.push(...(result.items ?? []))
      page = result.next_page_id ?? null
    } while (page !== null)
    return events
  }

  /** Starts the agent on a conversation that is idle (409 when it runs already). */
  async run(id: string): Promise<void> {
    await this.call('POST', `/api/conversations/${id}/run`, {})
  }

  async interrupt(id: string): Promise<void> {
    await this.call('POST', `/api/conversations/${id}/interrupt`, {})
  }

  async delete(id: string): Promise<void> {
    await this.call('DELETE', `/api/conversations/${id}`)
  }

  /**
   * Whether the server here takes this session key: false when the authenticated `/count` route (in old and new versions;
   * api.py checks the key first) answers 401 or 403, i.e. another server holds the port. A keyless server accepts any key.
   */
  async acceptsKey(signal?: AbortSignal): Promise<boolean> {
    try {
      await this.call('GET', '/api/conversations/count', undefined, signal)
      return true
    } catch (error) {
      if (error instanceof AgentServerError) return error.status !== 401 && error.status !== 403
      throw error
    }
  }

  /** The event socket's URL (`since`: resend from that timestamp); no key, sent by {@link socketAuthFrame} (the query key is deprecated upstream). */
  socketUrl(id: string, since: string | null): string {
    const url = new URL(`/sockets/events/${id}`, this.baseUrl.replace(/^http/, 'ws'))
    url.searchParams.set('resend_mode', since === null ? 'all' : 'since')
    if (since !== null) url.searchParams.set('after_timestamp', since)
    return url.href
  }

  /** The first frame of an event socket (sockets.py, first-message auth). */
  socketAuthFrame(): string {
    return JSON.stringify({ type: 'auth', session_api_key: this.sessionKey })
  }

  private async call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'X-Session-API-Key': this.sessionKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(60_000)]) : AbortSignal.timeout(60_000),
    })
    const text = await response.text()
    if (!response.ok) {
      throw new AgentServerError(response.status, `agent server: ${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`)
    }
    return (text === '' ? {} : JSON.parse(text)) as T
  }
}

export const SERVER_UNAVAILABLE_HINT =
  'Build the task images with the agent server (`cooperbench images build --agent openhands`), or set agents.openhands_sdk.server_command.'

export function serverUnavailable(message: string): CooperbenchError {
  return new CooperbenchError('SANDBOX_FAILED', message, { hint: SERVER_UNAVAILABLE_HINT })
}
