import { AsyncLocalStorage } from 'node:async_hooks'
import { writeLiteLlmChatBody } from './litellm-body.js'
import type { ChatMessage, ToolSpec } from './types.js'

/** The request being sent, while the Chat Completions body the AI SDK wrote for it is to be rewritten ({@link markingFetch}). */
interface Rewrite {
  messages: readonly ChatMessage[]
  tools: readonly ToolSpec[]
  /** `'marks'`: only the marked messages' content as lists; `'litellm'`: the whole body as LiteLLM writes it. */
  as: 'marks' | 'litellm'
}
const rewriting = new AsyncLocalStorage<Rewrite>()

/**
 * Runs `send` with the Chat Completions body it posts rewritten ({@link markingFetch}): the whole body as LiteLLM 1.81.12 sends
 * it (`'litellm'`), or only the messages' `cacheControl` marks (`'marks'`, when any message has one).
 */
export function sendingRewritten<T>(rewrite: Rewrite, send: () => Promise<T>): Promise<T> {
  const needed = rewrite.as === 'litellm' || rewrite.messages.some((message) => message.cacheControl !== undefined)
  return needed ? rewriting.run(rewrite, send) : send()
}

/**
 * The AI SDK's OpenAI and OpenAI-compatible providers write content as a string: this `fetch` writes a body's marked messages
 * as LiteLLM 1.81.12 (upstream's lock) sends SWE-agent's to such a server: the list content kept, every `cache_control` key
 * taken out (its OpenAI transformation, `remove_cache_control_flag_from_messages_and_tools`, BerriAI/litellm#12850).
 * The body's messages are the request's one for one (a conversation the client had to repair is sent as it was built).
 * With `'litellm'` the whole body is LiteLLM's ({@link writeLiteLlmChatBody}), from the request's own messages and tools.
 */
export const markingFetch: typeof fetch = async (input, init) => {
  const rewrite = rewriting.getStore()
  if (rewrite === undefined || typeof init?.body !== 'string') return fetch(input, init)
  const body = JSON.parse(init.body) as { messages?: Array<Record<string, unknown>>; [key: string]: unknown }
  if (!Array.isArray(body.messages)) return fetch(input, init)
  const { messages, tools } = rewrite
  if (rewrite.as === 'litellm') {
    const { messages: _messages, tools: _tools, model, ...parameters } = body
    return fetch(input, { ...init, body: writeLiteLlmChatBody({ model: String(model), messages, tools, parameters }) })
  }
  if (body.messages.length !== messages.length) return fetch(input, init)
  body.messages = body.messages.map((wire, i) => withListContent(wire, messages[i]!))
  return fetch(input, { ...init, body: JSON.stringify(body) })
}

/** A marked message's content as one text part, keys in SWE-agent's order (`{role, content, tool_call_id}`). */
function withListContent(wire: Record<string, unknown>, message: ChatMessage): Record<string, unknown> {
  if (message.cacheControl === undefined || typeof wire['content'] !== 'string' || wire['role'] !== message.role) return wire
  const { role, content, tool_call_id, ...rest } = wire
  return { role, content: [{ type: 'text', text: content }], ...(tool_call_id === undefined ? {} : { tool_call_id }), ...rest }
}
