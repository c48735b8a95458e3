import { AsyncLocalStorage } from 'node:async_hooks'
import type { ChatMessage } from './types.js'

/** The messages of the request being sent, while their marks are to be written into its body. */
const marking = new AsyncLocalStorage<readonly ChatMessage[]>()

const EPHEMERAL = { type: 'ephemeral' } as const

/** Runs `send` with `messages`' `cacheControl` marks to be written into the Chat Completions body it posts ({@link markingFetch}). */
export function sendingMarked<T>(messages: readonly ChatMessage[], send: () => Promise<T>): Promise<T> {
  return messages.some((message) => message.cacheControl !== undefined) ? marking.run(messages, send) : send()
}

/**
 * The AI SDK's OpenAI and OpenAI-compatible providers write content as a string and know no `cache_control`: this `fetch` writes
 * a body's marked messages as LiteLLM passes SWE-agent's through to such a server (its OpenAI transformation leaves them as they are).
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

/**
 * A message as SWE-agent's `cache_control` processor leaves it, keys in its order: user `{role, content: [{type, text,
 * cache_control}]}`, tool `{role, content: [{type, text}], tool_call_id, cache_control}` (its "workaround" puts the mark beside).
 */
function withListContent(wire: Record<string, unknown>, message: ChatMessage): Record<string, unknown> {
  const mark = message.cacheControl
  if (mark === undefined || typeof wire['content'] !== 'string' || wire['role'] !== message.role) return wire
  const { role, content, tool_call_id, ...rest } = wire
  const part = { type: 'text', text: content, ...(mark === 'part' ? { cache_control: EPHEMERAL } : {}) }
  return {
    role,
    content: [part],
    ...(tool_call_id === undefined ? {} : { tool_call_id }),
    ...rest,
    ...(mark === 'message' ? { cache_control: EPHEMERAL } : {}),
  }
}
