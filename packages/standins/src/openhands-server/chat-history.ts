/** The chat history an LLM request carries, rebuilt from a conversation's events. */
import type { OhEvent } from './events.js'
import { isObject, type JsonObject } from './json.js'
import { maybeTruncate } from './terminal.js'

/** LLMConvertibleEvent.events_to_messages + Message.to_chat_dict: the chat history. */
export function chatMessages(events: OhEvent[]): JsonObject[] {
  const messages: JsonObject[] = []
  const parts = (content: unknown): JsonObject[] =>
    Array.isArray(content) ? content.filter(isObject).map((part) => (part.type === 'image' ? part : { type: 'text', text: String(part.text ?? '') })) : []
  const push = (message: JsonObject): void => {
    const previous = messages[messages.length - 1]
    const plainUser = (m: JsonObject): boolean => m.role === 'user' && m.tool_calls === undefined && m.tool_call_id === undefined && m.name === undefined
    if (previous !== undefined && plainUser(previous) && plainUser(message))
      previous.content = [...(previous.content as JsonObject[]), ...(message.content as JsonObject[])]
    else messages.push(message)
  }
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as OhEvent
    switch (event.kind) {
      case 'SystemPromptEvent':
        push({ role: 'system', content: parts([event.system_prompt]) })
        break
      case 'MessageEvent': {
        const llm = isObject(event.llm_message) ? event.llm_message : {}
        const content = [...parts(llm.content), ...parts(event.extended_content)]
        push(llm.role === 'assistant' && content.length === 0 ? { role: 'assistant', content: '' } : { role: String(llm.role ?? 'user'), content })
        break
      }
      case 'ActionEvent': {
        const batch = [event]
        while (i + 1 < events.length) {
          const next = events[i + 1] as OhEvent
          if (next.kind !== 'ActionEvent' || next.llm_response_id !== event.llm_response_id) break
          batch.push(next)
          i++
        }
        const thought = parts(event.thought)
        const toolCalls = batch.map((action) => {
          const call = action.tool_call as JsonObject
          return { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }
        })
        push(thought.length > 0 ? { role: 'assistant', content: thought, tool_calls: toolCalls } : { role: 'assistant', tool_calls: toolCalls })
        break
      }
      case 'ObservationEvent':
        push({
          role: 'tool',
          content: [...observationLlmContent(event.observation as JsonObject), ...parts(event.extended_content)],
          tool_call_id: event.tool_call_id,
          name: event.tool_name,
        })
        break
      case 'AgentErrorEvent':
        push({ role: 'tool', content: [{ type: 'text', text: String(event.error) }], tool_call_id: event.tool_call_id, name: event.tool_name })
        break
      case 'UserRejectObservation':
        push({
          role: 'tool',
          content: [{ type: 'text', text: `Action rejected: ${String(event.rejection_reason)}` }],
          tool_call_id: event.tool_call_id,
          name: event.tool_name,
        })
        break
      default:
        break
    }
  }
  return messages
}

/** Observation.to_llm_content (TerminalObservation's adds its metadata lines). */
function observationLlmContent(observation: JsonObject): JsonObject[] {
  const text = (Array.isArray(observation.content) ? observation.content : [])
    .map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : ''))
    .join('')
  const out: JsonObject[] = []
  if (observation.is_error === true) out.push({ type: 'text', text: '[An error occurred during execution.]\n' })
  if (observation.kind === 'TerminalObservation') {
    const metadata = isObject(observation.metadata) ? observation.metadata : {}
    let ret = `${String(metadata.prefix ?? '')}${text}${String(metadata.suffix ?? '')}`
    if (typeof metadata.working_dir === 'string') ret += `\n[Current working directory: ${metadata.working_dir}]`
    if (typeof metadata.py_interpreter_path === 'string') ret += `\n[Python interpreter: ${metadata.py_interpreter_path}]`
    if (metadata.exit_code !== -1) ret += `\n[Command finished with exit code ${String(metadata.exit_code)}]`
    out.push({ type: 'text', text: maybeTruncate(ret) })
  } else out.push({ type: 'text', text })
  return out
}
