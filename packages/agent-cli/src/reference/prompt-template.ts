import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { type Briefing, CooperbenchError, errorMessage } from '@cooperbench/spec'
import { formatPieces, parsePythonFormat, stringFields } from '@cooperbench/spec-utils/host'

/**
 * The prompt of `protocol: reference`, from the user's file (we ship none of its text): the three parts the reference
 * builds its Claude Code prompt from, as a JSON object: `submission` (used as written), `coop` and `git` (Python format
 * strings). The prompt is the task, `submission`, with messaging `coop`, with messaging and --git `git`, joined by `---`
 * rules; a seat's briefing (upstream's own block, as `build_team_instruction` adds a team's) replaces `coop`.
 */
export interface ReferencePromptTemplate {
  /** The file, as given (resolved against the working directory when read). */
  path: string
  /** `sha256:<hex>` of the file's bytes. */
  digest: string
  submission: string
  coop: string
  git: string
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
  /** The seat's briefing (`ctx.coordination.briefing`); none: as an empty one. */
  briefing?: Briefing
}

const SECTIONS = ['submission', 'coop', 'git'] as const
const SEPARATOR = '\n\n---\n\n'

/** Reads and checks a template file: the three parts, nothing else, every field known. Errors name the file. */
export async function loadReferencePromptTemplate(path: string): Promise<ReferencePromptTemplate> {
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
  const block = briefingBlock(input.briefing)
  if (block !== null) sections.push(block)
  else if (coop) sections.push(formatSection(template, 'coop', values))
  if ((block !== null || coop) && input.gitRemote !== null) sections.push(formatSection(template, 'git', values))
  return sections.join(SEPARATOR)
}

/** Upstream's own block, else our sections as `## title` blocks; null: no briefing (the pair's `coop` part then). */
function briefingBlock(briefing: Briefing | undefined): string | null {
  if (briefing === undefined) return null
  if (briefing.upstream !== null) return briefing.upstream
  return briefing.sections.length > 0 ? briefing.sections.map((s) => `## ${s.title}\n\n${s.body}`).join('\n\n') : null
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

function templateError(path: string, what: string): CooperbenchError {
  return new CooperbenchError('CONFIG_INVALID', `the prompt template ${path} ${what}`, {
    hint: 'A JSON object with "submission", "coop" and "git" strings; see "claude_code, the reference\'s way" in the user guide',
  })
}
