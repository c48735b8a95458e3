import { patchPaths } from '@cooperbench/spec-utils/patch'
import { applyGoldPatchFiles, type GoldFeature, goldPatchFiles, textOf } from './gold-commands.js'
import type { RecordedChatMessage, RecordedTool, ScriptedTurn } from './types.js'

/** Whether the agent offers SWE-agent's tools (upstream's swe_agent bundles): `str_replace_editor` and `submit`. */
export function offersSweAgentTools(tools: RecordedTool[] | undefined): boolean {
  const names = new Set((tools ?? []).map((tool) => tool.function?.name))
  return names.has('str_replace_editor') && names.has('submit')
}

/**
 * SWE-agent's way with the gold patches, one tool call a reply: `str_replace_editor create` writes
 * each patch file, `bash` applies them, a coop agent offered `send_message` tells its first
 * teammate (named in upstream's coop system message, "You are agent1 working as a team with: …")
 * which files it changed, then `submit` twice: the review step, then the submission.
 */
export function sweAgentTurn(mine: GoldFeature[], messages: RecordedChatMessage[], tools: RecordedTool[] | undefined): ScriptedTurn {
  const system = textOf(messages.find((m) => m.role === 'system'))
  const team = /You are ([\w.-]+) working as a team with: ([^\n]*)\./.exec(system)
  const peer = team?.[2]?.split(', ').find((agent) => agent !== team[1])
  const messaging = (tools ?? []).some((tool) => tool.function?.name === 'send_message')
  const files = [...new Set(mine.flatMap((f) => patchPaths(f.gold)))].join(', ')
  const plan: ScriptedTurn[] = [
    ...goldPatchFiles(mine).map((file) => call('str_replace_editor', { command: 'create', path: file.path, file_text: file.text })),
    call('bash', { command: applyGoldPatchFiles(mine) }),
    ...(messaging && team && peer ? [call('send_message', { recipient: peer, message: `I am ${team[1]}: my feature changes ${files}.` })] : []),
    call('submit', {}),
  ]
  const done = messages.filter((m) => m.role === 'assistant' && (m.tool_calls?.length ?? 0) > 0).length
  return plan[done] ?? call('submit', {})
}

const call = (name: string, args: Record<string, unknown>): ScriptedTurn => ({ toolCalls: [{ name, arguments: args }] })
