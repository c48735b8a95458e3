import { type AgentTeam, SANDBOX_REPO_DIR } from '@cooperbench/spec'
import { teamBriefing } from '@cooperbench/spec-utils/host'
import { FORMAT_ERROR_TEMPLATE, INSTANCE_TEMPLATE, SYSTEM_TEMPLATE } from '../profiles/cooperbench-v1.js'
import { compileJinja } from '../reference/jinja.js'
import { SUBMIT_MARKER } from './observation.js'

/** What the prompt depends on: a subset of the run context plus two options. */
export interface PromptInput {
  agentId: string
  peers: readonly string[]
  instructions: string
  /** Messaging is active (a mailbox exists). */
  messaging: boolean
  /** The shared remote's name (`team`), when `--git`. */
  gitRemote: string | null
  commandTimeoutSeconds: number
  observationMaxChars: number
  replyTimeoutSeconds: number
  /** The agent's team in the `team` setting (its role, the features that are on); null otherwise. */
  team?: Pick<AgentTeam, 'role' | 'lead' | 'agents' | 'features' | 'scratchpad'> | null
}

/** The variables of profile `cooperbench-v1`'s templates (profiles/cooperbench-v1.ts): plain values only. */
export function promptVars(input: PromptInput): Record<string, unknown> {
  const team = input.team ?? null
  return {
    task: input.instructions.trim(),
    agent_id: input.agentId,
    peers: [...input.peers],
    messaging: input.messaging,
    git_remote: input.gitRemote,
    // Numbers as JavaScript prints them, which is how the profile always showed them.
    command_timeout_seconds: String(input.commandTimeoutSeconds),
    observation_max_chars: String(input.observationMaxChars),
    reply_timeout_seconds: String(input.replyTimeoutSeconds),
    // The `team` setting's sections (`teamBriefing`, the role first), and whether the lead gets the members' work as patch files.
    team_briefing: team ? teamBriefing({ agentId: input.agentId, team, messaging: input.messaging }) : null,
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

/** The system and task messages of prompt profile `cooperbench-v1`. */
export function buildPrompt(input: PromptInput): { system: string; task: string } {
  const vars = promptVars(input)
  return { system: PROFILE_TEMPLATES.system.render(vars), task: PROFILE_TEMPLATES.instance.render(vars) }
}
