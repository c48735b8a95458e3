/**
 * Events (openhands-sdk/openhands/sdk/event/*): every event has id, timestamp, source, parent_id
 * (when set) and its fields, dumped with exclude_none, and `kind`, the class name.
 */
import { randomUUID } from 'node:crypto'
import { isObject, type JsonObject } from './json.js'
import { nextEventTimestamp } from './python-compat.js'

export interface OhEvent extends JsonObject {
  id: string
  timestamp: string
  source: string
  kind: string
}

/** Modules of the event classes: the search route's `kind` filter compares `module.ClassName`. */
export const EVENT_MODULES: Record<string, string> = {
  ActionEvent: 'openhands.sdk.event.llm_convertible.action',
  ObservationEvent: 'openhands.sdk.event.llm_convertible.observation',
  AgentErrorEvent: 'openhands.sdk.event.llm_convertible.observation',
  UserRejectObservation: 'openhands.sdk.event.llm_convertible.observation',
  MessageEvent: 'openhands.sdk.event.llm_convertible.message',
  SystemPromptEvent: 'openhands.sdk.event.llm_convertible.system',
  ConversationStateUpdateEvent: 'openhands.sdk.event.conversation_state',
  ConversationErrorEvent: 'openhands.sdk.event.conversation_error',
  PauseEvent: 'openhands.sdk.event.user_action',
  InterruptEvent: 'openhands.sdk.event.user_action',
  ServerErrorEvent: 'openhands.agent_server.models',
}

export function makeEvent(kind: string, source: string, fields: JsonObject): OhEvent {
  const event = { id: randomUUID(), timestamp: nextEventTimestamp(), source } as OhEvent
  for (const [key, value] of Object.entries(fields)) if (value !== null && value !== undefined) event[key] = value
  event.kind = kind
  return event
}

/** sdk/llm/message.py TextContent, dumped. */
export const textContent = (text: string): JsonObject => ({ cache_prompt: false, type: 'text', text })

/** SendMessageRequest.content: TextContent / ImageContent items (a string becomes one TextContent). */
export function messageContent(raw: unknown): JsonObject[] {
  if (typeof raw === 'string') return [textContent(raw)]
  if (!Array.isArray(raw)) return []
  return raw
    .filter(isObject)
    .map((part) =>
      part.type === 'image'
        ? { cache_prompt: part.cache_prompt === true, type: 'image', image_urls: Array.isArray(part.image_urls) ? part.image_urls : [] }
        : { cache_prompt: part.cache_prompt === true, type: 'text', text: String(part.text ?? '') },
    )
}

export function messageText(event: OhEvent): string {
  if (event.kind !== 'MessageEvent') return ''
  const llm = isObject(event.llm_message) ? event.llm_message : {}
  const parts = [...(Array.isArray(llm.content) ? llm.content : []), ...(Array.isArray(event.extended_content) ? event.extended_content : [])]
  return parts.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join(' ')
}

/** response_utils.py get_agent_final_response. */
export function finalResponse(events: OhEvent[]): string {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i] as OhEvent
    if (event.kind === 'ActionEvent' && event.source === 'agent' && event.tool_name === 'finish') {
      return isObject(event.action) && typeof event.action.message === 'string' ? event.action.message : ''
    }
    if (event.kind === 'MessageEvent' && event.source === 'agent') {
      const llm = isObject(event.llm_message) ? event.llm_message : {}
      return (Array.isArray(llm.content) ? llm.content : []).map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('')
    }
  }
  return ''
}
