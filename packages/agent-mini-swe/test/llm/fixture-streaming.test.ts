import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import { startScriptedLlmServer } from '@cooperbench/testkit'
import { jsonSchema, streamText, tool } from 'ai'
import { describe, expect, it } from 'vitest'

// The fixture's SSE must be what a real client parses: the AI SDK's own streaming client.
describe('scripted server streaming through the AI SDK', () => {
  it('streams text, a tool call with incremental arguments, and usage', async () => {
    const server = await startScriptedLlmServer({
      script: [
        {
          content: 'Let me check the tests first.',
          toolCalls: [{ name: 'bash', arguments: { command: 'python -m pytest -q tests/test_calc.py' } }],
          usage: { promptTokens: 900, completionTokens: 40, cachedTokens: 512 },
        },
      ],
      streamChunkSize: 4,
    })
    try {
      const provider = createOpenAICompatible({ name: 'fixture', baseURL: server.url, includeUsage: true })
      const result = streamText({
        model: provider.chatModel('scripted-model'),
        messages: [{ role: 'user', content: 'run the tests' }],
        tools: {
          bash: tool({
            description: 'run',
            inputSchema: jsonSchema<{ command: string }>({ type: 'object', properties: { command: { type: 'string' } }, required: ['command'] }),
          }),
        },
        maxRetries: 0,
      })
      let deltas = 0
      for await (const part of result.fullStream) if (part.type === 'text-delta') deltas++
      expect(deltas).toBeGreaterThan(1)
      expect(await result.text).toBe('Let me check the tests first.')
      const calls = await result.toolCalls
      expect(calls.map((call) => [call.toolCallId, call.toolName, call.input])).toEqual([
        ['call_0_0', 'bash', { command: 'python -m pytest -q tests/test_calc.py' }],
      ])
      expect(await result.finishReason).toBe('tool-calls')
      const usage = await result.usage
      expect([usage.inputTokens, usage.outputTokens, usage.inputTokenDetails.cacheReadTokens]).toEqual([900, 40, 512])
      expect(server.chatRequests()[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } })
    } finally {
      await server.close()
    }
  })
})
