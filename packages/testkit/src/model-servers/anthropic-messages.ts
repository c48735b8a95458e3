import type { ServerResponse } from 'node:http'
import type { ScriptedTurn } from '../llm-server/types.js'
import { estimateTokens } from '../llm-server/wire.js'
import { openEventStream, pieces, sendJson, startWireServer, type WireProtocol, type WireRequest, type WireScript, type WireServer } from './http.js'

/** A content block of an Anthropic Messages request, as it arrived. */
export interface AnthropicContentBlock {
  type: string
  text?: string
  content?: string | AnthropicContentBlock[]
  [key: string]: unknown
}

/** The JSON body of `POST /v1/messages`. */
export interface AnthropicMessagesBody {
  model: string
  max_tokens?: number
  system?: string | AnthropicContentBlock[]
  messages: Array<{ role: string; content: string | AnthropicContentBlock[] }>
  tools?: Array<{ name: string; [key: string]: unknown }>
  stream?: boolean
  [key: string]: unknown
}

export type AnthropicRequest = WireRequest<AnthropicMessagesBody>

export interface ScriptedAnthropicServerOptions {
  script: WireScript<AnthropicMessagesBody>
  /** When set, requests without `x-api-key: <apiKey>` or `Authorization: Bearer <apiKey>` get a 401. */
  apiKey?: string
  /**
   * Requests that carry no tools (a CLI's side queries: titles, summaries, prefix checks) are
   * answered with this text and consume no turn; default true.
   */
  answerSideRequests?: boolean
}

/**
 * A scripted Anthropic Messages API server on 127.0.0.1 for driving real clients offline:
 * `POST /v1/messages` (streaming server-sent events or one JSON message; text and `tool_use`
 * blocks; usage with cache fields; Anthropic error bodies) and `POST /v1/messages/count_tokens`.
 * Scripted turns are the OpenAI server's: `toolCalls` become `tool_use` blocks whose `input` is
 * the call's arguments. `url` is the origin (clients add `/v1`), as `ANTHROPIC_BASE_URL` expects.
 */
export async function startScriptedAnthropicServer(options: ScriptedAnthropicServerOptions): Promise<WireServer<AnthropicMessagesBody>> {
  const protocol: WireProtocol<AnthropicMessagesBody> = {
    route: '/messages',
    validate: (body) =>
      typeof body === 'object' && body !== null && Array.isArray((body as { messages?: unknown }).messages) ? null : "the request body has no 'messages' array",
    authorized: (headers, apiKey) => {
      const key = headers['x-api-key']
      const bearer = /^Bearer\s+(\S+)/.exec(headers.authorization ?? '')?.[1]
      const given = typeof key === 'string' && key !== '' ? key : bearer
      return given !== undefined && (apiKey === undefined || given === apiKey)
    },
    sideAnswer: (body) => (options.answerSideRequests === false || (body.tools?.length ?? 0) > 0 ? null : { content: 'scripted side answer' }),
    sendError: (res, status, message, headers) => sendAnthropicError(res, status, message, headers),
    sendAnswer: (res, turn, body, turnIndex) => sendMessage(res, turn, body, turnIndex),
    get: (path) =>
      path === '/models'
        ? { data: [{ type: 'model', id: 'scripted-model', display_name: 'Scripted', created_at: '2026-01-01T00:00:00Z' }], has_more: false }
        : undefined,
  }
  return startWireServer(protocol, options, '')
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
}

function sendAnthropicError(res: ServerResponse, status: number, message?: string, headers: Record<string, string> = {}): void {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error')
  sendJson(
    res,
    status,
    { type: 'error', error: { type, message: message ?? `${type} (scripted)` } },
    { 'request-id': `req_scripted_${Date.now()}`, ...headers },
  )
}

function textOf(content: string | AnthropicContentBlock[] | undefined): number {
  if (typeof content === 'string') return content.length
  if (!Array.isArray(content)) return 0
  return content.reduce(
    (sum, block) => sum + (block.text?.length ?? 0) + textOf(block.content) + (block.input === undefined ? 0 : JSON.stringify(block.input).length),
    0,
  )
}

interface Block {
  type: 'text' | 'tool_use'
  text?: string
  id?: string
  name?: string
  input?: Record<string, unknown>
  json?: string
}

function blocksOf(turn: ScriptedTurn, turnIndex: number): Block[] {
  const blocks: Block[] = []
  if (turn.content !== undefined && turn.content !== '') blocks.push({ type: 'text', text: turn.content })
  ;(turn.toolCalls ?? []).forEach((call, position) => {
    const json = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments)
    let input: Record<string, unknown> = {}
    try {
      input = JSON.parse(json) as Record<string, unknown>
    } catch {
      // malformed arguments on purpose: streamed as they are, `input` stays empty in a JSON answer
    }
    blocks.push({ type: 'tool_use', id: call.id ?? `toolu_scripted_${turnIndex}_${position}`, name: call.name, input, json })
  })
  if (blocks.length === 0) blocks.push({ type: 'text', text: '' })
  return blocks
}

function sendMessage(res: ServerResponse, turn: ScriptedTurn, body: AnthropicMessagesBody, turnIndex: number): void {
  const blocks = blocksOf(turn, turnIndex)
  const hasTools = blocks.some((block) => block.type === 'tool_use')
  const stopReason = turn.finishReason ?? (hasTools ? 'tool_use' : 'end_turn')
  const promptCharacters =
    textOf(body.messages.flatMap((m) => (typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content))) +
    textOf(body.system) +
    (body.tools ? JSON.stringify(body.tools).length : 0)
  const usage = {
    input_tokens: turn.usage?.promptTokens ?? estimateTokens(promptCharacters),
    output_tokens: turn.usage?.completionTokens ?? estimateTokens(blocks.reduce((sum, b) => sum + (b.text?.length ?? 0) + (b.json?.length ?? 0), 0)),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: turn.usage?.cachedTokens ?? 0,
  }
  const id = `msg_scripted_${turnIndex < 0 ? `side_${Date.now()}` : turnIndex}`
  const model = typeof body.model === 'string' ? body.model : 'scripted-model'
  const headers = { 'request-id': `req_scripted_${turnIndex}`, ...(turn.headers ?? {}) }
  const content = blocks.map((b) => (b.type === 'text' ? { type: 'text', text: b.text ?? '' } : { type: 'tool_use', id: b.id, name: b.name, input: b.input }))
  if (body.stream !== true) {
    sendJson(res, 200, { id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage }, headers)
    return
  }
  const send = openEventStream(res, headers)
  send('message_start', {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 1 },
    },
  })
  blocks.forEach((block, index) => {
    if (block.type === 'text') {
      send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } })
      for (const piece of pieces(block.text ?? '', 16))
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } })
    } else {
      send('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
      })
      for (const piece of pieces(block.json ?? '{}', 64))
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } })
    }
    send('content_block_stop', { type: 'content_block_stop', index })
  })
  send('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  })
  send('message_stop', { type: 'message_stop' })
  res.end()
}

/** Every text of an Anthropic request's messages and system prompt (text blocks, tool results). */
export function anthropicRequestTexts(body: AnthropicMessagesBody): string[] {
  const texts: string[] = []
  const walk = (content: string | AnthropicContentBlock[] | undefined): void => {
    if (typeof content === 'string') texts.push(content)
    else if (Array.isArray(content))
      for (const block of content) {
        if (typeof block.text === 'string') texts.push(block.text)
        walk(block.content)
      }
  }
  for (const message of body.messages) walk(message.content)
  walk(body.system)
  return texts
}
