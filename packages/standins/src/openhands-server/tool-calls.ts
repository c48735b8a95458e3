/** A model's tool calls: validated into ActionEvents (agent.py), then executed into observations. */
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'
import { hostname } from 'node:os'
import type { ActiveRun, Conversation } from './conversation.js'
import { AGENT_OUTCOME } from './error-classification.js'
import { makeEvent, type OhEvent, textContent } from './events.js'
import { isObject, type JsonObject } from './json.js'
import { compact, pyJsonDumps, pyListRepr } from './python-compat.js'
import { maybeTruncate, RESET_TEXT, runCommand, safeUsername, TIMEOUT_MESSAGE_TEMPLATE } from './terminal.js'
import { TERMINAL_ALIASES, type ToolEntry } from './tools.js'

/** A validated tool call: its ActionEvent, the tool, and the arguments without the meta fields. */
export interface ToolAction {
  event: OhEvent
  tool: ToolEntry
  args: JsonObject
}

/** Agent._get_action_event: validates a tool call into an ActionEvent (emitted), or emits ActionEvent + AgentErrorEvent. */
export function actionEvent(conversation: Conversation, call: JsonObject, responseId: string, thought: JsonObject[]): ToolAction | null {
  const fn = isObject(call.function) ? call.function : {}
  const requestedName = typeof fn.name === 'string' ? fn.name : ''
  const rawArguments = typeof fn.arguments === 'string' ? fn.arguments : isObject(fn.arguments) ? JSON.stringify(fn.arguments) : ''
  const toolCall = { id: typeof call.id === 'string' ? call.id : `call_${randomUUID()}`, name: requestedName, arguments: rawArguments, origin: 'completion' }
  const available = conversation.tools.map((tool) => tool.name)
  const fail = (error: string, toolName: string): null => {
    let failedCall = toolCall
    try {
      JSON.parse(toolCall.arguments)
    } catch {
      failedCall = { ...toolCall, arguments: pyJsonDumps({ _openhands_malformed_tool_call: true, error }) }
    }
    conversation.emit(
      makeEvent('ActionEvent', 'agent', {
        thought,
        thinking_blocks: [],
        tool_name: failedCall.name,
        tool_call_id: failedCall.id,
        tool_call: failedCall,
        llm_response_id: responseId,
        security_risk: 'UNKNOWN',
      }),
    )
    conversation.emit(makeEvent('AgentErrorEvent', 'agent', { tool_name: toolName, tool_call_id: failedCall.id, error, classification: AGENT_OUTCOME }))
    return null
  }
  let args: JsonObject
  try {
    const parsed: unknown = rawArguments.trim() === '' ? {} : JSON.parse(rawArguments)
    if (!isObject(parsed)) throw new SyntaxError('arguments are not a JSON object')
    args = parsed
  } catch (error) {
    return fail(
      `Error validating tool '${requestedName}': ${error instanceof Error ? error.message : String(error)}. Arguments: unparseable JSON`,
      requestedName,
    )
  }
  let toolName = requestedName
  if (!available.includes(toolName) && TERMINAL_ALIASES.has(toolName)) {
    toolName = 'terminal'
    if (requestedName === 'git' || requestedName === 'reset') {
      const original = args.command
      const kept: JsonObject = {}
      for (const key of ['security_risk', 'summary']) if (key in args) kept[key] = args[key]
      kept.command = !original ? requestedName : String(original).split(/\s+/)[0] === requestedName ? original : `${requestedName} ${String(original)}`
      args = kept
    }
  }
  const tool = conversation.tools.find((candidate) => candidate.name === toolName)
  if (tool === undefined) return fail(`Tool '${toolName}' not found. Available: ${pyListRepr(available)}`, toolName)
  delete args.security_risk
  const rawSummary = args.summary
  delete args.summary
  const missing = (Array.isArray(tool.parameters.required) ? tool.parameters.required : []).filter(
    (field): field is string => typeof field === 'string' && field !== 'summary' && !(field in args),
  )
  const wrongType =
    tool.kind === 'terminal' && 'command' in args && typeof args.command !== 'string'
      ? 'command'
      : tool.kind === 'finish' && 'message' in args && typeof args.message !== 'string'
        ? 'message'
        : null
  if (missing.length > 0 || wrongType !== null) {
    const problem = missing.length > 0 ? `missing required field(s) ${pyListRepr(missing)}` : `field '${wrongType}' must be a string`
    return fail(`Error validating tool '${toolName}': ${problem}. Parameters provided: ${pyListRepr(Object.keys(args))}`, toolName)
  }
  const summary = typeof rawSummary === 'string' && rawSummary.trim() !== '' ? rawSummary : `${toolName}: ${pyJsonDumps(args)}`
  let action: JsonObject
  if (tool.kind === 'terminal') {
    const timeout = typeof args.timeout === 'number' ? args.timeout : null
    action = compact({ command: args.command, is_input: args.is_input === true, timeout, reset: args.reset === true, kind: 'TerminalAction' })
  } else if (tool.kind === 'finish') action = { message: args.message, kind: 'FinishAction' }
  else action = { ...compact(args), kind: `ClientAction_${tool.name}` }
  const normalizedCall = { ...toolCall, name: tool.name, arguments: pyJsonDumps(args) }
  const event = conversation.emit(
    makeEvent('ActionEvent', 'agent', {
      thought,
      thinking_blocks: [],
      action,
      tool_name: tool.name,
      tool_call_id: normalizedCall.id,
      tool_call: normalizedCall,
      llm_response_id: responseId,
      security_risk: 'UNKNOWN',
      summary,
    }),
  )
  return { event, tool, args }
}

/** Agent._execute_action_event: the tool's observation as an ObservationEvent (emitted by the caller). */
export async function executeAction(conversation: Conversation, action: ToolAction, active: ActiveRun): Promise<OhEvent> {
  const observationEvent = (observation: JsonObject): OhEvent =>
    makeEvent('ObservationEvent', 'environment', {
      tool_name: action.tool.name,
      tool_call_id: action.event.tool_call_id,
      observation,
      action_id: action.event.id,
      extended_content: [],
    })
  if (action.tool.kind === 'finish')
    return observationEvent({ content: [textContent(String(action.args.message))], is_error: false, kind: 'FinishObservation' })
  if (action.tool.kind === 'client')
    return observationEvent({ content: [textContent('Tool call dispatched to client.')], is_error: false, kind: 'ClientToolObservation' })
  const args = action.args
  const command = String(args.command)
  if (args.reset === true && args.is_input === true) {
    return makeEvent('AgentErrorEvent', 'agent', {
      tool_name: 'terminal',
      tool_call_id: action.event.tool_call_id,
      error: "Error executing tool 'terminal': Cannot use reset=True with is_input=True",
      classification: AGENT_OUTCOME,
    })
  }
  const terminalObservation = (
    text: string,
    fields: { command: string; exitCode: number | null; isError?: boolean; timedOut?: boolean; metadata?: JsonObject },
  ): JsonObject =>
    compact({
      content: [textContent(text)],
      is_error: fields.isError === true,
      command: fields.command,
      exit_code: fields.exitCode,
      timeout: fields.timedOut === true,
      metadata: fields.metadata ?? { exit_code: -1, pid: -1, prefix: '', suffix: '' },
      kind: 'TerminalObservation',
    })
  if (args.reset === true) {
    conversation.cwd = conversation.workingDir
    rmSync(conversation.shellStateFile, { force: true })
    if (command.trim() === '') return observationEvent(terminalObservation(RESET_TEXT, { command: '[RESET]', exitCode: 0 }))
  } else if (args.is_input === true) {
    return observationEvent(terminalObservation('No previous running command to interact with.', { command, exitCode: null, isError: true }))
  } else if (command.trim() === '') {
    return observationEvent(terminalObservation('No previous running command to retrieve logs from.', { command, exitCode: null, isError: true }))
  }
  const timeoutSeconds = typeof args.timeout === 'number' && args.timeout > 0 ? args.timeout : conversation.config.commandTimeoutSeconds
  const result = await runCommand(conversation, command, timeoutSeconds, active)
  const output = maybeTruncate(result.output)
  const metadata = compact({
    exit_code: result.timedOut ? -1 : result.exitCode,
    pid: -1,
    username: safeUsername(),
    hostname: hostname(),
    working_dir: result.timedOut ? null : result.cwd,
    prefix: '',
    suffix: result.timedOut
      ? `\n[The command timed out after ${timeoutSeconds} seconds. ${TIMEOUT_MESSAGE_TEMPLATE}]`
      : `\n[The command completed with exit code ${result.exitCode}.]`,
  })
  const text = args.reset === true ? `${RESET_TEXT}\n\n${output}` : output
  return observationEvent(
    terminalObservation(text, {
      command: args.reset === true ? `[RESET] ${command}` : command,
      exitCode: result.timedOut ? -1 : result.exitCode,
      timedOut: result.timedOut,
      metadata,
    }),
  )
}
