import { type AgentRunContext, SANDBOX_REPO_DIR } from '@cooperbench/spec'
import { teamBriefing } from '@cooperbench/setting-team/agent'
import { FORMAT_ERROR_TEMPLATE, INSTANCE_TEMPLATE, SYSTEM_TEMPLATE } from '../profiles/cooperbench-v1.js'
import { compileJinja } from '../reference/jinja.js'
import { SUBMIT_MARKER } from './observation.js'
import type { MiniSweAgentOptions } from './options.js'

/**
 * The variables of profile `cooperbench-v1`'s templates (profiles/cooperbench-v1.ts), plain values only: the
 * run's agent, teammates, task, messaging (a mailbox), shared remote and team, and the options the prompt names.
 */
export function promptVars(ctx: AgentRunContext, options: MiniSweAgentOptions, replyTimeoutMs: number): Record<string, unknown> {
  const team = ctx.team ?? null
  const messaging = ctx.mailbox !== null
  return {
    task: ctx.instructions.trim(),
    agent_id: ctx.agentId,
    peers: [...ctx.peers],
    messaging,
    git_remote: ctx.git?.remote ?? null,
    // Numbers as JavaScript prints them, which is how the profile always showed them.
    command_timeout_seconds: String(options.command_timeout_seconds),
    observation_max_chars: String(options.observation_max_chars),
    reply_timeout_seconds: String(Math.round(replyTimeoutMs / 1000)),
    // The `team` setting's sections (`teamBriefing`, the role first), and whether the lead gets the members' work as patch files.
    team_briefing: team ? teamBriefing({ agentId: ctx.agentId, team, messaging }) : null,
    lead_integrates: team !== null && team.role === 'lead' && team.features.scratchpad,
    repo_dir: SANDBOX_REPO_DIR,
    submit_marker: SUBMIT_MARKER,
  }
}

/** Profile `cooperbench-v1`'s templates, compiled once. */
export const PROFILE_TEMPLATES = {
  system: compileJinja(SYSTEM_TEMPLATE, 'cooperbench-v1 system'),
  instance: compileJinja(INSTANCE_TEMPLATE, 'cooperbench-v1 instance'),
  formatError: compileJinja(FORMAT_ERROR_TEMPLATE, 'cooperbench-v1 format error'),
}
