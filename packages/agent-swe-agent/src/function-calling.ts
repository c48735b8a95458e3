import type { ToolCall } from '@cooperbench/agent-mini-swe'
import { formatPieces } from '@cooperbench/spec-utils/host'
import type { ToolCommand } from './bundles.js'

/** Why a reply cannot be run: SWE-agent's `FunctionCallingFormatError`, with the variables its format error template gets. */
export interface FormatError {
  code: 'missing' | 'multiple' | 'invalid_command' | 'invalid_json' | 'missing_arg' | 'unexpected_arg'
  message: string
  extra: Record<string, unknown>
}

/** The command a reply's one tool call becomes, with the call's parsed arguments. */
export interface ParsedAction {
  action: string
  call: ToolCall
  args: Record<string, unknown>
}

/**
 * SWE-agent's `FunctionCallingParser` (1.1): one tool call of a known tool with exactly its arguments, as the tool's
 * `invoke_format`, each value through its `argument_format`, strings `shlex.quote`d but bash's command, the whole stripped.
 */
export function parseToolCalls(message: string, calls: readonly ToolCall[], commands: readonly ToolCommand[]): ParsedAction | FormatError {
  if (calls.length !== 1) {
    const message_ = `Expected exactly one tool call in model response - received ${calls.length} tool calls with message: ${message}`
    return { code: calls.length === 0 ? 'missing' : 'multiple', message: message_, extra: { num_tools: calls.length } }
  }
  const call = calls[0]!
  const command = commands.find((c) => c.name === call.name)
  if (!command) return { code: 'invalid_command', message: `Command '${call.name}' not found in list of available commands.`, extra: {} }
  let args: unknown
  try {
    args = JSON.parse(call.arguments)
  } catch {
    args = undefined
  }
  if (args === null || typeof args !== 'object' || Array.isArray(args))
    return { code: 'invalid_json', message: 'Tool call arguments are not valid JSON.', extra: {} }
  const values = args as Record<string, unknown>
  const missing = command.arguments.filter((arg) => arg.required && !Object.hasOwn(values, arg.name)).map((arg) => arg.name)
  if (missing.length > 0) return { code: 'missing_arg', message: `Required argument(s) missing: ${missing.join(', ')}`, extra: {} }
  const unexpected = Object.keys(values).filter((key) => !command.arguments.some((arg) => arg.name === key))
  if (unexpected.length > 0) return { code: 'unexpected_arg', message: `Unexpected argument(s): ${unexpected.join(', ')}`, extra: {} }
  const formatted = Object.fromEntries(
    command.arguments.map((arg) => [arg.name, Object.hasOwn(values, arg.name) ? arg.format.render({ value: quoted(values[arg.name], command) }) : '']),
  )
  return { action: pyStrip(formatPieces(command.invoke, formatted, `the command line of ${command.name}`)), call, args: values }
}

/** A value as SWE-agent passes it to `argument_format`: a string `shlex.quote`d (not the bash tool's), None as '', else as it is. */
function quoted(value: unknown, command: ToolCommand): unknown {
  if (typeof value === 'string') return command.name === 'bash' ? value : shlexQuote(value)
  return value === null ? '' : value
}

/** Python's `shlex.quote`: as it is when only safe ASCII characters, else single-quoted with `'"'"'` for each quote. */
export function shlexQuote(value: string): string {
  if (value === '') return "''"
  if (!/[^\w@%+=:,./-]/.test(value)) return value
  return `'${value.replaceAll("'", `'"'"'`)}'`
}

/** The characters Python's `str.strip()` removes (`str.isspace`). */
const PY_SPACE = '[\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]'
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g')

/** Python's `str.strip()`. */
export function pyStrip(text: string): string {
  return text.replace(PY_STRIP, '')
}
