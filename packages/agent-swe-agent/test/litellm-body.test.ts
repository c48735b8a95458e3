import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type ChatMessage, createChatModel, type ToolSpec } from '@cooperbench/agent-mini-swe'
import { scriptedLlmServersPerTest } from '@cooperbench/testkit'
import { describe, expect, it } from 'vitest'

/** The request bodies upstream's own swe_agent loop sent through LiteLLM 1.81.12 (scripts/upstream-swe-agent-loop). */
const FIXTURES = join(import.meta.dirname, 'fixtures', 'upstream-loop')
const recorded = (['solo', 'coop'] as const).flatMap((setting) => {
  const { requests } = JSON.parse(readFileSync(join(FIXTURES, `${setting}.json`), 'utf8')) as { requests: Record<string, string[]> }
  return Object.entries(requests).flatMap(([agent, bodies]) => bodies.map((body, i) => ({ name: `${setting} ${agent} request ${i + 1}`, body })))
})

interface WireMessage {
  role: ChatMessage['role']
  content: string | Array<{ type: string; text: string }>
  tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>
  tool_call_id?: string
}
interface WireBody {
  model: string
  messages: WireMessage[]
  tools: Array<{ function: ToolSpec }>
  temperature: number
  top_p: number
}

/** A recorded message in our form: list content is a message SWE-agent's cache_control processor marked. */
function ourMessage(wire: WireMessage): ChatMessage {
  const listed = Array.isArray(wire.content)
  const message: ChatMessage = {
    role: wire.role,
    content: listed ? (wire.content as Array<{ text: string }>).map((part) => part.text).join('') : (wire.content as string),
  }
  if (listed) message.cacheControl = 'cleared'
  if (wire.tool_calls) message.toolCalls = wire.tool_calls.map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }))
  if (wire.tool_call_id !== undefined) message.toolCallId = wire.tool_call_id
  return message
}

const start = scriptedLlmServersPerTest()

describe("the model client's LiteLLM bodies (swe_agent's requests)", () => {
  it.each(recorded)('$name: our request written again is the recorded body, byte for byte', async ({ body }) => {
    const server = await start({ script: [{ content: 'ok' }] })
    const wire = JSON.parse(body) as WireBody
    const model = createChatModel({ model: `openai/${wire.model}`, baseUrl: server.url, env: {}, sendsToolChoice: false, liteLlmBodies: true })
    await model.complete({
      messages: wire.messages.map(ourMessage),
      tools: wire.tools.map((tool) => tool.function),
      temperature: wire.temperature,
      topP: wire.top_p,
      promptCache: 'marked',
    })
    expect(server.chatRequests()[0]?.rawBody).toBe(body)
  })
})
