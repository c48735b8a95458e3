import type { ToolCall, ToolSpec } from '../llm/index.js'

/** A tool `bash` taking one string, `command`, as a protocol describes it to the model. */
export function bashTool(description: string, commandDescription: string): ToolSpec {
  return {
    name: 'bash',
    description,
    parameters: { type: 'object', properties: { command: { type: 'string', description: commandDescription } }, required: ['command'] },
  }
}

/** The one tool the model gets: small models use a single tool far more reliably than several. */
export const BASH_TOOL = bashTool(
  'Run one bash command in the repository (/workspace/repo) and return its exit code and output. ' +
    'Each call is a fresh non-interactive shell: cd and variables do not carry over.',
  'The bash command to run, e.g. `grep -rn "def load" src | head -20`.',
)

/** One tool call turned into a command, or the reason it cannot be run: known tool, JSON arguments, a non-empty string `command`. */
export function parseBashCall(call: ToolCall) {
  if (call.name !== BASH_TOOL.name) return { id: call.id, error: `there is no tool named "${call.name}"; the only tool is \`bash\`.` }
  let args: unknown
  try {
    args = JSON.parse(call.arguments || '{}')
  } catch (error) {
    return { id: call.id, error: `the arguments of the bash call are not valid JSON (${(error as Error).message}).` }
  }
  const command = (args as { command?: unknown } | null)?.command
  if (typeof command !== 'string' || command.trim() === '') {
    return { id: call.id, error: 'the bash call has no `command` argument (a non-empty string).' }
  }
  return { id: call.id, command }
}

/** The error of a reply without any tool call (the format error template says what to do instead). */
export const NO_TOOL_CALL = 'your reply contained no tool call, so nothing was run.'
