import { AsyncLocalStorage } from 'node:async_hooks'
import type { ChatMessage } from './types.js'

/** The messages of the request being sent, while their marks are to be written into its body. */
const marking = new AsyncLocalStorage<readonly ChatMessage[]>()

/** Runs `send` with `messages`' `cacheControl` marks to be written into the Chat Completions body it posts ({@link markingFetch}). */
export function sendingMarked<T>(messages: readonly ChatMessage[], send: () => Promise<T>): Promise<T> {
  return messages.some((message) => message.cacheControl !== undefined) ? marking.run(messages, send) : send()
}

/**
 * The AI SDK's OpenAI and OpenAI-compatible providers write content as a string: this `fetch` writes a body's marked messages
 * as LiteLLM 1.81.12 (upstream's lock) sends SWE-agent's to such a server: the list content kept, every `cache_control` key
 * taken out (its OpenAI transformation, `remove_cache_control_flag_from_messages_and_tools`, BerriAI/litellm#12850).
 * The body's messages are the request's one for one (a conversation the client had to repair is sent as it was built).
 */
export const markingFetch: typeof fetch = async (input, init) => {
  const messages = marking.getStore()
  if (messages === undefined || typeof init?.body !== 'string') return fetch(input, init)
  const body = JSON.parse(init.body) as { messages?: Array<Record<string, unknown>> }
  if (!Array.isArray(body.messages) || body.messages.length !== messages.length) return fetch(input, init)
  body.messages = body.messages.map((wire, i) => withListContent(wire, messages[i]!))
  return fetch(input, { ...init, body: JSON.stringify(body) })
}

/** A marked message's content as one text part, keys in SWE-agent's order (`{role, content, tool_call_id}`). */
function withListContent(wire: Record<string, unknown>, message: ChatMessage): Record<string, unknown> {
  if (message.cacheControl === undefined || typeof wire['content'] !== 'string' || wire['role'] !== message.role) return wire
  const { role, content, tool_call_id, ...rest } = wire
  return { role, content: [{ type: 'text', text: content }], ...(tool_call_id === undefined ? {} : { tool_call_id }), ...rest }
}
