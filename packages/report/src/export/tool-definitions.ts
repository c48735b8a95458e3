import type { RecordedToolCall } from './recorded-turns.js'

/** A tool as OpenAI's function calling defines it (what ATIF's `tool_definitions` and chat templates take). */
export interface ToolDefinition {
  type: 'function'
  function: { name: string; parameters: { type: 'object'; properties: Record<string, { type: string }>; required: string[] } }
}

/** Tools derived from their calls (no agent records definitions): a parameter every call gave is required; mixed types are `string`. */
export function toolDefinitionsOf(calls: readonly RecordedToolCall[]): ToolDefinition[] {
  const tools = new Map<string, { calls: number; params: Map<string, { type: string; count: number }> }>()
  for (const call of calls) {
    const tool = tools.get(call.name) ?? { calls: 0, params: new Map() }
    tools.set(call.name, tool)
    tool.calls += 1
    for (const [name, value] of Object.entries(argumentsObject(call.arguments))) {
      const type = jsonType(value)
      const seen = tool.params.get(name)
      tool.params.set(name, { type: seen && seen.type !== type ? 'string' : type, count: (seen?.count ?? 0) + 1 })
    }
  }
  return [...tools].map(([name, tool]) => ({
    type: 'function',
    function: {
      name,
      parameters: {
        type: 'object',
        properties: Object.fromEntries([...tool.params].map(([param, { type }]) => [param, { type }])),
        required: [...tool.params].filter(([, p]) => p.count === tool.calls).map(([param]) => param),
      },
    },
  }))
}

/** A call's arguments as an object: its JSON when that is an object, else `{ input: <the text> }`. */
export function argumentsObject(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {
    // not JSON: the model wrote plain text
  }
  return text.trim() === '' ? {} : { input: text }
}

function jsonType(value: unknown) {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value === 'object' ? 'object' : typeof value
}
