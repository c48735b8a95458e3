export { MiniSweAgent } from './agent/mini-swe-agent.js'
export { parseOptions } from './agent/options.js'
// What another loop agent (agent-swe-agent) runs on: the trajectory record, model-call failures, the Jinja2 renderer.
export { Trajectory, type TrajectoryMessage, toChatMessage, trajectorySaver } from './agent/trajectory.js'
export { completeOrFail, ModelCallFailed } from './agent/model-call.js'
export { compileJinja, type JinjaTemplate, JinjaTemplateError } from './reference/jinja.js'
export { taskWithBriefing } from './reference/task-with-briefing.js'
// What a preflight tries templates with, and whether the first messages show it.
export { PREFLIGHT_TASK, showsTask } from './reference/task-shown.js'
export {
  type CacheControlMark,
  type ChatMessage,
  type ChatModel,
  type ChatModelOptions,
  type CompleteRequest,
  createChatModel,
  knowsPriceByName,
  ModelCallError,
  probeModelServer,
  type ModelResponse,
  type ToolCall,
  type ToolSpec,
} from './llm/index.js'
