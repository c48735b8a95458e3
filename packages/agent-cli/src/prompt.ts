import type { BriefingSection } from '@cooperbench/spec'
import { WAIT_FOR_MESSAGE_TOOL } from './mcp-wait-server.js'

/** What the task prompt of a CLI agent depends on. */
export interface CliPromptInput {
  agentId: string
  peers: readonly string[]
  instructions: string
  /** Messaging is on: the teammate commands are on PATH. */
  messaging: boolean
  /** The shared remote's name (`team`) with `--git`, else null. */
  gitRemote: string | null
  /** Messages that arrived before the start, already rendered as `[Message from X]: …`. */
  earlyMessages: readonly string[]
  /** The seat's briefing (`ctx.coordination.briefing.sections`): in place of the pair's `# Your team` when there is one. */
  sections?: readonly BriefingSection[]
  /** The CLI offers its `wait_for_message` MCP tool. */
  waitForMessage?: boolean
}

/** Recorded in the agent's description and docs; change it when the wording changes meaningfully. */
export const CLI_PROMPT_PROFILE = 'cooperbench-cli-v1'

/**
 * The one prompt a CLI gets (it keeps its own system prompt): the task; beside peers the teammates (or the seat's
 * briefing in their place), the commands that reach them, the shared remote and how the work is judged.
 */
export function buildCliPrompt(input: CliPromptInput): string {
  const parts = [`# Your task\n\n${input.instructions.trim()}`]
  const where = 'The repository is in /workspace/repo (your working directory). ' + 'Make your changes there; do not commit them, the harness takes the diff.'
  if (input.peers.length === 0) {
    parts.push(`# How you work\n\n${where} When the feature is done, stop.`)
    return parts.join('\n\n')
  }
  const [first, ...rest] = input.sections ?? []
  if (first) {
    parts.push(`# ${first.title}\n\n${first.body}\n\n${where}`, ...rest.map((s) => `# ${s.title}\n\n${s.body}`))
  } else {
    const names = input.peers.join(', ')
    parts.push(
      `# Your team\n\nYou are ${input.agentId}. Your teammate${input.peers.length > 1 ? 's are' : ' is'} ${names}. ` +
        'Each of you implements a different feature in your own copy of the same repository, at the same time. ' +
        'When everyone is done, the harness merges your changes; the work ' +
        'succeeds only if every feature passes its tests on the merged code and the changes merge without conflicts. ' +
        where,
    )
  }
  if (input.waitForMessage === true) parts.push(`# Waiting for teammates\n\n${waitSection()}`)
  return [...parts, ...coordination(input)].join('\n\n')
}

function waitSection(): string {
  const { name, defaultSeconds, maxSeconds } = WAIT_FOR_MESSAGE_TOOL
  return (
    `You have a tool, \`${name}\`: it waits until a message from a teammate reaches you and returns it, with any others that came ` +
    `(they then count as read), or says that none came within \`timeout_seconds\` (default ${defaultSeconds}, at most ${maxSeconds}). ` +
    'When you cannot go on until a teammate answers or finishes their part, call it instead of sleeping in a shell loop.'
  )
}

/** Messaging, the shared remote and early messages: the same with or without a briefing. */
function coordination(input: CliPromptInput): string[] {
  const parts: string[] = []
  if (input.messaging) {
    parts.push(
      '# Talking to your teammates\n\nThese shell commands are on your PATH:\n' +
        '- `send_message <agent> <message>`: sends the message to that teammate.\n' +
        '- `broadcast <message>`: sends it to every teammate.\n' +
        '- `check_messages`: prints the messages your teammates sent you since you last checked.\n\n' +
        'Before you edit shared files, say which files and functions you will change; run `check_messages` every few steps and ' +
        'before you finish, and answer questions your teammates ask. Keep messages short and concrete.',
    )
  }
  if (input.gitRemote !== null) {
    parts.push(
      `# Shared git remote\n\nA git remote named \`${input.gitRemote}\` is shared with your team: push your work to a branch of your own ` +
        `(\`git push ${input.gitRemote} HEAD:${input.agentId}\`) ` +
        `and fetch theirs (\`git fetch ${input.gitRemote}\`) to see what they changed.`,
    )
  }
  if (input.earlyMessages.length > 0) parts.push(`# Messages already received\n\n${input.earlyMessages.join('\n\n')}`)
  return parts
}
