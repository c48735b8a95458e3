/** One tool call the scripted model makes. */
export interface ScriptedToolCall {
  name: string
  /** Sent as-is when a string (so a test can send malformed JSON), JSON-encoded when an object. */
  arguments: string | Record<string, unknown>
  /** Defaults to `call_<turn>_<position>`. */
  id?: string
  /**
   * The Responses API only: the `namespace` tool the called function belongs to (Codex offers an
   * MCP server's tools as `{ type: 'namespace', name: 'mcp__<server>', tools: [...] }`); the other
   * wires ignore it.
   */
  namespace?: string
}

/**
 * What the scripted model answers to one chat-completion request. With `status` >= 400 the
 * answer is an OpenAI-style error (`{ error: { message, type, code } }`) instead of a completion.
 */
export interface ScriptedTurn {
  content?: string
  toolCalls?: ScriptedToolCall[]
  /** Omitted numbers are estimated from the request and the answer (about 4 characters a token). */
  usage?: { promptTokens?: number; completionTokens?: number; cachedTokens?: number }
  /** An HTTP error status, e.g. 429 or 500. */
  status?: number
  /** The `error.message` of an error answer; a default per status otherwise. */
  errorMessage?: string
  /** Extra response headers, e.g. `{ 'Retry-After': '0' }`. */
  headers?: Record<string, string>
  /** Wait this long before answering (nothing is sent meanwhile; a client abort cancels the wait). */
  delayMs?: number
  /** Overrides `finish_reason` (`tool_calls` when there are tool calls, `stop` otherwise). */
  finishReason?: string
  /**
   * Token ids answered as vLLM >= 0.10.2 does, and only when the request asks (`return_token_ids: true`): `prompt` as the
   * top-level `prompt_token_ids`, `completion` as the choice's `token_ids`.
   */
  tokenIds?: { prompt?: number[]; completion?: number[] }
}

/** A chat message as it arrived on the wire. */
export interface RecordedChatMessage {
  role: string
  content?: string | null | Array<{ type: string; text?: string; [key: string]: unknown }>
  tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>
  tool_call_id?: string
  [key: string]: unknown
}

/** A tool definition as it arrived on the wire. */
export interface RecordedTool {
  type: string
  function: { name: string; description?: string; parameters?: Record<string, unknown>; [key: string]: unknown }
  [key: string]: unknown
}

/** The JSON body of a chat-completion request. */
export interface ChatCompletionRequestBody {
  model: string
  messages: RecordedChatMessage[]
  tools?: RecordedTool[]
  tool_choice?: unknown
  stream?: boolean
  stream_options?: { include_usage?: boolean; [key: string]: unknown }
  temperature?: number
  max_tokens?: number
  max_completion_tokens?: number
  [key: string]: unknown
}

export interface RecordedRequest {
  /** Position in `server.requests`. */
  index: number
  method: string
  /** Path and query, e.g. `/v1/chat/completions`. */
  path: string
  /** Lower-cased header names, without `authorization`. */
  headers: Record<string, string>
  /** Whether an `Authorization: Bearer …` header came (and matched `apiKey`, when one is required). */
  authorized: boolean
  /** The parsed JSON body (`null` for GET or an unparsable body). */
  body: ChatCompletionRequestBody | null
  /** The body's text as it arrived, byte for byte (`undefined` until it has been read). */
  rawBody?: string
  /** The 0-based number of the scripted turn this request consumed; `null` when it consumed none. */
  turn: number | null
  /** The status the server answered with (0 while the answer is pending or if the client left). */
  status: number
  /** Whether the client went away before the answer was complete. */
  aborted: boolean
  /** `Date.now()` when the request arrived. */
  receivedAt: number
}

/** Turns consumed in order, or a function choosing the answer from the request. */
export type LlmScript =
  | ScriptedTurn[]
  | ((request: RecordedRequest & { body: ChatCompletionRequestBody }, turn: number) => ScriptedTurn | Promise<ScriptedTurn>)

export interface ScriptedLlmServerOptions {
  script: LlmScript
  /** When set, chat requests without `Authorization: Bearer <apiKey>` get a 401 (and consume no turn). */
  apiKey?: string
  /** The port on 127.0.0.1; default 0, a free port. */
  port?: number
  /** Model ids listed by `GET /v1/models`; default `['scripted-model']`. */
  models?: string[]
  /**
   * A misconfigured endpoint: every request (`GET /v1/models` included, unless `routes: 'chat'`)
   * gets this answer instead of the script's. `401`: OpenAI's wrong-key error
   * (`invalid_api_key`); `501`: Not Implemented; `'html'`: a web page (status 200 unless `status`).
   */
  fault?: ScriptedServerFault
  /** Streaming: characters of content or tool-call arguments per SSE chunk; default 8. */
  streamChunkSize?: number
}

export interface ScriptedServerFault {
  answer: 401 | 501 | 'html'
  /** The status of the HTML page; default 200. */
  status?: number
  /** `all` (default) or only chat completions, so a models listing still answers. */
  routes?: 'all' | 'chat'
}

export interface ScriptedLlmServer {
  /** `http://127.0.0.1:<port>/v1`: the base URL a client is given. */
  url: string
  /** Every request received, in arrival order. */
  requests: RecordedRequest[]
  /** Chat-completion requests only (those with a parsed body). */
  chatRequests(): Array<RecordedRequest & { body: ChatCompletionRequestBody }>
  /** Stops listening, cancels pending answers and ends open connections. */
  close(): Promise<void>
}
