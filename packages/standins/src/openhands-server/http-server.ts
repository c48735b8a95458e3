/**
 * The HTTP server: the REST routes (server_details_router.py, conversation_router.py, event_router.py)
 * and the upgrade to the event sockets.
 */
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Config } from './config.js'
import { Conversation, type LlmConfig } from './conversation.js'
import { EVENT_MODULES, finalResponse, messageContent, messageText, type OhEvent } from './events.js'
import { EventSocketServer } from './event-socket.js'
import { HttpError, httpError, validationError } from './http-errors.js'
import { isObject, type JsonObject } from './json.js'
import { normalizeUuid, pyJsonDumps } from './python-compat.js'
import { eventFilters, queryLimit } from './query-params.js'
import { serverInfo } from './server-info.js'
import type { ClientToolSpec } from './tools.js'
import { checkCondenser, StateFiles } from './upstream-habits.js'

const EXECUTION_STATUSES = new Set(['idle', 'running', 'paused', 'waiting_for_confirmation', 'finished', 'error', 'stuck', 'deleting'])

export class FakeAgentServer {
  readonly conversations = new Map<string, Conversation>()
  private readonly startTime = Date.now()
  private lastEventTime = Date.now()
  private ready = false
  private readonly http = createServer((req, res) => {
    this.handle(req, res).catch((error: unknown) => this.sendError(res, error))
  })
  private readonly sockets: EventSocketServer
  private statusReadsToReset: number

  constructor(readonly config: Config) {
    this.sockets = new EventSocketServer(config, this.conversations)
    this.statusReadsToReset = config.resetStatusReads
    this.http.on('upgrade', (req, socket, head) => this.sockets.upgrade(req, socket as Socket, head))
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject)
      this.http.listen(this.config.port, this.config.host, () => {
        this.http.off('error', reject)
        resolve()
      })
    })
    const markReady = (): void => {
      this.ready = true
    }
    if (this.config.startupDelayMs > 0) setTimeout(markReady, this.config.startupDelayMs)
    else markReady()
    return (this.http.address() as AddressInfo).port
  }

  async close(): Promise<void> {
    await Promise.all([...this.conversations.values()].map((conversation) => conversation.close()))
    this.sockets.terminateAll()
    const closing = new Promise<void>((resolve) => this.http.close(() => resolve()))
    this.http.closeAllConnections?.()
    await closing
  }

  private authorized(key: string | undefined | null): boolean {
    return this.config.sessionKeys.length === 0 || (typeof key === 'string' && this.config.sessionKeys.includes(key))
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent || res.destroyed) return
    const text = JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    res.end(text)
  }

  /** api.py's exception handlers: `{"detail": …}` for HTTP errors, 500 with `exception` otherwise. */
  private sendError(res: ServerResponse, error: unknown): void {
    if (error instanceof HttpError) return this.send(res, error.status, { detail: error.detail })
    this.send(res, 500, {
      detail: 'Internal Server Error',
      exception: error instanceof Error ? error.message : String(error),
      error_id: randomUUID().replace(/-/g, ''),
    })
  }

  private async body(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    if (text.trim() === '') throw validationError(['body'], 'Field required', 'missing')
    try {
      return JSON.parse(text) as unknown
    } catch (error) {
      throw new HttpError(422, [
        { type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: error instanceof Error ? error.message : String(error) } },
      ])
    }
  }

  private conversation(rawId: string, eventRoute: boolean): Conversation {
    const id = normalizeUuid(rawId)
    if (id === null)
      throw validationError(
        ['path', 'conversation_id'],
        `Input should be a valid UUID, invalid character: expected an optional prefix of \`urn:uuid:\` followed by [0-9a-fA-F-], found \`${rawId.slice(0, 1)}\` at 1`,
        'uuid_parsing',
        rawId,
      )
    const conversation = this.conversations.get(id)
    if (conversation === undefined) throw eventRoute ? httpError(404, `Conversation not found: ${id}`) : httpError(404)
    return conversation
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname.replace(/\/+$/, '') || '/'
    const method = req.method ?? 'GET'
    const segments = path
      .split('/')
      .filter((segment) => segment !== '')
      .map(decodeURIComponent)

    // server_details_router.py: no auth
    if (method === 'GET' && (path === '/alive' || path === '/health')) return this.send(res, 200, { status: 'ok' })
    if (method === 'GET' && path === '/ready' && this.config.serverVersion.minor >= 12)
      return this.ready ? this.send(res, 200, { status: 'ready' }) : this.send(res, 503, { status: 'initializing', message: 'Server is still initializing' })
    if (method === 'GET' && (path === '/server_info' || path === '/')) return this.send(res, 200, this.serverInfo())

    if (segments[0] !== 'api') throw httpError(404)
    // api.py: check_session_api_key on every /api route, then the conversation service (dependencies.py)
    const key = req.headers['x-session-api-key']
    if (!this.authorized(Array.isArray(key) ? key[0] : key)) throw httpError(401)
    if (!this.ready) throw httpError(503, 'Conversation service is not available')
    this.lastEventTime = Date.now()

    if (segments[1] !== 'conversations') throw httpError(404)
    const [, , idPart, sub, third] = segments
    // conversation_router.py
    if (idPart === undefined) {
      if (method === 'POST') return this.startConversation(req, res)
      if (method === 'GET') return this.batchGet(url, res)
      throw httpError(405)
    }
    if (idPart === 'search' && sub === undefined) {
      if (method !== 'GET') throw httpError(405)
      return this.searchConversations(url, res)
    }
    if (idPart === 'count' && sub === undefined) {
      if (method !== 'GET') throw httpError(405)
      const status = url.searchParams.get('status')
      return this.send(res, 200, [...this.conversations.values()].filter((c) => status === null || c.status === status).length)
    }
    if (sub === undefined) {
      if (method === 'GET' && this.statusReadsToReset > 0) {
        // The `--reset-status-reads` fault: the connection drops with no answer.
        this.statusReadsToReset--
        req.socket.destroy()
        return
      }
      if (method === 'GET') return this.send(res, 200, this.conversation(idPart, false).info())
      if (method === 'DELETE') return this.deleteConversation(idPart, res)
      throw httpError(405)
    }
    if (sub === 'events') return this.eventRoute(req, res, url, idPart, third, method)
    if (third !== undefined) throw httpError(404)
    if (sub === 'run') {
      if (method !== 'POST') throw httpError(405)
      const conversation = this.conversation(idPart, false)
      try {
        conversation.startRun()
      } catch (error) {
        if (error instanceof Error && error.message === 'conversation_already_running')
          throw httpError(409, 'Conversation already running. Wait for completion or pause first.')
        throw httpError(400, error instanceof Error ? error.message : String(error))
      }
      return this.send(res, 200, { success: true })
    }
    if (sub === 'pause' || (sub === 'interrupt' && this.config.serverVersion.minor >= 23)) {
      if (method !== 'POST') throw httpError(405)
      const id = normalizeUuid(idPart)
      const conversation = id === null ? undefined : this.conversations.get(id)
      if (id === null) this.conversation(idPart, false)
      if (conversation === undefined) throw httpError(400)
      if (sub === 'pause') {
        conversation.rerunRequested = false
        conversation.pause()
        conversation.publish(conversation.fullStateEvent())
      } else await conversation.interrupt()
      return this.send(res, 200, { success: true })
    }
    if (sub === 'agent_final_response') {
      if (method !== 'GET') throw httpError(405)
      return this.send(res, 200, { response: finalResponse(this.conversation(idPart, false).events) })
    }
    throw httpError(404)
  }

  private serverInfo(): JsonObject {
    return serverInfo(this.config.serverVersion.text, this.startTime, this.lastEventTime)
  }

  /** POST /api/conversations (StartConversationRequest → ConversationInfo, 201). */
  private async startConversation(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await this.body(req)
    if (!isObject(body)) throw validationError(['body'], 'Input should be a valid dictionary or object to extract fields from', 'model_attributes_type', body)
    const requestedId = body.conversation_id
    if (requestedId !== undefined && requestedId !== null) {
      const id = typeof requestedId === 'string' ? normalizeUuid(requestedId) : null
      if (id === null) throw validationError(['body', 'conversation_id'], 'Input should be a valid UUID', 'uuid_parsing', requestedId)
      const existing = this.conversations.get(id)
      if (existing !== undefined) return this.send(res, 200, existing.info())
    }
    const agent = body.agent
    if (!isObject(agent)) throw validationError(['body', 'agent'], 'Field required', 'missing')
    checkCondenser(agent)
    const llm = agent.llm
    if (!isObject(llm)) throw validationError(['body', 'agent', 'Agent', 'llm'], 'Field required', 'missing')
    if (typeof llm.model !== 'string' || llm.model === '') throw validationError(['body', 'agent', 'Agent', 'llm', 'model'], 'Field required', 'missing')
    const workspace = body.workspace
    if (!isObject(workspace) || typeof workspace.working_dir !== 'string' || workspace.working_dir === '')
      throw validationError(['body', 'workspace', 'working_dir'], 'Field required', 'missing')
    const maxIterations = body.max_iterations === undefined ? 500 : body.max_iterations
    if (typeof maxIterations !== 'number' || !Number.isInteger(maxIterations) || maxIterations < 1)
      throw validationError(['body', 'max_iterations'], 'Input should be greater than or equal to 1', 'greater_than_equal', maxIterations)
    const clientTools: ClientToolSpec[] = []
    const seen = new Set<string>()
    const requestedTools = this.config.serverVersion.minor >= 28 && Array.isArray(body.client_tools) ? body.client_tools : []
    for (const [index, raw] of requestedTools.entries()) {
      if (!isObject(raw) || typeof raw.name !== 'string' || typeof raw.description !== 'string')
        throw validationError(['body', 'client_tools', index], 'name and description are required', 'missing')
      const parameters = raw.parameters === undefined ? { type: 'object', properties: {} } : raw.parameters
      if (!isObject(parameters) || parameters.type !== 'object') {
        throw validationError(
          ['body', 'client_tools', index, 'parameters'],
          `Value error, ClientToolSpec.parameters must be an object JSON Schema (got type=${isObject(parameters) ? pyJsonDumps(parameters.type ?? null) : 'None'}).`,
          'value_error',
          parameters,
        )
      }
      // client_tool.py register_client_tools: names are unique and may not shadow built-in tools
      if (seen.has(raw.name)) throw httpError(422, `Duplicate client tool name '${raw.name}' in one registration request. Client tool names must be unique.`)
      if (raw.name === 'terminal' || raw.name === 'finish')
        throw httpError(422, `Client tool name '${raw.name}' collides with an existing non-client tool. Choose a unique client tool name.`)
      seen.add(raw.name)
      clientTools.push({ name: raw.name, description: raw.description, parameters, ...(isObject(raw.annotations) ? { annotations: raw.annotations } : {}) })
    }
    const workingDir = workspace.working_dir
    try {
      mkdirSync(workingDir, { recursive: true })
    } catch (error) {
      throw httpError(400, `cannot create working_dir ${workingDir}: ${error instanceof Error ? error.message : String(error)}`)
    }
    ensureGitRepo(workingDir)
    const numRetries = typeof llm.num_retries === 'number' && llm.num_retries >= 0 ? Math.floor(llm.num_retries) : 2
    const timeoutSeconds = typeof llm.timeout === 'number' && llm.timeout >= 0 ? llm.timeout : 300
    const llmConfig: LlmConfig = {
      model: llm.model,
      baseUrl: typeof llm.base_url === 'string' && llm.base_url !== '' ? llm.base_url : 'https://api.openai.com/v1',
      apiKey: typeof llm.api_key === 'string' && llm.api_key !== '' ? llm.api_key : null,
      usageId: typeof llm.usage_id === 'string' && llm.usage_id !== '' ? llm.usage_id : 'default',
      timeoutMs: timeoutSeconds * 1000,
      numRetries,
    }
    const additions = isObject(body.agent_launch_additions) ? body.agent_launch_additions : {}
    const context = isObject(agent.agent_context) ? agent.agent_context : {}
    const systemPrompt = [
      typeof agent.system_prompt === 'string' && agent.system_prompt !== ''
        ? agent.system_prompt
        : 'You are OpenHands agent, a helpful AI assistant that can interact with a computer to solve tasks. (fake agent server)',
      typeof context.system_message_suffix === 'string' ? context.system_message_suffix : '',
      typeof additions.system_message_suffix_append === 'string' ? additions.system_message_suffix_append : '',
    ]
      .filter((part) => part !== '')
      .join('\n\n')
    const id = typeof requestedId === 'string' ? (normalizeUuid(requestedId) as string) : randomUUID()
    const conversation = new Conversation(
      id,
      agent,
      llmConfig,
      workingDir,
      maxIterations,
      body.stuck_detection !== false,
      clientTools,
      isObject(body.tags) ? body.tags : {},
      isObject(body.confirmation_policy) ? body.confirmation_policy : { kind: 'NeverConfirm' },
      systemPrompt,
      this.config,
    )
    conversation.autotitle = body.autotitle !== false
    conversation.stateFiles = new StateFiles(id, typeof body.persistence_dir === 'string' ? body.persistence_dir : undefined)
    conversation.stateFiles.writeBase(conversation.info())
    this.conversations.set(id, conversation)
    // conversation_service.start_conversation: the initial message is sent with run=True
    const initial = body.initial_message
    if (isObject(initial)) conversation.sendMessage(typeof initial.role === 'string' ? initial.role : 'user', messageContent(initial.content), true)
    this.send(res, 201, conversation.info())
  }

  private batchGet(url: URL, res: ServerResponse): void {
    const ids = url.searchParams.getAll('ids')
    if (ids.length === 0) throw validationError(['query', 'ids'], 'Field required', 'missing')
    this.send(
      res,
      200,
      ids.map((raw) => {
        const id = normalizeUuid(raw)
        if (id === null) throw validationError(['query', 'ids'], 'Input should be a valid UUID', 'uuid_parsing', raw)
        return this.conversations.get(id)?.info() ?? null
      }),
    )
  }

  private searchConversations(url: URL, res: ServerResponse): void {
    const limit = queryLimit(url)
    const status = url.searchParams.get('status')
    if (status !== null && !EXECUTION_STATUSES.has(status))
      throw validationError(['query', 'status'], 'Input should be a valid execution status', 'enum', status)
    const sort = url.searchParams.get('sort_order') ?? 'CREATED_AT_DESC'
    let items = [...this.conversations.values()].filter((c) => status === null || c.status === status)
    const key = (c: Conversation): number => (sort.startsWith('UPDATED_AT') ? c.updatedAt.getTime() : c.createdAt.getTime())
    items.sort((a, b) => (sort.endsWith('_DESC') ? key(b) - key(a) : key(a) - key(b)))
    const pageId = url.searchParams.get('page_id')
    if (pageId !== null) {
      const start = items.findIndex((c) => c.id.replace(/-/g, '') === pageId.replace(/-/g, ''))
      if (start > 0) items = items.slice(start)
    }
    const page = items.slice(0, limit)
    const next = items[limit]
    this.send(res, 200, { items: page.map((c) => c.info()), next_page_id: next === undefined ? null : next.id.replace(/-/g, '') })
  }

  private async deleteConversation(idPart: string, res: ServerResponse): Promise<void> {
    const id = normalizeUuid(idPart)
    if (id === null) this.conversation(idPart, false)
    const conversation = this.conversations.get(id as string)
    if (conversation === undefined) throw httpError(400)
    this.conversations.delete(conversation.id)
    await conversation.close()
    conversation.stateFiles?.remove()
    this.send(res, 200, { success: true })
  }

  /** event_router.py: /api/conversations/{id}/events[/search|/count|/{event_id}]. */
  private async eventRoute(req: IncomingMessage, res: ServerResponse, url: URL, idPart: string, third: string | undefined, method: string): Promise<void> {
    const conversation = this.conversation(idPart, true)
    if (third === undefined) {
      if (method === 'POST') {
        const body = await this.body(req)
        if (!isObject(body)) throw validationError(['body'], 'Input should be a valid dictionary', 'model_attributes_type', body)
        const role = body.role === undefined ? 'user' : body.role
        if (typeof role !== 'string' || !['user', 'system', 'assistant', 'tool'].includes(role))
          throw validationError(['body', 'role'], "Input should be 'user', 'system', 'assistant' or 'tool'", 'literal_error', role)
        conversation.sendMessage(role, messageContent(body.content), body.run === true)
        return this.send(res, 200, { success: true })
      }
      if (method === 'GET') {
        const ids = url.searchParams.getAll('event_ids')
        return this.send(
          res,
          200,
          ids.map((id) => conversation.getEvent(id) ?? null),
        )
      }
      throw httpError(405)
    }
    if (method !== 'GET') throw httpError(405)
    if (third === 'search' || third === 'count') {
      const filters = eventFilters(url)
      const matches = (event: OhEvent): boolean =>
        (filters.kind === null || `${EVENT_MODULES[event.kind] ?? 'openhands.sdk.event'}.${event.kind}` === filters.kind) &&
        (filters.source === null || event.source === filters.source) &&
        (filters.gte === null || event.timestamp >= filters.gte) &&
        (filters.lt === null || event.timestamp < filters.lt) &&
        (filters.body === null || messageText(event).toLowerCase().includes(filters.body.toLowerCase()))
      if (third === 'count') return this.send(res, 200, conversation.events.filter(matches).length)
      const limit = queryLimit(url)
      const sort = url.searchParams.get('sort_order') ?? 'TIMESTAMP'
      if (sort !== 'TIMESTAMP' && sort !== 'TIMESTAMP_DESC')
        throw validationError(['query', 'sort_order'], "Input should be 'TIMESTAMP' or 'TIMESTAMP_DESC'", 'enum', sort)
      const reverse = sort === 'TIMESTAMP_DESC'
      const events = conversation.events
      const pageId = url.searchParams.get('page_id')
      let start = reverse ? events.length - 1 : 0
      if (pageId) {
        const index = events.findIndex((event) => event.id === pageId)
        if (index !== -1) start = index
      }
      const items: OhEvent[] = []
      let next: string | null = null
      for (let i = start; reverse ? i >= 0 : i < events.length; i += reverse ? -1 : 1) {
        const event = events[i] as OhEvent
        if (!matches(event)) continue
        if (items.length >= limit) {
          next = event.id
          break
        }
        items.push(event)
      }
      return this.send(res, 200, { items, next_page_id: next })
    }
    const event = conversation.getEvent(third)
    if (event === undefined) throw httpError(404)
    this.send(res, 200, event)
  }
}

/** EventService._ensure_workspace_is_git_repo: `git init` when the workspace is not a repository (best effort). */
function ensureGitRepo(dir: string): void {
  try {
    if (!statSync(dir).isDirectory()) return
    const inside = spawnSync('git', ['rev-parse', '--is-inside-work-tree'], { cwd: dir, stdio: 'ignore', timeout: 10_000 })
    if (inside.status === 0) return
    spawnSync('git', ['init', '-q'], { cwd: dir, stdio: 'ignore', timeout: 10_000 })
  } catch {
    // git missing: the real server only logs a warning too
  }
}
