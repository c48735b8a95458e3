/**
 * Tools: openhands-tools terminal/definition.py + descriptions.py, sdk/tool/builtins/finish.py,
 * sdk/tool/client_tool.py. Parameters as ToolDefinition._get_tool_schema renders them (the
 * `summary` meta field first, pydantic titles and defaults dropped by _process_schema_node).
 */
import { isObject, jsonClone, type JsonObject } from './json.js'
import { compact } from './python-compat.js'

const SUMMARY_PROPERTY = {
  type: 'string',
  description:
    "A concise summary (approximately 10 words) describing what this specific action does. Focus on the key operation and target. Example: 'List all Python files in current directory'",
}

const NO_CHANGE_TIMEOUT_SECONDS = 30

const TERMINAL_DESCRIPTION = [
  'Execute a shell command in the terminal within a persistent shell session.',
  '',
  '',
  '### Command Execution',
  '* One command at a time: You can only execute one shell command at a time.',
  '  If you need to run multiple commands sequentially, use `&&` or `;`.',
  '* Persistent session: Environment variables, virtual environments, and',
  '  working directory changes persist across commands.',
  '* Soft timeout: Commands pause for confirmation after 10 seconds without',
  '  new output unless you provide a longer `timeout`.',
  '* Shell options: Do NOT use `set -e`, `set -eu`, or `set -euo pipefail`.',
  '  The runtime may not support them reliably.',
  '',
  '### Long-running Commands',
  '* For commands that may run indefinitely, run them in the background and',
  '  redirect output to a file, e.g. `python3 app.py > server.log 2>&1 &`.',
  '* For long-running commands, set the `timeout` parameter accordingly.',
  '* If a command returns exit code `-1`, it hit the soft timeout and is',
  '  still running. With `is_input=true`, you can:',
  '  - Send empty `command` to retrieve additional logs',
  '  - Send text to STDIN of the running process',
  '  - Send control commands like `C-c`, `C-d`, or `C-z`',
  '  - Send navigation keys like `UP`, `DOWN`, `LEFT`, `RIGHT`, `TAB`,',
  '    `ESC`, `BS`, `HOME`, `END`, `PGUP`, and `PGDN`',
  '  - Send any `C-<letter>` Ctrl sequence such as `C-a`, `C-e`, or `C-l`',
  '',
  '### Best Practices',
  '* Verify a parent directory exists before creating files or directories.',
  '* Prefer absolute paths and avoid excessive use of `cd`.',
  '',
  '### Output Handling',
  '* Large output may be truncated before being returned.',
  '',
  '### Terminal Reset',
  '* Set `reset=true` to create a fresh terminal session if the current one',
  '  becomes unresponsive.',
  '* Resetting the terminal clears environment variables, working directory',
  '  changes, and running processes.',
].join('\n')

const TERMINAL_PARAMETERS = {
  type: 'object',
  properties: {
    summary: SUMMARY_PROPERTY,
    command: {
      type: 'string',
      description:
        'The shell command to execute. Can be empty string to view additional logs when the previous exit code is `-1`. Can be a special key name when `is_input` is True: `C-c` (Ctrl+C), `C-d` (Ctrl+D/EOF), `C-z` (Ctrl+Z), or any `C-<letter>` for Ctrl sequences; navigation keys `UP`, `DOWN`, `LEFT`, `RIGHT`, `HOME`, `END`, `PGUP`, `PGDN`; and `TAB`, `ESC`, `BS` (Backspace), `ENTER`. You can only execute one command at a time. Use the platform-appropriate shell syntax described in the tool description when chaining commands.',
    },
    is_input: {
      type: 'boolean',
      description: 'If True, the command is an input to the running process. If False, the command is executed in the terminal session. Default is False.',
    },
    timeout: {
      type: 'number',
      description: `Optional. Sets a maximum time limit (in seconds) for running the command. If the command takes longer than this limit, you’ll be asked whether to continue or stop it. If you don’t set a value, the command will instead pause and ask for confirmation when it produces no new output for ${NO_CHANGE_TIMEOUT_SECONDS} seconds. Use a higher value if the command is expected to take a long time (like installation or testing), or if it has a known fixed duration (like sleep).`,
    },
    reset: {
      type: 'boolean',
      description:
        'If True, reset the terminal by creating a new session. Use this only when the terminal becomes unresponsive. Note that all previously set environment variables and session state will be lost after reset. Cannot be used with is_input=True.',
    },
  },
  required: ['command'],
}

const FINISH_DESCRIPTION = `Signals the completion of the current task or conversation.

Use this tool when:
- You have successfully completed the user's requested task
- You cannot proceed further due to technical limitations or missing information

The message should include:
- A clear summary of actions taken and their results
- Any next steps for the user
- Explanation if you're unable to complete the task
- Any follow-up questions if more information is needed
`

const FINISH_PARAMETERS = {
  type: 'object',
  properties: { summary: SUMMARY_PROPERTY, message: { type: 'string', description: 'Final message to send to the user.' } },
  required: ['message'],
}

/** sdk/tool/client_tool.py ClientToolSpec. */
export interface ClientToolSpec {
  name: string
  description: string
  parameters: JsonObject
  annotations?: JsonObject
}

/** ClientTool._get_tool_schema: the client's schema verbatim with `summary` added first. */
function clientToolParameters(spec: ClientToolSpec): JsonObject {
  const merged = jsonClone(spec.parameters)
  if (merged.type === undefined) merged.type = 'object'
  const properties = isObject(merged.properties) ? merged.properties : {}
  const { summary: _ignored, ...rest } = properties
  merged.properties = { summary: SUMMARY_PROPERTY, ...rest }
  return merged
}

/** Tool names the SDK maps onto `terminal` when no tool of that name exists (agent/utils.py TOOL_NAME_ALIASES). */
export const TERMINAL_ALIASES = new Set(['bash', 'command', 'execute', 'execute_bash', 'git', 'reset'])

/** ToolDefinition dumped as SystemPromptEvent.tools carries it. */
function toolDefinitionDump(
  kind: string,
  description: string,
  actionType: string,
  observationType: string,
  annotations: JsonObject | undefined,
  title: string,
  extra: JsonObject = {},
): JsonObject {
  return compact({ description, action_type: actionType, observation_type: observationType, annotations, ...extra, kind, title })
}

export interface ToolEntry {
  name: string
  description: string
  parameters: JsonObject
  kind: 'terminal' | 'finish' | 'client'
  spec?: ClientToolSpec
}

/** The tools of a conversation, in the order the LLM request lists them: `terminal`, the client tools, `finish`. */
export function conversationTools(clientTools: ClientToolSpec[]): ToolEntry[] {
  return [
    { name: 'terminal', description: TERMINAL_DESCRIPTION, parameters: TERMINAL_PARAMETERS, kind: 'terminal' },
    ...clientTools.map((spec): ToolEntry => ({ name: spec.name, description: spec.description, parameters: clientToolParameters(spec), kind: 'client', spec })),
    { name: 'finish', description: FINISH_DESCRIPTION, parameters: FINISH_PARAMETERS, kind: 'finish' },
  ]
}

/** A tool's definition as the SystemPromptEvent lists it. */
export function systemPromptToolDump(tool: ToolEntry): JsonObject {
  return tool.kind === 'terminal'
    ? toolDefinitionDump(
        'TerminalTool',
        TERMINAL_DESCRIPTION,
        'TerminalAction',
        'TerminalObservation',
        { title: 'terminal', readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
        'terminal',
      )
    : tool.kind === 'finish'
      ? toolDefinitionDump(
          'FinishTool',
          FINISH_DESCRIPTION,
          'FinishAction',
          'FinishObservation',
          { title: 'finish', readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
          'finish',
        )
      : toolDefinitionDump(
          'ClientTool',
          tool.description,
          `ClientAction_${tool.name}`,
          'ClientToolObservation',
          tool.spec?.annotations,
          tool.spec?.annotations?.title ? String(tool.spec.annotations.title) : tool.name,
          {
            client_tool_name: tool.name,
            input_schema: tool.spec?.parameters,
          },
        )
}
