export {
  type AnthropicContentBlock,
  type AnthropicMessagesBody,
  type AnthropicRequest,
  anthropicRequestTexts,
  type ScriptedAnthropicServerOptions,
  startScriptedAnthropicServer,
} from './anthropic-messages.js'
export type { WireRequest, WireScript, WireServer } from './http.js'
export {
  type ResponsesBody,
  type ResponsesRequest,
  responsesRequestTexts,
  type ScriptedResponsesServerOptions,
  startScriptedResponsesServer,
} from './openai-responses.js'
