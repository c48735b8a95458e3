import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { CooperbenchError, errorMessage, type AgentTeam } from '@cooperbench/spec'
import { formatPieces, parsePythonFormat } from '@cooperbench/spec-utils/host'
import { readReferenceTeamTemplate, type ReferenceTeamTemplate, renderReferenceTeamSection, stringFields } from '@cooperbench/setting-team/agent'

/**
 * The prompt of `protocol: reference`, from the user's file (we ship none of its text): the three parts the reference
 * builds its Claude Code prompt from, as a JSON object: `submission` (used as written), `coop` and `git` (Python format
 * strings). The prompt is the task, `submission`, with messaging `coop`, with messaging and --git `git`, joined by `---`
 * rules; in the `team` setting (`build_team_instruction`) the team block of `team_prompt_template` replaces `coop`.
 */
export interface ReferencePromptTemplate {
  /** The file, as given (resolved against the working directory when read). */
  path: string
  /** `sha256:<hex>` of the file's bytes. */
  digest: string
  submission: string
  coop: string
  git: string
  /** The reference's team block (`team_prompt_template`), for the `team` setting; null without one. */
  team: ReferenceTeamTemplate | null
}

/** What the reference's prompt is rendered from, for one agent. */
export interface ReferencePromptInput {
  task: string
  agentId: string
  /** The other agents, in the run's order. */
  partners: readonly string[]
  /** Messaging is on (coop with a mailbox). */
  messaging: boolean
  /** The shared remote's name with --git, else null. */
  gitRemote: string | null
  /** The agent's team in the `team` setting. */
  team?: Pick<AgentTeam, 'role' | 'agents'> | null
}

const SECTIONS = ['submission', 'coop', 'git'] as const
const SEPARATOR = '\n\n---\n\n'

/** Reads and checks a template file: the three parts, nothing else, every field known. Errors name the file. */
export async function loadReferencePromptTemplate(path: string, teamPath: string | null = null): Promise<ReferencePromptTemplate> {
  const bytes = await readFile(resolve(path)).catch((error: unknown) => {
    throw templateError(path, `cannot be read (${errorMessage(error)})`)
  })
  const object = stringFields(bytes, SECTIONS, (why) => templateError(path, why))
  const template: ReferencePromptTemplate = {
    path,
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    submission: object['submission'],
    coop: object['coop'],
    git: object['git'],
    team: teamPath === null ? null : readReferenceTeamTemplate(teamPath),
  }
  // Every field is checked now, before any pair starts, with stand-in values.
  for (const key of ['coop', 'git'] as const) formatSection(template, key, fieldValues('agent1', ['agent2'], 'team'))
  return template
}

/** The instruction the CLI gets, built as the reference builds it for this agent. */
export function renderReferencePrompt(template: ReferencePromptTemplate, input: ReferencePromptInput): string {
  const sections = [input.task, template.submission]
  const values = fieldValues(input.agentId, input.partners, input.gitRemote ?? 'team')
  const coop = input.messaging && input.partners.length > 0
  if (input.team) {
    if (template.team === null) throw missingTeamTemplate()
    const block = renderReferenceTeamSection(template.team, { agentId: input.agentId, agents: input.team.agents, role: input.team.role })
    if (block !== '') sections.push(block)
  } else if (coop) sections.push(formatSection(template, 'coop', values))
  if ((input.team || coop) && input.gitRemote !== null) sections.push(formatSection(template, 'git', values))
  return sections.join(SEPARATOR)
}

/** One of the template's format-string sections with the fields' values; errors name the file and the section. */
function formatSection(template: Pick<ReferencePromptTemplate, 'path' | 'coop' | 'git'>, key: 'coop' | 'git', values: Record<string, string>): string {
  const where = `${template.path} "${key}"`
  return formatPieces(parsePythonFormat(template[key], where), values, where)
}

/** The fields the reference's sections use, computed as it computes them. */
function fieldValues(agentId: string, partners: readonly string[], remote: string): Record<string, string> {
  return {
    agent_id: agentId,
    partner_str: partners.join(', '),
    partner_branches: partners.map((p) => `\`${remote}/${p}\``).join(', '),
    first_partner: partners[0] ?? '',
  }
}

/** A team run under `protocol: reference` without the team block's file. */
export function missingTeamTemplate(): CooperbenchError {
  return new CooperbenchError(
    'CONFIG_INVALID',
    "a team run with protocol: reference needs team_prompt_template: the reference's team block is in its Python source, which cooperbench does not ship",
    { hint: 'Set agents.claude_code.team_prompt_template: ./team-prompt.json (docs/reproducing-the-paper.md#the-team-setting says how to make it)' },
  )
}

function templateError(path: string, what: string): CooperbenchError {
  return new CooperbenchError('CONFIG_INVALID', `the prompt template ${path} ${what}`, {
    hint: 'A JSON object with "submission", "coop" and "git" strings; see "claude_code, the reference\'s way" in the user guide',
  })
}
