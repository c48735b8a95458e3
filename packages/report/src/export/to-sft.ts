import { agentFeaturesPassed } from './pair-agents.js'
import type { ExportedAgent } from './exported-agent.js'
import type { RecordedToolCall, RecordedTurn } from './recorded-turns.js'
import { argumentsObject, type ToolDefinition, toolDefinitionsOf } from './tool-definitions.js'

/** A message of an SFT row: OpenAI's chat format, as chat templates and Hugging Face's trainers take it. */
export interface SftMessage {
  role: 'system' | 'user' | 'assistant' | 'tool'
  content: string
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>
  tool_call_id?: string
}

/** One line of the SFT file: one agent's trajectory, its tools, and the columns a distiller filters on. */
export interface SftRow {
  messages: SftMessage[]
  tools: ToolDefinition[]
  trajectory_id: string
  run: string
  setting: string
  repo: string
  task_id: number
  pair: string
  agent_id: string
  role: string
  agent: string
  model: string | null
  features: number[]
  status: string
  pair_passed: boolean
  features_passed: boolean
  /**
   * The last message is an assistant turn with tool calls (mini-SWE's and swe_agent's submit command, OpenHands' `finish`) whose
   * answers the row leaves out: a row ends on the model's last turn, and what the harness answered it is no turn to learn.
   */
  ends_on_tool_call: boolean
}

/**
 * Shell tools and their command argument: Codex's `exec_command` (`cmd`, a `bash -lc '…'` line), Claude Code's `Bash`, Qwen Code's
 * `run_shell_command`, OpenHands' `terminal`, `execute_bash`. In SFT rows each is mini-SWE's `bash` (`command`), so every log trains mini-SWE's shape.
 */
const SHELL_TOOLS: Readonly<Record<string, string>> = {
  exec_command: 'cmd',
  Bash: 'command',
  run_shell_command: 'command',
  terminal: 'command',
  execute_bash: 'command',
}

/**
 * A trajectory as one SFT row in mini-SWE's shape: an assistant message per turn with its tool calls, a `tool` message per result,
 * ending on the model's last turn (what came after it is left out: the answer to its submit command, a late teammate message).
 * A CLI's system prompt, when its session log kept it, comes first; left out: a CLI's session notes (harness `system` lines, not
 * context) and replies dropped from context (mini-SWE's unusable ones). Null for an agent without a model turn (the oracle).
 */
export function toSftRow(agent: ExportedAgent): SftRow | null {
  const { recorded } = agent
  const fromCli = recorded.cli !== null
  const turns = recorded.turns.filter((turn) => !(fromCli && turn.role === 'system') && !turn.marks.includes('dropped'))
  const last = turns.findLastIndex((turn) => turn.role === 'assistant')
  if (last === -1) return null
  const calls: RecordedToolCall[] = []
  const messages: SftMessage[] = [
    ...(recorded.cliSystemPrompt === null ? [] : [{ role: 'system' as const, content: recorded.cliSystemPrompt }]),
    ...turns.slice(0, last + 1).map((turn) => messageOf(turn, calls)),
  ]
  const { pair } = agent
  return {
    messages,
    tools: toolDefinitionsOf(calls),
    trajectory_id: agent.trajectoryId,
    run: agent.run,
    setting: pair.setting,
    repo: pair.repo,
    task_id: pair.taskId,
    pair: agent.sessionId.split('/').at(-1)!,
    agent_id: agent.agentId,
    role: agent.role,
    agent: agent.framework,
    model: agent.model,
    features: agent.features,
    status: agent.summary.status,
    pair_passed: agent.verdict.pair === 'pass',
    features_passed: agentFeaturesPassed(agent),
    ends_on_tool_call: turns[last]!.toolCalls.length > 0,
  }
}

function messageOf(turn: RecordedTurn, calls: RecordedToolCall[]): SftMessage {
  const message: SftMessage = { role: turn.role, content: turn.content }
  if (turn.toolCallId !== undefined) message.tool_call_id = turn.toolCallId
  if (turn.toolCalls.length > 0) {
    const shaped = turn.toolCalls.map(asMiniSweCall)
    calls.push(...shaped)
    message.tool_calls = shaped.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }))
  }
  return message
}

/** A shell tool's call as mini-SWE's `bash` call; any other call as it was. */
function asMiniSweCall(call: RecordedToolCall): RecordedToolCall {
  const field = SHELL_TOOLS[call.name]
  const command = field === undefined ? undefined : argumentsObject(call.arguments)[field]
  if (typeof command !== 'string') return call
  return { id: call.id, name: 'bash', arguments: JSON.stringify({ command: call.name === 'exec_command' ? withoutShellWrapper(command) : command }) }
}

/** Codex wraps commands in `/bin/bash -lc '<command>'`, mini-SWE does not: the one word after `-lc`/`-c`, unquoted; else the line as is. */
function withoutShellWrapper(line: string) {
  const wrapper = /^\s*(?:\/usr)?(?:\/bin\/)?(?:ba)?sh\s+-l?c\s+/.exec(line)
  if (!wrapper) return line
  const word = line.slice(wrapper[0].length).trim()
  const quote = word[0]
  if (quote !== "'" && quote !== '"') return /\s/.test(word) ? line : word
  let out = ''
  for (let i = 1; i < word.length; i++) {
    const char = word[i]!
    if (char === quote) {
      // `'\''` closes, escapes a quote and reopens: one word goes on.
      if (quote === "'" && word.startsWith("\\''", i + 1)) {
        out += "'"
        i += 3
        continue
      }
      return i === word.length - 1 ? out : line
    }
    if (quote === '"' && char === '\\' && '"\\$`'.includes(word[i + 1] ?? '')) {
      out += word[++i]
      continue
    }
    out += char
  }
  return line
}
