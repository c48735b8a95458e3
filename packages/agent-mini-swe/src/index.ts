export { BASH_TOOL, type BashCall, parseBashCall } from './agent/bash-tool.js'
export { compactContext, type CompactionRequest, keptTurnsStart } from './agent/compaction.js'
export { MiniSweAgent, type MiniSweAgentDeps } from './agent/mini-swe-agent.js'
export { combineOutput, type CommandOutcome, renderObservation, SUBMIT_MARKER, submissionOf, truncateMiddle } from './agent/observation.js'
export {
  type CompactionOptions,
  DEFAULT_OPTIONS,
  DEFAULT_SUMMARY_PROMPT,
  type MiniSweAgentOptions,
  miniSweAgentOptionsSchema,
  type ModelCallOptions,
  parseOptions,
} from './agent/options.js'
export { buildPrompt, type PromptInput } from './agent/prompt.js'
export { PROMPT_PROFILE } from './profiles/cooperbench-v1.js'
export { deliverSends, type ParsedCommand, parseSendMessages, type SendMessageCall, type SendReport } from './agent/send-message.js'
export { Trajectory, type TrajectoryMessage, type TrajectoryToolCall, type TrajectoryUsage, toChatMessage } from './agent/trajectory.js'
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
