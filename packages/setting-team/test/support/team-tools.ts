import type { CommandTool, Sandbox, SeatTool, ToolAnswer } from '@cooperbench/spec'
import { teamTools, type TeamToolsInput } from '../../src/commands/team-tools.js'

/** A sandbox the tools are given but must not use (the list's commands run on the host). */
export const UNUSED_SANDBOX: Sandbox = {
  id: 'unused',
  exec: () => Promise.reject(new Error('the tool ran a command in the sandbox')),
  writeFile: () => Promise.reject(new Error('the tool wrote into the sandbox')),
  readFile: () => Promise.reject(new Error('the tool read the sandbox')),
  terminate: () => Promise.reject(new Error('the tool terminated the sandbox')),
}

/** One seat's team tools by name. */
export function seatTools(input: TeamToolsInput): Map<string, SeatTool> {
  return new Map(teamTools(input).map((tool) => [tool.name, tool]))
}

/** A command tool of `tools`, which must be one. */
export function commandTool(tools: ReadonlyMap<string, SeatTool>, name: string): CommandTool {
  const tool = tools.get(name)
  if (tool?.kind !== 'command') throw new Error(`no command tool ${name}`)
  return tool
}

/** Runs a command as the harness answers it from the agent's sandbox: its arguments, and stdin when the command read one. */
export function runCommand(
  tools: ReadonlyMap<string, SeatTool>,
  name: string,
  argv: readonly string[],
  options: { stdin?: string; signal?: AbortSignal; sandbox?: Sandbox } = {},
): Promise<ToolAnswer> {
  const { stdin, signal = new AbortController().signal, sandbox = UNUSED_SANDBOX } = options
  return commandTool(tools, name).run(argv, { sandbox, signal, ...(stdin === undefined ? {} : { stdin }) })
}
