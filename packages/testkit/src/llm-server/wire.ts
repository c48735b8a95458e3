import type { ChatCompletionRequestBody, ScriptedTurn } from './types.js'

/** The OpenAI Chat Completions `usage` object. */
export interface WireUsage {
  prompt_tokens: number
  completion_tokens: number
  total_tokens: number
  prompt_tokens_details: { cached_tokens: number }
  completion_tokens_details: { reasoning_tokens: number }
}

export interface WireToolCall {
  id: string
  type: 'function'
  function: { name: string; arguments: string }
}

/** A scripted answer resolved to what goes on the wire. */
export interface ResolvedAnswer {
  id: string
  model: string
  created: number
  content: string | null
  toolCalls: WireToolCall[]
  finishReason: string
  usage: WireUsage
  /** The turn's token ids when the request asked for them (`return_token_ids: true`), else none. */
  tokenIds?: { prompt?: number[]; completion?: number[] }
}

/** About four characters a token, at least one: deterministic, good enough for tests. */
export function estimateTokens(characters: number): number {
  return Math.max(1, Math.ceil(characters / 4))
}

function contentLength(content: unknown): number {
  if (typeof content === 'string') return content.length
  if (Array.isArray(content))
    return content.reduce(
      (sum: number, part: unknown) => sum + (typeof (part as { text?: unknown })?.text === 'string' ? (part as { text: string }).text.length : 0),
      0,
    )
  return 0
}

/** A prompt-token estimate from the messages' text, tool-call arguments and tool definitions. */
export function estimatePromptTokens(body: ChatCompletionRequestBody): number {
  let characters = 0
  for (const message of body.messages) {
    characters += contentLength(message.content)
    for (const call of message.tool_calls ?? []) characters += call.function.name.length + call.function.arguments.length
  }
  if (body.tools !== undefined) characters += JSON.stringify(body.tools).length
  return estimateTokens(characters)
}

export function resolveAnswer(turn: ScriptedTurn, body: ChatCompletionRequestBody, turnIndex: number): ResolvedAnswer {
  const toolCalls: WireToolCall[] = (turn.toolCalls ?? []).map((call, position) => ({
    id: call.id ?? `call_${turnIndex}_${position}`,
    type: 'function',
    function: { name: call.name, arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments) },
  }))
  const content = turn.content ?? (toolCalls.length > 0 ? null : '')
  const outputCharacters = (content?.length ?? 0) + toolCalls.reduce((sum, call) => sum + call.function.name.length + call.function.arguments.length, 0)
  const promptTokens = turn.usage?.promptTokens ?? estimatePromptTokens(body)
  const completionTokens = turn.usage?.completionTokens ?? estimateTokens(outputCharacters)
  const cachedTokens = turn.usage?.cachedTokens ?? 0
  return {
    id: `chatcmpl-scripted-${turnIndex}`,
    model: typeof body.model === 'string' ? body.model : 'scripted-model',
    created: Math.floor(Date.now() / 1000),
    content,
    toolCalls,
    finishReason: turn.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    ...(turn.tokenIds !== undefined && body.return_token_ids === true ? { tokenIds: turn.tokenIds } : {}),
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: cachedTokens },
      completion_tokens_details: { reasoning_tokens: 0 },
    },
  }
}

/** The non-streaming `chat.completion` body; asked-for token ids where vLLM puts them (the prompt's top level, the reply's on the choice). */
export function completionBody(answer: ResolvedAnswer): Record<string, unknown> {
  const { prompt, completion } = answer.tokenIds ?? {}
  return {
    id: answer.id,
    object: 'chat.completion',
    created: answer.created,
    model: answer.model,
    system_fingerprint: 'fp_scripted',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.content,
          refusal: null,
          ...(answer.toolCalls.length > 0 ? { tool_calls: answer.toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: answer.finishReason,
        ...(completion === undefined ? {} : { token_ids: completion }),
      },
    ],
    usage: answer.usage,
    ...(prompt === undefined ? {} : { prompt_token_ids: prompt }),
  }
}

function pieces(text: string, size: number): string[] {
  const result: string[] = []
  for (let start = 0; start < text.length; start += size) result.push(text.slice(start, start + size))
  return result
}

/**
 * The `chat.completion.chunk` objects of a streamed answer, in order: the role, the content in
 * pieces, each tool call (id and name first, then its arguments in pieces), the finish reason,
 * and with `includeUsage` a last chunk with empty `choices` and the usage (every other chunk
 * then carries `usage: null`, as OpenAI does).
 */
export function streamChunks(answer: ResolvedAnswer, options: { includeUsage: boolean; chunkSize: number }): Array<Record<string, unknown>> {
  const size = Math.max(1, options.chunkSize)
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> => ({
    id: answer.id,
    object: 'chat.completion.chunk',
    created: answer.created,
    model: answer.model,
    system_fingerprint: 'fp_scripted',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(options.includeUsage ? { usage: null } : {}),
  })
  const chunks = [chunk({ role: 'assistant', content: '', refusal: null })]
  for (const piece of pieces(answer.content ?? '', size)) chunks.push(chunk({ content: piece }))
  answer.toolCalls.forEach((call, index) => {
    chunks.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }))
    for (const piece of pieces(call.function.arguments, size)) chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }))
  })
  chunks.push(chunk({}, answer.finishReason))
  if (options.includeUsage) {
    chunks.push({
      id: answer.id,
      object: 'chat.completion.chunk',
      created: answer.created,
      model: answer.model,
      system_fingerprint: 'fp_scripted',
      choices: [],
      usage: answer.usage,
    })
  }
  return chunks
}

const errorTypes: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'Bad request (scripted)' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided (scripted)' },
  403: { type: 'invalid_request_error', code: 'forbidden', message: 'Forbidden (scripted)' },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist (scripted)' },
  408: { type: 'timeout', code: null, message: 'Request timed out (scripted)' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached (scripted)' },
}

/** An OpenAI-style error body: `{ error: { message, type, param, code } }`. */
export function errorBody(status: number, message?: string): Record<string, unknown> {
  const known =
    errorTypes[status] ??
    (status >= 500
      ? { type: 'server_error', code: null, message: 'The server had an error while processing your request (scripted)' }
      : { type: 'invalid_request_error', code: null, message: `Error ${status} (scripted)` })
  return { error: { message: message ?? known.message, type: known.type, param: null, code: known.code } }
}
