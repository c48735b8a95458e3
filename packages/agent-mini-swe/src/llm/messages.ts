import { type JSONSchema7, jsonSchema, type ModelMessage, type Tool, type ToolCallPart, type ToolResultPart, tool } from 'ai'
import type { ChatMessage, ToolSpec } from './types.js'

export interface ToModelMessagesOptions {
  /** Tool-call arguments as the model's raw text (OpenAI-style clients), else parsed to an object, `{}` when unparsable (Anthropic, Gemini). */
  rawArguments: boolean
  /**
   * Anthropic's prompt-cache breakpoints: the system message and the last two user/tool messages (`true`), the messages'
   * own `cacheControl` marks (`'marked'`), or none (`false`).
   */
  cacheBreakpoints: boolean | 'marked'
  /** Told about repairs made to an inconsistent conversation. */
  onRepair?: (message: string) => void
}

/** Text the model sees for a tool call that got no result. */
export const MISSING_TOOL_RESULT = '(no result: this tool call was not executed)'

type ProviderOptions = NonNullable<ModelMessage['providerOptions']>

const ANTHROPIC_CACHE: ProviderOptions = { anthropic: { cacheControl: { type: 'ephemeral' } } }

function toolInput(text: string, raw: boolean): unknown {
  if (raw) return text
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed
  } catch {
    // fall through
  }
  return {}
}

/**
 * Our messages as AI SDK model messages: tool calls as `tool-call` parts, tool messages as (merged) `tool-result`
 * parts. Providers reject tool calls without results, so an unanswered call gets a placeholder result before the next
 * user or system message (and at the end), and a tool message answering no known call becomes a user message.
 */
export function toModelMessages(messages: readonly ChatMessage[], options: ToModelMessagesOptions): ModelMessage[] {
  const conversation: Conversation = { result: [], pending: new Map(), options }
  const { result } = conversation
  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'user':
        closePending(conversation)
        result.push(message.role === 'system' ? { role: 'system', content: message.content } : { role: 'user', content: message.content })
        markCache(conversation, message)
        break
      case 'assistant':
        closePending(conversation)
        addAssistant(conversation, message)
        break
      case 'tool':
        addToolMessage(conversation, message)
        break
    }
  }
  closePending(conversation)
  if (options.cacheBreakpoints === true) addCacheBreakpoints(result)
  return result
}

/** A conversation as `toModelMessages` builds it. */
interface Conversation {
  result: ModelMessage[]
  /** Calls of the latest assistant message still waiting for a result, id → tool name. */
  pending: Map<string, string>
  options: ToModelMessagesOptions
}

/** Placeholder results for the calls still waiting for one. */
function closePending({ result, pending, options }: Conversation): void {
  if (pending.size === 0) return
  options.onRepair?.(`${pending.size} tool call(s) had no result; a placeholder result was sent: ${[...pending.keys()].join(', ')}`)
  const parts: ToolResultPart[] = [...pending].map(([toolCallId, toolName]) => ({
    type: 'tool-result',
    toolCallId,
    toolName,
    output: { type: 'text', value: MISSING_TOOL_RESULT },
  }))
  appendToolResults(result, parts)
  pending.clear()
}

/** An assistant message: its text, and its tool calls as `tool-call` parts now waiting for results. */
function addAssistant({ result, pending, options }: Conversation, message: ChatMessage): void {
  const calls = message.toolCalls ?? []
  if (calls.length === 0) {
    result.push({ role: 'assistant', content: message.content })
    return
  }
  const parts: Array<{ type: 'text'; text: string } | ToolCallPart> = []
  if (message.content !== '') parts.push({ type: 'text', text: message.content })
  for (const call of calls) {
    parts.push({ type: 'tool-call', toolCallId: call.id, toolName: call.name, input: toolInput(call.arguments, options.rawArguments) })
    pending.set(call.id, call.name)
  }
  result.push({ role: 'assistant', content: parts })
}

/** A tool message: the result of its pending call, or a user message when it answers none. */
function addToolMessage(conversation: Conversation, message: ChatMessage): void {
  const { result, pending, options } = conversation
  const id = message.toolCallId
  if (id === undefined || !pending.has(id)) {
    options.onRepair?.(`a tool message answers no pending tool call (${id ?? 'no toolCallId'}); it was sent as a user message`)
    closePending(conversation)
    result.push({ role: 'user', content: message.content })
    return
  }
  const toolName = pending.get(id) as string
  pending.delete(id)
  appendToolResults(result, [{ type: 'tool-result', toolCallId: id, toolName, output: { type: 'text', value: message.content } }])
  markCache(conversation, message)
}

/** With `cacheBreakpoints: 'marked'`, the message just added is a breakpoint when its own mark says so. */
function markCache({ result, options }: Conversation, message: ChatMessage): void {
  const marked = message.cacheControl === 'part' || message.cacheControl === 'message'
  if (options.cacheBreakpoints === 'marked' && marked) result.at(-1)!.providerOptions = ANTHROPIC_CACHE
}

function appendToolResults(result: ModelMessage[], parts: ToolResultPart[]): void {
  const last = result.at(-1)
  if (last?.role === 'tool') last.content.push(...parts)
  else result.push({ role: 'tool', content: parts })
}

/** Anthropic prompt caching: the system prompt and the last two user/tool messages (3 of the 4 allowed breakpoints). */
function addCacheBreakpoints(messages: ModelMessage[]): void {
  const system = messages.find((message) => message.role === 'system')
  if (system !== undefined) system.providerOptions = ANTHROPIC_CACHE
  let marked = 0
  for (let index = messages.length - 1; index >= 0 && marked < 2; index--) {
    const message = messages[index]
    if (message === undefined || (message.role !== 'user' && message.role !== 'tool')) continue
    message.providerOptions = ANTHROPIC_CACHE
    marked++
  }
}

/** Our tool specs as AI SDK tools: JSON-schema input, no `execute` (the harness runs them). */
export function toToolSet(tools: readonly ToolSpec[]): Record<string, Tool> {
  return Object.fromEntries(tools.map((spec) => [spec.name, tool({ description: spec.description, inputSchema: jsonSchema(spec.parameters as JSONSchema7) })]))
}
