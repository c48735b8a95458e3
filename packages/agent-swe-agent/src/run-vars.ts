import { referenceTask } from '@cooperbench/agent-mini-swe'
import type { AgentRunContext } from '@cooperbench/spec'
import type { ReferenceTeamTemplate } from '@cooperbench/setting-team/agent'

/** The run's side of the templates: SWE-agent's `_get_format_dict` less what a step adds. */
export type RunVars = ReturnType<typeof runVars>

/** The run's template values as upstream's adapter passes them (in solo: id `solo`, no agents; in a team the task has its team block). */
export function runVars(ctx: AgentRunContext, teamTemplate: ReferenceTeamTemplate | null) {
  const together = ctx.setting !== 'solo'
  return {
    problem_statement: referenceTask(ctx, { teamTemplate }),
    agent_id: ctx.agentId,
    agents: together ? [ctx.agentId, ...ctx.peers].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })) : [],
    messaging_enabled: ctx.mailbox !== null,
    git_enabled: ctx.git !== null,
  }
}
