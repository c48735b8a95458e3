/** One agent step (sdk/agent/agent.py Agent.step + response_dispatch.py): an LLM call, then its tool calls or message. */
import { randomUUID } from 'node:crypto'
import { chatMessages } from './chat-history.js'
import type { ActiveRun, Conversation } from './conversation.js'
import { makeEvent, type OhEvent, textContent } from './events.js'
import { isObject, type JsonObject } from './json.js'
import { forever, type HttpAnswer, llmErrorCode, postJson, sleep, wireModel } from './llm-call.js'
import { CancelledError, CodedError } from './run-errors.js'
import { actionEvent, executeAction, type ToolAction } from './tool-calls.js'

/** Agent.step: one LLM call with the chat history, then its tool calls (executed, results emitted in call order) or its message. */
export async function step(conversation: Conversation, active: ActiveRun): Promise<void> {
  const signal = active.controller.signal
  if (conversation.config.hang === 'llm') await forever(signal)
  const body = {
    model: wireModel(conversation.llm.model),
    messages: chatMessages(conversation.events),
    tools: conversation.tools.map((tool) => ({ type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.parameters } })),
  }
  const response = await completion(conversation, body, signal)
  if (signal.aborted) throw new CancelledError()
  const choice = Array.isArray(response.choices) ? (response.choices[0] as JsonObject | undefined) : undefined
  const message = choice !== undefined && isObject(choice.message) ? choice.message : null
  if (message === null) throw new CodedError('LLMNoResponseError', 'Response choices is less than 1. Response: ' + JSON.stringify(response).slice(0, 500))
  const responseId = typeof response.id === 'string' ? response.id : randomUUID()
  const text =
    typeof message.content === 'string'
      ? message.content
      : Array.isArray(message.content)
        ? message.content.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('')
        : ''
  const toolCalls = Array.isArray(message.tool_calls) ? message.tool_calls.filter(isObject) : []

  if (toolCalls.length > 0) {
    const thought = text.trim() === '' ? [] : [textContent(text)]
    const actions: ToolAction[] = []
    toolCalls.forEach((call, i) => {
      const created = actionEvent(conversation, call, responseId, i === 0 ? thought : [])
      if (created !== null) actions.push(created)
    })
    // _ActionBatch: calls after `finish` are discarded; results are emitted in call order
    const finishIndex = actions.findIndex((action) => action.tool.kind === 'finish')
    const batch = finishIndex === -1 ? actions : actions.slice(0, finishIndex + 1)
    const results: OhEvent[] = []
    for (const action of batch) results.push(await executeAction(conversation, action, active))
    for (const result of results) conversation.emit(result)
    if (finishIndex !== -1) conversation.setStatus('finished')
    return
  }
  const llmMessage = { role: 'assistant', content: text === '' ? [] : [textContent(text)], thinking_blocks: [] }
  conversation.emit(makeEvent('MessageEvent', 'agent', { llm_message: llmMessage, llm_response_id: responseId, activated_skills: [], extended_content: [] }))
  if (text.trim() !== '') {
    conversation.setStatus('finished')
    return
  }
  conversation.emit(
    makeEvent('MessageEvent', 'environment', {
      llm_message: {
        role: 'user',
        content: [textContent('Your last response did not include a function call or a message. Please use a tool to proceed with the task.')],
        thinking_blocks: [],
      },
      activated_skills: [],
      extended_content: [],
    }),
  )
}

/** LLM.completion with retries, then Telemetry.on_response's metrics and the `stats` state update. */
async function completion(conversation: Conversation, body: JsonObject, signal: AbortSignal): Promise<JsonObject> {
  const url = `${conversation.llm.baseUrl.replace(/\/+$/, '')}/chat/completions`
  const headers: Record<string, string> = conversation.llm.apiKey ? { authorization: `Bearer ${conversation.llm.apiKey}` } : {}
  for (let attempt = 0; ; attempt++) {
    const started = Date.now()
    let answer: HttpAnswer
    try {
      answer = await postJson(url, body, headers, conversation.llm.timeoutMs, signal)
    } catch (error) {
      if (
        error instanceof CodedError &&
        (error.code === 'LLMServiceUnavailableError' || error.code === 'LLMTimeoutError') &&
        attempt < conversation.llm.numRetries
      ) {
        await sleep(Math.min(2000, 250 * 2 ** attempt), signal)
        continue
      }
      throw error
    }
    if (answer.status < 200 || answer.status >= 300) {
      const code = llmErrorCode(answer.status, answer.text)
      const retryable = answer.status === 429 || answer.status === 408 || answer.status >= 500
      if (retryable && attempt < conversation.llm.numRetries) {
        const retryAfter = Number(answer.headers['retry-after'])
        await sleep(Number.isFinite(retryAfter) && retryAfter >= 0 ? Math.min(5000, retryAfter * 1000) : Math.min(2000, 250 * 2 ** attempt), signal)
        continue
      }
      throw new CodedError(code, `Error code: ${answer.status} - ${answer.text.slice(0, 2000)}`)
    }
    let response: unknown
    try {
      response = JSON.parse(answer.text)
    } catch {
      throw new CodedError('LLMNoResponseError', `the LLM answered with a body that is not JSON: ${answer.text.slice(0, 200)}`)
    }
    if (!isObject(response)) throw new CodedError('LLMNoResponseError', 'the LLM answered with a body that is not a JSON object')
    recordUsage(conversation, response, answer.headers, (Date.now() - started) / 1000)
    return response
  }
}

/** Telemetry.on_response: latency, cost (LiteLLM's response-cost header, else `usage.cost`), tokens. */
function recordUsage(conversation: Conversation, response: JsonObject, headers: Record<string, string>, latencySeconds: number): void {
  const responseId = typeof response.id === 'string' ? response.id : ''
  conversation.metrics.addLatency(latencySeconds, responseId)
  const usage = isObject(response.usage) ? response.usage : null
  const headerCost = Number(headers['x-litellm-response-cost'])
  const cost =
    Number.isFinite(headerCost) && headers['x-litellm-response-cost'] !== undefined
      ? headerCost
      : usage !== null && typeof usage.cost === 'number'
        ? usage.cost
        : 0
  if (cost > 0) conversation.metrics.addCost(cost)
  if (usage !== null) {
    const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0)
    const prompt = num(usage.prompt_tokens ?? usage.input_tokens)
    const completion = num(usage.completion_tokens ?? usage.output_tokens)
    if (prompt > 0 || completion > 0) {
      const promptDetails = isObject(usage.prompt_tokens_details)
        ? usage.prompt_tokens_details
        : isObject(usage.input_tokens_details)
          ? usage.input_tokens_details
          : {}
      const completionDetails = isObject(usage.completion_tokens_details)
        ? usage.completion_tokens_details
        : isObject(usage.output_tokens_details)
          ? usage.output_tokens_details
          : {}
      conversation.metrics.addTokenUsage({
        prompt,
        completion,
        cacheRead: num(promptDetails.cached_tokens) || num(usage.cached_tokens),
        cacheWrite: num(usage.cache_creation_input_tokens),
        reasoning: num(completionDetails.reasoning_tokens),
        responseId,
      })
    }
  }
  conversation.emitStateUpdate('stats', conversation.statsSnapshot())
}
