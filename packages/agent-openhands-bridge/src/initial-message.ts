import type { AgentRunContext } from '@cooperbench/spec'
import { teamBriefing } from '@cooperbench/setting-team/agent'
import { CHECK_MESSAGES_TOOL, SEND_MESSAGE_TOOL } from './teammate-tools.js'
import { teamTools } from './team-tools.js'

/** What the conversation's first message depends on. */
export type InitialMessageContext = Pick<AgentRunContext, 'instructions' | 'agentId' | 'peers' | 'mailbox' | 'git' | 'team'>

/**
 * The first message: the task; in coop the teammates and coop tools; in the `team` setting the team's briefing in place of
 * the pair's paragraph, then the coop tools and the team tools of the features on; the shared remote with `--git`.
 */
export function initialInstructions(ctx: InitialMessageContext): string {
  const parts = [ctx.instructions]
  if (ctx.team) parts.push(...teamSections(ctx, ctx.team))
  else if (ctx.mailbox) {
    parts.push(
      `You are ${ctx.agentId}, working in a team with ${ctx.peers.join(', ')}, each in a separate copy of the repository. Coordinate with \`${SEND_MESSAGE_TOOL}\` (who changes which file, interfaces you share) and read replies with \`${CHECK_MESSAGES_TOOL}\`; teammates' messages also arrive as user messages.`,
    )
  }
  if (ctx.git) parts.push(`A git remote \`${ctx.git.remote}\` shared with your team is set up: push your branch there and fetch theirs to see their work.`)
  return parts.join('\n\n')
}

function teamSections(ctx: InitialMessageContext, team: NonNullable<InitialMessageContext['team']>): string[] {
  const sections = teamBriefing({ agentId: ctx.agentId, team, messaging: ctx.mailbox != null }).map((s) => `# ${s.title}\n\n${s.body}`)
  if (ctx.mailbox) {
    sections.push(
      `# Talking to your teammates\n\nMessage a teammate with \`${SEND_MESSAGE_TOOL}\` (say which files and functions you will change before you edit shared code) ` +
        `and read what they sent with \`${CHECK_MESSAGES_TOOL}\`; their messages also arrive as user messages.`,
    )
  }
  const tools = teamTools(team, ctx.agentId).map((tool) => `- \`${tool.name}\`: runs \`${tool.command}\``)
  if (tools.length > 0) {
    sections.push(
      "# The team's commands as tools\n\nThe team's commands run in your terminal, and each is also a tool of yours:\n" +
        `${tools.join('\n')}\n\n` +
        'A tool call runs the same command in your sandbox; its output and exit code come back as a user message a moment later.',
    )
  }
  return sections
}
