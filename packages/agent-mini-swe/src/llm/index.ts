export { createChatModel } from './chat-model.js'
export { isModelCallError, ModelCallError } from './errors.js'
export { probeModelServer } from './probe.js'
export type { ChatMessage, ChatModel, ChatModelOptions, CompleteRequest, ModelResponse, ToolCall, ToolSpec, Usage } from './types.js'
