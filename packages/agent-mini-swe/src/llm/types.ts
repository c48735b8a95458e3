import type { Logger } from '@cooperbench/spec'

/** One message of a conversation, provider-neutral. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool'
  content: string
  /** Assistant messages: the tool calls the model made. */
  toolCalls?: ToolCall[]
  /** Tool messages: the id of the call this message answers. */
  toolCallId?: string
  /**
   * User and tool messages of a request whose `promptCache` is `'marked'`: the content sent as a list of one text part, as
   * SWE-agent's `cache_control` history processor leaves it (see {@link CacheControlMark}).
   */
  cacheControl?: CacheControlMark
}

/**
 * Where SWE-agent's `cache_control` history processor put `cache_control: {type: 'ephemeral'}` (`'part'`: on the text part, user
 * messages; `'message'`: beside the content, tool messages), or `'cleared'`: marked at an earlier call, the list content stays.
 */
export type CacheControlMark = 'part' | 'message' | 'cleared'

export interface ToolCall {
  id: string
  name: string
  /** Raw JSON text as the model sent it (it may be malformed). */
  arguments: string
}

/** A tool the model may call; the harness runs it (the model layer never executes tools). */
export interface ToolSpec {
  name: string
  description: string
  /** JSON schema of the arguments object. */
  parameters: Record<string, unknown>
}

/** Tokens of one request (0 when the provider does not say): `inputTokens` is the whole prompt, the cache reads and writes included. */
export interface Usage {
  inputTokens: number
  outputTokens: number
  cacheReadTokens: number
  cacheWriteTokens: number
}

export interface ModelResponse {
  text: string
  toolCalls: ToolCall[]
  usage: Usage
  /** US dollars, from the price table; `null` when the model has no known price. */
  cost: number | null
  /** Provider response body, secrets-free. */
  raw: unknown
  /** With `captureTokenIds`: the token ids the server used, when it returned any (never made up). */
  tokenIds?: TokenCapture
}

/** The token ids of one call as the server reported them (upstream's `extra["token_capture"]`); at least one list is present. */
export interface TokenCapture {
  /** The prompt as the server tokenized it (chat template applied). */
  prompt_token_ids?: number[]
  /** The reply's tokens, as sampled. */
  completion_token_ids?: number[]
}

export interface CompleteRequest {
  messages: ChatMessage[]
  tools: ToolSpec[]
  signal?: AbortSignal
  temperature?: number
  maxOutputTokens?: number
  topP?: number
  seed?: number
  stopSequences?: string[]
  presencePenalty?: number
  frequencyPenalty?: number
  /**
   * `'client'` (default): the client's own prompt-caching marks (Anthropic: the system message and the last two user/tool messages).
   * `'marked'`: only the messages' `cacheControl`, as the reference's client (LiteLLM 1.81.12) sends them: Anthropic breakpoints;
   * on Chat Completions bodies the list content without the marks, which LiteLLM takes out there.
   */
  promptCache?: 'client' | 'marked'
}

export interface ChatModel {
  /** The model string as given, e.g. `openai/gpt-4o`. */
  readonly id: string
  complete(request: CompleteRequest): Promise<ModelResponse>
}

export interface ChatModelOptions {
  /** `provider/model` (`openai/gpt-4o`, `anthropic/claude-…`, `openrouter/x/y`, …) or a bare id LiteLLM knows (`gpt-4o`, `claude-…`). */
  model: string
  /** An OpenAI-compatible server (vLLM, Ollama, a LiteLLM proxy): requests go there as Chat Completions. */
  baseUrl?: string | null
  /** With `baseUrl`, price the model by its name as LiteLLM does (the reference's protocol); else a custom endpoint has no price. */
  priceByName?: boolean
  /** Whether a request with tools names `tool_choice: "auto"` (default), or none as the reference's LiteLLM client sends it. */
  sendsToolChoice?: boolean
  /**
   * Ask the server for the token ids it used (`return_token_ids: true`, vLLM/SGLang) and return them as
   * `ModelResponse.tokenIds`; off (default): requests are as before, byte for byte.
   */
  captureTokenIds?: boolean
  /**
   * Chat Completions bodies (OpenAI and OpenAI-compatible servers) written byte for byte as LiteLLM 1.81.12 sends them through
   * openai-python and httpx, as SWE-agent's requests leave it: its key orders, `0.0` for float parameters, the messages as
   * given (no repair) with marked ones as list content. Off (default): the AI SDK's bodies.
   */
  liteLlmBodies?: boolean
  /** Where keys and endpoints are read from; `process.env` by default. */
  env?: NodeJS.ProcessEnv
  /** Per request (attempt), in milliseconds; default 300_000. */
  timeoutMs?: number
  /** Retries after the first attempt on 429, 5xx, timeouts and connection errors; default 10. */
  maxRetries?: number
  /** First backoff delay, in milliseconds; default 4000. */
  retryBaseMs?: number
  /** Longest backoff delay, in milliseconds; default 60_000. */
  retryMaxMs?: number
  logger?: Logger
}
