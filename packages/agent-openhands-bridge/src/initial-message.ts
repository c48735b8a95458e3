import type { AgentRunContext, FunctionTool } from '@cooperbench/spec'
import { CHECK_MESSAGES_TOOL, SEND_MESSAGE_TOOL } from './teammate-tools.js'

/** What the conversation's first message depends on. */
export type InitialMessageContext = Pick<AgentRunContext, 'instructions' | 'agentId' | 'peers' | 'mailbox' | 'git'> & {
  coordination: Pick<AgentRunContext['coordination'], 'briefing'>
}

/**
 * The first message: the task; beside peers, the teammates and coop tools, or the briefing's sections in place of that paragraph
 * and then the coop tools; the coordination tools offered (`tools`); the shared remote with `--git`.
 */
export function initialInstructions(ctx: InitialMessageContext, tools: readonly FunctionTool[]): string {
  const parts = [ctx.instructions]
  const { sections } = ctx.coordination.briefing
  if (sections.length > 0) {
    parts.push(...sections.map((s) => `# ${s.title}\n\n${s.body}`))
    if (ctx.mailbox) {
      parts.push(
        `# Talking to your teammates\n\nMessage a teammate with \`${SEND_MESSAGE_TOOL}\` (say which files and functions you will change before you edit shared code) ` +
          `and read what they sent with \`${CHECK_MESSAGES_TOOL}\`; their messages also arrive as user messages.`,
      )
    }
  } else if (ctx.mailbox) {
    parts.push(
      `You are ${ctx.agentId}, working in a team with ${ctx.peers.join(', ')}, each in a separate copy of the repository. Coordinate with \`${SEND_MESSAGE_TOOL}\` (who changes which file, interfaces you share) and read replies with \`${CHECK_MESSAGES_TOOL}\`; teammates' messages also arrive as user messages.`,
    )
  }
  if (tools.length > 0) {
    const names = tools.map((tool) => `- \`${tool.name}\``).join('\n')
    parts.push(`# Your coordination tools\n\nThese are tools of yours too:\n${names}\n\nA tool call's answer comes back as a user message a moment later.`)
  }
  if (ctx.git) parts.push(`A git remote \`${ctx.git.remote}\` shared with your team is set up: push your branch there and fetch theirs to see their work.`)
  return parts.join('\n\n')
}
