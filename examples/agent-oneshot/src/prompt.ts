import type { BriefingSection, BusMessage } from '@cooperbench/spec'
import type { RepoContext } from './context.js'

export interface TaskPromptInput {
  agentId: string
  peers: readonly string[]
  instructions: string
  context: RepoContext
  /** Messages from teammates received before the first call. */
  messages: readonly BusMessage[]
  /** What the seat's setting tells of its part (`ctx.coordination.briefing.sections`): it cannot run the seat's commands, so only this. */
  briefing: readonly BriefingSection[]
}

/** How a teammate's message is shown to the model (the form the harness' agents share). */
export function teammateMessageText(message: Pick<BusMessage, 'from' | 'content'>): string {
  return `[Message from ${message.from}]: ${message.content}`
}

/** The system message: what to produce, and in coop who the teammates are. */
export function systemPrompt(input: Pick<TaskPromptInput, 'agentId' | 'peers'>): string {
  const lines = [
    'You are an expert software engineer. You are given a feature request and the relevant files of a git repository.',
    'Implement the feature by replying with ONE unified diff against the repository exactly as shown.',
    '',
    'Rules:',
    '- Put the whole change in a single ```diff fenced block.',
    '- Use `--- a/<path>` and `+++ b/<path>` headers with paths relative to the repository root; `--- /dev/null` for a new file.',
    '- Context and removed lines must match the file exactly, indentation included; give three lines of context around each change.',
    '- Change only what the feature needs. Do not add or edit tests unless the task asks for it.',
    '- A sentence before the block is fine; do not explain at length.',
  ]
  if (input.peers.length > 0) {
    lines.push(
      '',
      `You work in a team: you are ${input.agentId}; ${input.peers.join(', ')} implement${input.peers.length === 1 ? 's' : ''} other features of the same repository at the same time, in their own copies.`,
      'Your changes and theirs will be merged, so keep your edits small, do not reformat code you do not change, and stay out of the files your teammates say they are changing.',
      'Messages from teammates appear as [Message from <id>]: <text>.',
    )
  }
  return lines.join('\n')
}

/** The first user message: the task, teammates' messages, the file list and the chosen files. */
export function taskPrompt(input: TaskPromptInput): string {
  const parts = [`# Task\n\n${input.instructions.trim()}`, ...input.briefing.map((section) => `# ${section.title}\n\n${section.body}`)]
  if (input.messages.length > 0) parts.push(`# Messages from your teammates\n\n${input.messages.map(teammateMessageText).join('\n')}`)
  parts.push(`# Repository files (git ls-files)\n\n${fenced(input.context.listing)}`)
  if (input.context.files.length > 0) {
    const files = input.context.files.map((file) => `## ${file.path}${file.truncated ? ' (truncated)' : ''}\n\n${fenced(file.content)}`)
    parts.push(`# File contents\n\n${files.join('\n\n')}`)
  } else {
    parts.push('# File contents\n\n(none fitted in the context budget)')
  }
  parts.push('Reply with the unified diff that implements the task, in one ```diff block.')
  return parts.join('\n\n')
}

/** The follow-up after a reply whose diff did not apply (or held none). */
export function retryPrompt(input: { problem: string; messages: readonly BusMessage[] }): string {
  const parts = [
    `Your diff could not be applied; the repository is unchanged, still as shown above.\n\n${fenced(input.problem)}`,
    'Write the complete diff again and fix the problem: every context and removed line must match the file exactly as shown. Reply with one ```diff block.',
  ]
  if (input.messages.length > 0) parts.splice(1, 0, `New messages from your teammates:\n\n${input.messages.map(teammateMessageText).join('\n')}`)
  return parts.join('\n\n')
}

/** A fenced block that its content cannot close: one backtick more than the longest run inside. */
function fenced(content: string): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(longest + 1)
  return `${fence}\n${content.endsWith('\n') ? content : `${content}\n`}${fence}`
}
