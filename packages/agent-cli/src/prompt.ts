import type { AgentTeam } from '@cooperbench/spec'
import { teamBriefing } from '@cooperbench/setting-team/agent'

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
  /** The agent's team in the `team` setting (its role, the features that are on); null otherwise. */
  team?: Pick<AgentTeam, 'role' | 'lead' | 'agents' | 'features' | 'scratchpad'> | null
  /** The CLI has the team's `wait_for_message` MCP tool (team feature `mcp` on, messaging on, a CLI that takes MCP servers). */
  waitForMessage?: boolean
}

/** Recorded in the agent's description and docs; change it when the wording changes meaningfully. */
export const CLI_PROMPT_PROFILE = 'cooperbench-cli-v1'

/**
 * The one prompt a CLI gets (it keeps its own system prompt): the task; in coop the teammates, the commands that reach
 * them, the shared remote and how the work is judged; in the `team` setting the team's briefing in place of the pair's.
 */
export function buildCliPrompt(input: CliPromptInput): string {
  const parts = [`# Your task\n\n${input.instructions.trim()}`]
  const where = 'The repository is in /workspace/repo (your working directory). ' + 'Make your changes there; do not commit them, the harness takes the diff.'
  if (input.peers.length === 0) {
    parts.push(`# How you work\n\n${where} When the feature is done, stop.`)
    return parts.join('\n\n')
  }
  if (input.team) {
    const [role, ...rest] = teamBriefing({
      agentId: input.agentId,
      team: input.team,
      messaging: input.messaging,
      waitForMessage: input.waitForMessage === true,
    })
    parts.push(`# ${role!.title}\n\n${role!.body}\n\n${where}`, ...rest.map((s) => `# ${s.title}\n\n${s.body}`))
    return [...parts, ...coordination(input)].join('\n\n')
  }
  const names = input.peers.join(', ')
  parts.push(
    `# Your team\n\nYou are ${input.agentId}. Your teammate${input.peers.length > 1 ? 's are' : ' is'} ${names}. ` +
      'Each of you implements a different feature in your own copy of the same repository, at the same time. ' +
      'When everyone is done, the harness merges your changes; the work ' +
      'succeeds only if every feature passes its tests on the merged code and the changes merge without conflicts. ' +
      where,
  )
  return [...parts, ...coordination(input)].join('\n\n')
}

/** Messaging, the shared remote and early messages: the same in coop and team. */
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
