export { startScriptedLlmServer } from './server.js'
export { goldDatasetScript } from './gold-dataset.js'
export { errorTurn, finalTurn, SUBMIT_COMMAND, textTurn, toolCall } from './turns.js'
export type {
  ChatCompletionRequestBody,
  LlmScript,
  RecordedChatMessage,
  RecordedRequest,
  RecordedTool,
  ScriptedLlmServer,
  ScriptedLlmServerOptions,
  ScriptedServerFault,
  ScriptedToolCall,
  ScriptedTurn,
} from './types.js'
export { estimateTokens } from './wire.js'
