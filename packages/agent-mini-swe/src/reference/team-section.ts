import { type AgentRunContext, CooperbenchError } from '@cooperbench/spec'
import { REFERENCE_SECTION_SEPARATOR, renderReferenceTeamSection } from '@cooperbench/setting-team/agent'
import type { ReferenceProtocol } from './config.js'

/**
 * `{{ task }}` of a reference configuration: the feature's text, in the `team` setting followed by the team block from
 * `team_prompt_template` after a `---` rule, as its adapters append `team_task_section(…)` (0.0.15–0.0.16).
 */
export function referenceTask(ctx: Pick<AgentRunContext, 'agentId' | 'instructions' | 'team'>, protocol: Pick<ReferenceProtocol, 'teamTemplate'>): string {
  const team = ctx.team
  if (!team) return ctx.instructions
  if (protocol.teamTemplate === null) throw missingTeamTemplate()
  const section = renderReferenceTeamSection(protocol.teamTemplate, { agentId: ctx.agentId, agents: team.agents, role: team.role })
  return section === '' ? ctx.instructions : `${ctx.instructions}${REFERENCE_SECTION_SEPARATOR}${section}`
}

/** A reference configuration in a team run without the team block's file. */
export function missingTeamTemplate(): CooperbenchError {
  return new CooperbenchError(
    'CONFIG_INVALID',
    'a team run with a reference-format agent config needs team_prompt_template: the reference appends its team block to the task, and that text is in its Python source, which cooperbench does not ship',
    { hint: 'Add team_prompt_template: <file> to the config (docs/reproducing-the-paper.md#the-team-setting says how to make the file from the reference).' },
  )
}
