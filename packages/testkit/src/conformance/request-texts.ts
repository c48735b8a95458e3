import type { ChatCompletionRequestBody } from '../llm-server/types.js'

/**
 * Every text of a model request's messages: string contents and text parts, also nested ones
 * (Anthropic tool results) and the Responses API's `input` items.
 */
export function requestTexts(body: ChatCompletionRequestBody): string[] {
  const texts: string[] = []
  const walk = (content: unknown): void => {
    if (typeof content === 'string') texts.push(content)
    else if (Array.isArray(content)) {
      for (const part of content as Array<{ text?: unknown; content?: unknown }>) {
        if (typeof part?.text === 'string') texts.push(part.text)
        if (part?.content !== undefined) walk(part.content)
      }
    }
  }
  const record = body as { messages?: unknown; input?: unknown }
  walk(record.messages)
  walk(record.input)
  return texts
}
