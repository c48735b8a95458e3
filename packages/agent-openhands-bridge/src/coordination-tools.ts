import { errorMessage, functionName, type SeatTool, type ToolCallContext } from '@cooperbench/spec'
import { shellQuote } from '@cooperbench/spec-utils/host'

/**
 * The seat's coordination tools as client tools: the server hands each call to the bridge (an ActionEvent), which answers it on
 * the host and posts the answer as a user message. Its own prompts (`cooperbench`) offer the commands, which the terminal has
 * too; upstream's OpenHands (`reference`, PR #55) offers the function tools instead (its `task_tracker`).
 */
export function offeredTools(tools: readonly SeatTool[], protocol: 'cooperbench' | 'reference'): SeatTool[] {
  return tools.filter((tool) => tool.kind === (protocol === 'reference' ? 'function' : 'command'))
}

/** A tool's client tool declaration: a command's says where its output and exit code come back. */
export function clientToolSpec(tool: SeatTool): Record<string, unknown> {
  const note = tool.kind === 'command' ? ' Its output and exit code come back as a user message.' : ''
  return { name: functionName(tool), description: `${tool.description}${note}`, parameters: tool.parameters }
}

/** Runs one call of `tool`: the user message with its answer (a command's shown with its command line and exit code). */
export async function runCoordinationTool(tool: SeatTool, args: Record<string, unknown>, context: ToolCallContext): Promise<string> {
  const name = functionName(tool)
  if (tool.kind === 'function') return tool.call(args, context).catch((error: unknown) => `[${name} failed] ${errorMessage(error)}`)
  const argv = tool.argv(args)
  if (typeof argv === 'string') return `[${name} failed] ${argv}`
  const shown = [tool.name, ...argv].map((word) => (/^[\w./:=@%+-]+$/.test(word) ? word : shellQuote(word))).join(' ')
  try {
    const { exitCode, output } = await tool.run(argv, context)
    const text = output.trimEnd()
    return `[${name}] \`${shown}\` exited with code ${exitCode}${text === '' ? ' (no output)' : `:\n${text}`}`
  } catch (error) {
    return `[${name} failed] \`${shown}\` could not be run: ${errorMessage(error)}`
  }
}
