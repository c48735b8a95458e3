import { type AgentRunContext, SANDBOX_REPO_DIR } from '@cooperbench/spec'
import { FORMAT_ERROR_TEMPLATE, INSTANCE_TEMPLATE, SYSTEM_TEMPLATE } from '../profiles/cooperbench-v1.js'
import { compileJinja } from '../reference/jinja.js'
import { SUBMIT_MARKER } from './observation.js'
import type { MiniSweAgentOptions } from './options.js'

/**
 * The variables of profile `cooperbench-v1`'s templates (profiles/cooperbench-v1.ts), plain values only: the
 * run's agent, teammates, task, messaging (a mailbox), shared remote and briefing, and the options the prompt names.
 */
export function promptVars(ctx: AgentRunContext, options: MiniSweAgentOptions, replyTimeoutMs: number): Record<string, unknown> {
  return {
    task: ctx.instructions.trim(),
    agent_id: ctx.agentId,
    peers: [...ctx.peers],
    messaging: ctx.mailbox !== null,
    git_remote: ctx.git?.remote ?? null,
    // Numbers as JavaScript prints them, which is how the profile always showed them.
    command_timeout_seconds: String(options.command_timeout_seconds),
    observation_max_chars: String(options.observation_max_chars),
    reply_timeout_seconds: String(Math.round(replyTimeoutMs / 1000)),
    // What the seat's setting tells it of its part: shown in place of the pair's situation when there is any.
    briefing: ctx.coordination.briefing.sections,
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
