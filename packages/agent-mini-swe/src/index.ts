export { MiniSweAgent, type MiniSweAgentDeps } from './agent/mini-swe-agent.js'
export { DEFAULT_OPTIONS, type MiniSweAgentOptions, parseOptions } from './agent/options.js'
export type { TrajectoryMessage } from './agent/trajectory.js'
export {
  type ChatMessage,
  type ChatModel,
  type ChatModelOptions,
  type CompleteRequest,
  createChatModel,
  isModelCallError,
  ModelCallError,
  probeModelServer,
  type ModelResponse,
  type ToolCall,
  type ToolSpec,
  type Usage,
} from './llm/index.js'
