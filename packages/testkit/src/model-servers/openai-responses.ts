import type { ServerResponse } from 'node:http'
import type { ScriptedTurn } from '../llm-server/types.js'
import { errorBody, estimateTokens } from '../llm-server/wire.js'
import { openEventStream, pieces, sendJson, startWireServer, type WireProtocol, type WireRequest, type WireScript, type WireServer } from './http.js'

/** The JSON body of `POST /v1/responses`, as it arrived. */
export interface ResponsesBody {
  model: string
  instructions?: string
  input: string | Array<{ type?: string; role?: string; content?: unknown; [key: string]: unknown }>
  tools?: Array<{ type: string; name?: string; [key: string]: unknown }>
  stream?: boolean
  [key: string]: unknown
}

export type ResponsesRequest = WireRequest<ResponsesBody>

export interface ScriptedResponsesServerOptions {
  script: WireScript<ResponsesBody>
  /** When set, requests without `Authorization: Bearer <apiKey>` get a 401. */
  apiKey?: string
}

/**
 * A scripted OpenAI Responses API server on 127.0.0.1: `POST /v1/responses`, streamed as the
 * API's typed server-sent events (`response.created`, `response.output_item.added`/`.done`,
 * `response.output_text.delta`, `response.function_call_arguments.delta`, `response.completed`
 * with usage) or one JSON response. Scripted turns are the Chat server's: `toolCalls` become
 * `function_call` output items (with the call's `namespace` when it has one). `url` ends in `/v1`, like an OpenAI base URL.
 */
export async function startScriptedResponsesServer(options: ScriptedResponsesServerOptions): Promise<WireServer<ResponsesBody>> {
  const protocol: WireProtocol<ResponsesBody> = {
    route: '/responses',
    validate: (body) => (typeof body === 'object' && body !== null && 'input' in body ? null : "the request body has no 'input'"),
    authorized: (headers, apiKey) => {
      const bearer = /^Bearer\s+(\S+)/.exec(headers.authorization ?? '')?.[1]
      return bearer !== undefined && (apiKey === undefined || bearer === apiKey)
    },
    sendError: (res, status, message, headers) => sendJson(res, status, errorBody(status, message), headers),
    sendAnswer: (res, turn, body, turnIndex) => sendResponse(res, turn, body, turnIndex),
    get: (path) =>
      path === '/models' ? { object: 'list', data: [{ id: 'scripted-model', object: 'model', created: 0, owned_by: 'cooperbench-testkit' }] } : undefined,
  }
  return startWireServer(protocol, options, '/v1')
}

/** Every text of a Responses request: `input` items' content and `output` of tool results (text or content items), and `instructions`. */
export function responsesRequestTexts(body: ResponsesBody): string[] {
  const texts: string[] = []
  const walk = (value: unknown): void => {
    if (typeof value === 'string') texts.push(value)
    else if (Array.isArray(value))
      for (const part of value as Array<Record<string, unknown>>) {
        if (typeof part?.['text'] === 'string') texts.push(part['text'])
        if (part?.['content'] !== undefined) walk(part['content'])
        // A tool result's `output`: a string, or content items (Codex's results of MCP tools).
        if (part?.['output'] !== undefined) walk(part['output'])
      }
  }
  walk(body.input)
  if (typeof body.instructions === 'string') texts.push(body.instructions)
  return texts
}

type OutputItem =
  | {
      type: 'message'
      id: string
      status: 'completed'
      role: 'assistant'
      content: Array<{ type: 'output_text'; text: string; annotations: [] }>
    }
  | { type: 'function_call'; id: string; status: 'completed'; call_id: string; name: string; namespace?: string; arguments: string }

function outputItems(turn: ScriptedTurn, turnIndex: number): OutputItem[] {
  const items: OutputItem[] = []
  if (turn.content !== undefined && turn.content !== '') {
    items.push({
      type: 'message',
      id: `msg_scripted_${turnIndex}`,
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: turn.content, annotations: [] }],
    })
  }
  ;(turn.toolCalls ?? []).forEach((call, position) => {
    const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments)
    items.push({
      type: 'function_call',
      id: `fc_scripted_${turnIndex}_${position}`,
      status: 'completed',
      call_id: call.id ?? `call_scripted_${turnIndex}_${position}`,
      name: call.name,
      ...(call.namespace === undefined ? {} : { namespace: call.namespace }),
      arguments: args,
    })
  })
  if (items.length === 0)
    items.push({
      type: 'message',
      id: `msg_scripted_${turnIndex}`,
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: '', annotations: [] }],
    })
  return items
}

function sendResponse(res: ServerResponse, turn: ScriptedTurn, body: ResponsesBody, turnIndex: number): void {
  const items = outputItems(turn, turnIndex)
  const inputTokens =
    turn.usage?.promptTokens ?? estimateTokens(responsesRequestTexts(body).join('').length + (body.tools ? JSON.stringify(body.tools).length : 0))
  const outputTokens = turn.usage?.completionTokens ?? estimateTokens(JSON.stringify(items).length)
  const usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: turn.usage?.cachedTokens ?? 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  }
  const base = {
    id: `resp_scripted_${turnIndex}`,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    model: body.model,
    error: null,
    incomplete_details: null,
  }
  const headers = turn.headers ?? {}
  if (body.stream !== true) {
    sendJson(res, 200, { ...base, status: 'completed', output: items, usage }, headers)
    return
  }
  const send = openEventStream(res, headers)
  let sequence = 0
  const event = (type: string, data: Record<string, unknown>) => send(type, { type, sequence_number: sequence++, ...data })
  event('response.created', { response: { ...base, status: 'in_progress', output: [], usage: null } })
  items.forEach((item, index) => {
    if (item.type === 'message') {
      event('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', content: [] } })
      event('response.content_part.added', {
        output_index: index,
        item_id: item.id,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [] },
      })
      for (const piece of pieces(item.content[0]!.text, 16))
        event('response.output_text.delta', { output_index: index, item_id: item.id, content_index: 0, delta: piece })
      event('response.output_text.done', { output_index: index, item_id: item.id, content_index: 0, text: item.content[0]!.text })
      event('response.content_part.done', { output_index: index, item_id: item.id, content_index: 0, part: item.content[0] })
    } else {
      event('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', arguments: '' } })
      for (const piece of pieces(item.arguments, 64)) event('response.function_call_arguments.delta', { output_index: index, item_id: item.id, delta: piece })
      event('response.function_call_arguments.done', { output_index: index, item_id: item.id, arguments: item.arguments })
    }
    event('response.output_item.done', { output_index: index, item })
  })
  event('response.completed', { response: { ...base, status: 'completed', output: items, usage } })
  res.end()
}
