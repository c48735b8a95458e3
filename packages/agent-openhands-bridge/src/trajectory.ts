import type { ServerEvent } from './server-client.js'

/** The conversation's events in `mini_swe_agent`'s trajectory shape, each with the raw event under `extra.openhands_event`. */
export interface BridgeMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | 'exit'
  content: string
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>
  tool_call_id?: string
  extra: { timestamp: number; openhands_event?: ServerEvent; exit_status?: string; submission?: string; cost?: number }
}

type Text = { type?: string; text?: string }

function texts(value: unknown): string {
  if (typeof value === 'string') return value
  if (!Array.isArray(value)) return ''
  return (value as Text[]).flatMap((part) => (typeof part?.text === 'string' && part.text !== '' ? [part.text] : [])).join('\n')
}

const epochSeconds = (timestamp: unknown): number => {
  const ms = typeof timestamp === 'string' ? Date.parse(timestamp) : NaN
  return Number.isNaN(ms) ? Date.now() / 1000 : ms / 1000
}

/** The message an event becomes, or null for events that are not part of the dialogue (state updates). */
export function messageOf(event: ServerEvent): BridgeMessage | null {
  const extra = { timestamp: epochSeconds(event.timestamp), openhands_event: event }
  switch (event.kind) {
    case 'MessageEvent': {
      const message = (event.llm_message ?? {}) as { role?: string; content?: unknown }
      const role = message.role === 'assistant' || message.role === 'system' ? message.role : 'user'
      return { role, content: texts(message.content), extra }
    }
    case 'SystemPromptEvent':
      return { role: 'system', content: texts((event.system_prompt as { text?: string } | undefined)?.text ?? event.system_prompt), extra }
    case 'ActionEvent': {
      const call = (event.tool_call ?? {}) as { id?: string; name?: string; arguments?: string }
      const id = String(event.tool_call_id ?? call.id ?? event.id)
      return {
        role: 'assistant',
        content: texts(event.thought) || String(event.reasoning_content ?? ''),
        tool_calls: [
          {
            id,
            type: 'function',
            function: { name: String(event.tool_name ?? call.name ?? ''), arguments: call.arguments ?? JSON.stringify(event.action ?? {}) },
          },
        ],
        extra,
      }
    }
    case 'ObservationEvent':
    case 'UserRejectObservation':
    case 'AgentErrorEvent': {
      const observation = (event.observation ?? {}) as { content?: unknown }
      const content =
        event.kind === 'AgentErrorEvent'
          ? String(event.error ?? '')
          : event.kind === 'UserRejectObservation'
            ? String(event.rejection_reason ?? '')
            : texts(observation.content)
      return { role: 'tool', content, tool_call_id: String(event.tool_call_id ?? ''), extra }
    }
    default:
      return null
  }
}

/** Whether an event is one agent step: a tool call the model made. */
export const isStep = (event: ServerEvent): boolean => event.kind === 'ActionEvent'

/** Adds a message where its event stands in the log (a new socket may send live events before the history) by timestamp; returns where. */
export function insertInLogOrder(messages: BridgeMessage[], message: BridgeMessage): number {
  const stamp = message.extra.openhands_event?.timestamp
  let at = messages.length
  if (typeof stamp === 'string') {
    while (at > 0) {
      const before = messages[at - 1]!.extra.openhands_event?.timestamp
      if (typeof before !== 'string' || before <= stamp) break
      at--
    }
  }
  messages.splice(at, 0, message)
  return at
}
