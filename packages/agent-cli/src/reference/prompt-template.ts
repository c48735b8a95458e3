import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { CooperbenchError, errorMessage } from '@cooperbench/spec'
import { formatPieces, parsePythonFormat } from '@cooperbench/spec/host'

/**
 * The prompt of `protocol: reference`, from a file the user supplies (we ship none of the
 * reference's text). The reference builds its Claude Code prompt in Python from three parts; the
 * file holds them as a JSON object:
 * - `submission`: the text after the task, used as written (a plain string there);
 * - `coop`: the cooperation section, a Python format string (an f-string there);
 * - `git`: the shared-remote section, a Python format string.
 * The prompt is the task, then `submission`, then with messaging `coop`, then with messaging
 * and --git `git`, joined by a `---` rule as the reference joins them.
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
}

const SECTIONS = ['submission', 'coop', 'git'] as const
const SEPARATOR = '\n\n---\n\n'

/** Reads and checks a template file: the three parts, nothing else, every field known. Errors name the file. */
export async function loadReferencePromptTemplate(path: string): Promise<ReferencePromptTemplate> {
  let bytes: Buffer
  try {
    bytes = await readFile(resolve(path))
  } catch (error) {
    throw templateError(path, `cannot be read (${errorMessage(error)})`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    throw templateError(path, `is not JSON (${errorMessage(error)})`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw templateError(path, 'must hold a JSON object')
  const object = parsed as Record<string, unknown>
  const unknown = Object.keys(object).filter((key) => !(SECTIONS as readonly string[]).includes(key))
  if (unknown.length > 0) throw templateError(path, `has unknown keys ${unknown.join(', ')}`)
  for (const key of SECTIONS) if (typeof object[key] !== 'string') throw templateError(path, `needs "${key}" as a string`)
  const template: ReferencePromptTemplate = {
    path,
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    submission: object['submission'] as string,
    coop: object['coop'] as string,
    git: object['git'] as string,
  }
  // Every field is checked now, before any pair starts, with stand-in values.
  for (const key of ['coop', 'git'] as const)
    formatPieces(parsePythonFormat(template[key], `${path} "${key}"`), fieldValues('agent1', ['agent2'], 'team'), `${path} "${key}"`)
  return template
}

/** The instruction the CLI gets, built as the reference builds it for this agent. */
export function renderReferencePrompt(template: ReferencePromptTemplate, input: ReferencePromptInput): string {
  const sections = [input.task, template.submission]
  const coop = input.messaging && input.partners.length > 0
  if (coop) {
    const values = fieldValues(input.agentId, input.partners, input.gitRemote ?? 'team')
    sections.push(formatPieces(parsePythonFormat(template.coop, `${template.path} "coop"`), values, `${template.path} "coop"`))
    if (input.gitRemote !== null) sections.push(formatPieces(parsePythonFormat(template.git, `${template.path} "git"`), values, `${template.path} "git"`))
  }
  return sections.join(SEPARATOR)
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
