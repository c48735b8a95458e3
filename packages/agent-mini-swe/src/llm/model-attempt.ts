import type { Logger } from '@cooperbench/spec'
import { generateText, type LanguageModelMiddleware, wrapLanguageModel } from 'ai'
import { sendingRewritten } from './cache-control-content.js'
import { toModelMessages, toToolSet } from './messages.js'
import { computeCost } from './pricing.js'
import type { ModelRoute } from './routing.js'
import type { SecretScrubber } from '@cooperbench/spec-utils'
import { type SdkLanguageModel, sharedSdkModel } from './sdk-client.js'
import type { ClientSettings } from './settings.js'
import { tokenIdsOf, tokenIdsProviderOptions, warnNoTokenIds } from './token-capture.js'
import type { CompleteRequest, ModelResponse, ToolCall, Usage } from './types.js'

/** What every call of one chat model shares: the model string, where it goes, how its text is scrubbed. */
export interface ModelCallContext {
  /** The model string as given (`openai/gpt-4o`). */
  model: string
  route: ModelRoute
  settings: ClientSettings
  logger: Logger
  scrubber: SecretScrubber
  /** False: no `tool_choice` in the request (the AI SDK always sets `auto`, which the middleware then takes out). */
  sendsToolChoice: boolean
  /** Ask for the token ids the server used and return them (upstream's `capture_token_ids`). */
  captureTokenIds: boolean
  /** Chat Completions bodies written as LiteLLM 1.81.12 sends them (`ChatModelOptions.liteLlmBodies`). */
  liteLlmBodies: boolean
}

/** One request to the model, no retries: it throws what the AI SDK throws. */
export type ModelAttempt = (request: CompleteRequest, signal: AbortSignal) => Promise<ModelResponse>

/** What one successful attempt's model call returned, as the provider said it. */
interface RawGeneration {
  content: ReadonlyArray<{ type: string; [key: string]: unknown }>
  response?: { body?: unknown; modelId?: string }
}

/**
 * One chat model's attempts: `generateText` with tools without `execute`, the provider's raw answer captured, each AI SDK
 * warning logged once, usage priced; the SDK model loaded on the first attempt (again after a failed load).
 */
export function createModelAttempt(call: ModelCallContext): ModelAttempt {
  const { settings } = call
  const rawArguments = settings.client === 'openai-chat' || settings.client === 'openai-compatible' || settings.client === 'openai-responses'
  const cacheBreakpoints = settings.client === 'anthropic' || settings.client === 'vertex-anthropic'
  const reportedWarnings = new Set<string>()
  const tokenIdsOptions = call.captureTokenIds ? tokenIdsProviderOptions(settings) : null
  let sdkModel: Promise<SdkLanguageModel> | undefined
  const loadModel = (): Promise<SdkLanguageModel> => {
    sdkModel ??= sharedSdkModel(settings).catch((error: unknown) => {
      sdkModel = undefined
      throw error
    })
    return sdkModel
  }

  return async (request, signal) => {
    const base = await loadModel()
    let raw: RawGeneration | undefined
    const capture: LanguageModelMiddleware = {
      specificationVersion: 'v4',
      ...(call.sendsToolChoice ? {} : { transformParams: async ({ params }) => withoutToolChoice(params) }),
      wrapGenerate: async ({ doGenerate }) => {
        const result = await doGenerate()
        raw = result as unknown as RawGeneration
        return result
      },
    }
    const tools = request.tools.length > 0 ? toToolSet(request.tools) : undefined
    const marked = request.promptCache === 'marked'
    const messages = toModelMessages(request.messages, {
      rawArguments,
      cacheBreakpoints: cacheBreakpoints && marked ? 'marked' : cacheBreakpoints,
      onRepair: (message) => call.logger.debug(`${call.model}: ${message}`),
    })
    // The messages' marks count only when the request says so.
    const own = marked ? request.messages : request.messages.map(({ cacheControl: _mark, ...message }) => message)
    const rewrite = { messages: own, tools: request.tools, as: call.liteLlmBodies ? ('litellm' as const) : ('marks' as const) }
    const result = await sendingRewritten(rewrite, () =>
      generateText({
        model: wrapLanguageModel({ model: base, middleware: capture }),
        messages,
        allowSystemInMessages: true,
        ...(tools === undefined ? {} : { tools, toolChoice: 'auto' as const }),
        maxRetries: 0,
        abortSignal: signal,
        ...samplingSettings(request),
        // Responses API: keep nothing on OpenAI's side (the conversation is resent every step anyway).
        ...(settings.client === 'openai-responses' ? { providerOptions: { openai: { store: false } } } : {}),
        ...(tokenIdsOptions === null ? {} : { providerOptions: tokenIdsOptions }),
      }),
    )
    for (const text of (result.warnings ?? []).map(describeWarning)) {
      if (reportedWarnings.has(text)) continue
      reportedWarnings.add(text)
      call.logger.debug(call.scrubber.text(`${call.model}: AI SDK warning: ${text}`))
    }
    return responseOf(call, result, raw)
  }
}

type Generation = Awaited<ReturnType<typeof generateText>>

/** A successful attempt as the layer answers it: tool calls as the provider sent them, usage priced, the body scrubbed. */
function responseOf(call: ModelCallContext, result: Generation, raw: RawGeneration | undefined): ModelResponse {
  const usage: Usage = {
    inputTokens: result.usage.inputTokens ?? 0,
    outputTokens: result.usage.outputTokens ?? 0,
    cacheReadTokens: result.usage.inputTokenDetails?.cacheReadTokens ?? 0,
    cacheWriteTokens: result.usage.inputTokenDetails?.cacheWriteTokens ?? 0,
  }
  const toolCalls = rawToolCalls(raw) ?? result.toolCalls.map((call) => toolCall(call.toolCallId, call.toolName, call.input))
  const { route } = call
  const cost = computeCost({ priceProvider: route.priceProvider, modelIds: [route.priceModelId ?? route.modelId, raw?.response?.modelId], usage })
  const body = raw?.response?.body ?? null
  const tokenIds = call.captureTokenIds ? tokenIdsOf(body) : null
  if (call.captureTokenIds && tokenIds === null) warnNoTokenIds(call.model, call.logger, call.settings)
  return { text: result.text, toolCalls, usage, cost, raw: call.scrubber.value(body), ...(tokenIds === null ? {} : { tokenIds }) }
}

/** The tool calls exactly as the provider returned them (arguments as raw text). */
function rawToolCalls(raw: RawGeneration | undefined): ToolCall[] | undefined {
  if (raw === undefined || !Array.isArray(raw.content)) return undefined
  return raw.content
    .filter((part) => part.type === 'tool-call' && part.providerExecuted !== true)
    .map((part) => toolCall(part.toolCallId, part.toolName, part.input))
}

/** A tool call with its arguments as text: as the model sent them, or their JSON. */
function toolCall(id: unknown, name: unknown, input: unknown): ToolCall {
  return { id: String(id), name: String(name), arguments: typeof input === 'string' ? input : JSON.stringify(input ?? {}) }
}

function describeWarning(warning: unknown): string {
  if (typeof warning !== 'object' || warning === null) return String(warning)
  const { type, message, feature, setting, details } = warning as Record<string, unknown>
  return [type, feature ?? setting, message ?? details].filter((part) => typeof part === 'string' && part !== '').join(': ') || JSON.stringify(warning)
}

/** The optional sampling and length settings of a request, as the AI SDK names them; unset ones are left to the provider. */
function samplingSettings({ messages: _messages, tools: _tools, signal: _signal, promptCache: _cache, ...settings }: CompleteRequest): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined))
}

/** The call's settings without a tool choice: the provider's request then names none. */
function withoutToolChoice<T extends { toolChoice?: unknown }>(params: T): T {
  const { toolChoice: _omitted, ...rest } = params
  return rest as T
}
