import { type AgentRunContext, CooperbenchError } from '@cooperbench/spec'
import { REFERENCE_SECTION_SEPARATOR, renderReferenceTeamSection } from '@cooperbench/setting-team/agent'
import type { ReferenceProtocol } from './config.js'

/**
 * The task a reference configuration's templates get as `{{ task }}`: the feature's text and, in
 * the `team` setting, the reference's team block after a `---` rule, as its Python-loop adapters
 * append `team_task_section(…)` (0.0.15–0.0.16). The block comes from the user's
 * `team_prompt_template` file; a team run without one is refused (we ship none of its text).
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
