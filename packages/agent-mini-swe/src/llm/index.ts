export { createChatModel } from './chat-model.js'
export { ModelCallError } from './errors.js'
export { knowsPriceByName } from './pricing.js'
export { probeModelServer } from './probe.js'
export type {
  CacheControlMark,
  ChatMessage,
  ChatModel,
  ChatModelOptions,
  CompleteRequest,
  ModelResponse,
  TokenCapture,
  ToolCall,
  ToolSpec,
  Usage,
} from './types.js'
