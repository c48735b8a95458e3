import { taskWithBriefing } from '@cooperbench/agent-mini-swe'
import type { AgentRunContext } from '@cooperbench/spec'

/** The run's side of the templates: SWE-agent's `_get_format_dict` less what a step adds. */
export type RunVars = ReturnType<typeof runVars>

/** The run's template values as upstream's adapter passes them (alone: no agents; a seat's briefing follows its task). */
export function runVars(ctx: AgentRunContext) {
  return {
    problem_statement: taskWithBriefing(ctx),
    agent_id: ctx.agentId,
    agents: ctx.peers.length > 0 ? [ctx.agentId, ...ctx.peers].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })) : [],
    messaging_enabled: ctx.mailbox !== null,
    git_enabled: ctx.git !== null,
  }
}
