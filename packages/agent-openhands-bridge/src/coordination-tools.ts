import { errorMessage, type FunctionTool, type SeatTool, type ToolCallContext } from '@cooperbench/spec'

/**
 * The seat's function tools (upstream OpenHands' `task_tracker`) as client tools: the server hands each call to the bridge (an
 * ActionEvent), which answers it on the host and posts the answer as a user message. The seat's commands are in the terminal.
 */
export function offeredTools(tools: readonly SeatTool[]): FunctionTool[] {
  return tools.filter((tool): tool is FunctionTool => tool.kind === 'function')
}

/** A tool's client tool declaration. */
export function clientToolSpec(tool: FunctionTool): Record<string, unknown> {
  return { name: tool.name, description: tool.description, parameters: tool.parameters }
}

/** Runs one call of `tool`: the user message with its answer. */
export function runCoordinationTool(tool: FunctionTool, args: Record<string, unknown>, context: ToolCallContext): Promise<string> {
  return tool.call(args, context).catch((error: unknown) => `[${tool.name} failed] ${errorMessage(error)}`)
}
