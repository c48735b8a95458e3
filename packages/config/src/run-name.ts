/** Run-name shorthands of the reference agents (docs/reference-compatibility.md#cli); they win over plugins'. */
export const REFERENCE_AGENT_SHORTHANDS: Readonly<Record<string, string>> = Object.freeze({
  mini_swe_agent_v2: 'msa_v2',
  swe_agent: 'sw',
  openhands_sdk: 'oh',
  claude_code: 'cc',
})

export interface RunNameInput {
  setting: string
  agent: string
  /** null for an agent that calls no model (its name then has no model part). */
  modelName: string | null
  gitEnabled?: boolean
  subset?: string | null
  repo?: string | null
  taskId?: number | null
  messagingEnabled?: boolean
  agentConfigDigest?: string | null
  /** Features per pair; `n<size>` joins the name when it is not 2. */
  pairSize?: number
  /** The backend; its name joins the name when it is not `local`. */
  backend?: string
  /** The message bus; its name joins the name of a setting whose agents message, with messaging, when it is not `memory`. */
  bus?: string
  /** Whether the setting's agents message each other (`SettingShape.messaging`): `nomsg` says when they were kept from it. */
  settingMessages?: boolean
  /** The setting's words for its options (`SettingShape.nameParts`: a team's `no-task-list`). */
  settingParts?: readonly string[]
  /** The seat roles given their own agent or model, each as `<role>-<agent>-<model>` of what differs from the run's (`manager-gpt-5`). */
  seats?: readonly string[]
}

/** A plugin's declared shorthand for an agent name, if any (e.g. from the plugin registry). */
export type AgentShorthandLookup = (agent: string) => string | undefined

/**
 * The run name without `-n` (docs/reference-compatibility.md#cli). A backend other than `local` or bus other than `memory` is named:
 * another backend or bus is another run, not a resume. `nomsg` and `cfg<6 hex>` are ours (a name never hides a non-default
 * configuration), beside `git` so *how* agents run precedes the model and *what* runs comes last, as in the reference. Defaults
 * give the reference's names, but our agent is `mini_swe_agent` (`msa`), not `mini_swe_agent_v2` (`msa_v2`).
 */
export function autoRunName(input: RunNameInput, shorthand?: AgentShorthandLookup): string {
  const parts = [input.setting, agentShorthand(input.agent, shorthand)]
  if (input.gitEnabled) parts.push('git')
  const messages = input.settingMessages === true
  if (messages && input.messagingEnabled === false) parts.push('nomsg')
  parts.push(...(input.settingParts ?? []), ...(input.seats ?? []))
  if (input.agentConfigDigest) parts.push(`cfg${hexPrefix(input.agentConfigDigest)}`)
  if (input.pairSize !== undefined && input.pairSize !== 2) parts.push(`n${input.pairSize}`)
  if (input.backend !== undefined && input.backend !== 'local') parts.push(input.backend)
  if (messages && input.messagingEnabled !== false && input.bus !== undefined && input.bus !== 'memory') parts.push(input.bus)
  if (input.modelName !== null) parts.push(cleanModelName(input.modelName))
  if (input.subset) parts.push(input.subset)
  if (input.repo) parts.push(shortRepoName(input.repo))
  if (input.taskId !== undefined && input.taskId !== null) parts.push(String(input.taskId))
  return parts.join('-')
}

/** Falls back to the whole name: agents without a shorthand (`echo_v1`, `echo_v2`) would share their first two characters, and a folder. */
export function agentShorthand(agent: string, shorthand?: AgentShorthandLookup): string {
  return REFERENCE_AGENT_SHORTHANDS[agent] ?? shorthand?.(agent) ?? agent
}

/** `vertex_ai/gemini-3-flash-preview` → `gemini-3-flash`. */
export function cleanModelName(model: string): string {
  return (model.split('/').at(-1) ?? model)
    .replace(/-(preview|latest|turbo)$/, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
}

/** `openai_tiktoken_task` → `openai-tiktoken`: every `_task` removed, then `_` → `-`. */
export function shortRepoName(repo: string): string {
  return repo.replaceAll('_task', '').replaceAll('_', '-')
}

function hexPrefix(digest: string) {
  return digest
    .replace(/^sha256:/i, '')
    .slice(0, 6)
    .toLowerCase()
}
