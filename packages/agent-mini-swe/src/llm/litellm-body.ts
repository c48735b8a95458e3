import type { ChatMessage, ToolSpec } from './types.js'

/**
 * The keys of openai-python's `chat.completions.create` body in the order it writes them (2.x: `messages`, `model`, then its
 * parameters by name). A key it does not name (LiteLLM's `extra_body`) is merged in after them.
 */
const OPENAI_PYTHON_KEYS = [
  'messages',
  'model',
  'audio',
  'frequency_penalty',
  'function_call',
  'functions',
  'logit_bias',
  'logprobs',
  'max_completion_tokens',
  'max_tokens',
  'metadata',
  'modalities',
  'moderation',
  'n',
  'parallel_tool_calls',
  'prediction',
  'presence_penalty',
  'prompt_cache_key',
  'prompt_cache_options',
  'prompt_cache_retention',
  'reasoning_effort',
  'response_format',
  'safety_identifier',
  'seed',
  'service_tier',
  'stop',
  'store',
  'stream',
  'stream_options',
  'temperature',
  'tool_choice',
  'tools',
  'top_logprobs',
  'top_p',
  'user',
  'verbosity',
  'web_search_options',
]

/** Parameters SWE-agent's model config holds as Python floats (pydantic coerces `temperature: 1` to `1.0`). */
const FLOAT_PARAMETERS = new Set(['temperature', 'top_p', 'presence_penalty', 'frequency_penalty'])

/** What a Chat Completions body is written from. */
export interface LiteLlmChatRequest {
  model: string
  messages: readonly ChatMessage[]
  tools: readonly ToolSpec[]
  /** The body's other parameters, by their wire names (`temperature`, `top_p`, `max_tokens`, …); undefined ones are left out. */
  parameters: Readonly<Record<string, unknown>>
}

/**
 * A Chat Completions request body, byte for byte as SWE-agent 1.1's requests leave LiteLLM 1.81.12 (upstream's lock) through
 * openai-python and httpx 0.28: keys in openai-python's order, compact separators, non-ASCII as UTF-8 (`ensure_ascii=False`),
 * float parameters as Python writes them (`0.0`). Messages are written as SWE-agent builds them (its `_history_to_messages`):
 * `{role, content}`, assistant tool calls as litellm's `to_dict()` orders them, tool messages `{role, content, tool_call_id}`;
 * a message its `cache_control` processor marked (now or before) has one text part as content, without the `cache_control`
 * keys, which LiteLLM's OpenAI transformation removes.
 */
export function writeLiteLlmChatBody(request: LiteLlmChatRequest): string {
  const body: Record<string, unknown> = { ...request.parameters, model: request.model, messages: request.messages.map(liteLlmMessage) }
  if (request.tools.length > 0)
    body['tools'] = request.tools.map(({ name, description, parameters }) => ({ type: 'function', function: { name, description, parameters } }))
  const rank = (key: string) => {
    const at = OPENAI_PYTHON_KEYS.indexOf(key)
    return at === -1 ? OPENAI_PYTHON_KEYS.length : at
  }
  const keys = Object.keys(body).filter((key) => body[key] !== undefined)
  keys.sort((a, b) => rank(a) - rank(b))
  const value = (key: string) => {
    const v = body[key]
    return typeof v === 'number' && FLOAT_PARAMETERS.has(key) ? pythonFloat(v) : JSON.stringify(v)
  }
  return `{${keys.map((key) => `${JSON.stringify(key)}:${value(key)}`).join(',')}}`
}

/** One message as SWE-agent hands it to LiteLLM, keys in its order. */
function liteLlmMessage(message: ChatMessage): Record<string, unknown> {
  const content = message.cacheControl === undefined ? message.content : [{ type: 'text', text: message.content }]
  if (message.role === 'tool') return { role: 'tool', content, tool_call_id: message.toolCallId }
  if (message.role === 'assistant' && message.toolCalls !== undefined && message.toolCalls.length > 0) {
    const toolCalls = message.toolCalls.map((call) => ({ function: { arguments: call.arguments, name: call.name }, id: call.id, type: 'function' }))
    return { role: 'assistant', content, tool_calls: toolCalls }
  }
  return { role: message.role, content }
}

/**
 * A number as Python's `repr(float)` writes it (what `json.dumps` writes for a float): the shortest digits that read back,
 * `.0` on whole numbers, exponent form below 1e-4 and from 1e16 (`1e-05`, `1e+16`). httpx refuses NaN and infinities.
 */
export function pythonFloat(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`${value} is not a JSON number (httpx writes JSON with allow_nan=False)`)
  if (Object.is(value, -0)) return '-0.0'
  const [digits = '', power = '0'] = value.toExponential().split('e')
  const exponent = Number(power)
  if (value !== 0 && (exponent < -4 || exponent >= 16)) return `${digits}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`
  const text = String(value)
  return Number.isInteger(value) ? `${text}.0` : text
}
