import { createHash } from 'node:crypto'
import { CooperbenchError, errorMessage } from '@cooperbench/spec'
import type { TeamRole } from '@cooperbench/spec/team'
import { formatPieces, parsePythonFormat } from './python-format.js'

/**
 * The reference's team block (CooperBench 0.0.15–0.0.16 `team_task_section`: a lead block and a
 * member block, each ending in its task-list usage text), from a file the user supplies: we ship
 * none of the reference's text. The file is a JSON object of three strings, copied from the
 * reference's prompt module as they are written there:
 * - `lead`: the lead block, a Python format string (an f-string there) with the fields
 *   `{agent_id}`, `{member_list}` and `{_TEAM_LIST_USAGE}`;
 * - `member`: the member block, with `{agent_id}`, `{lead}` and `{_TEAM_LIST_USAGE}`;
 * - `_TEAM_LIST_USAGE`: the usage text, used as written (a plain string there).
 * Read by the reference-protocol modes of `mini_swe_agent` (`team_prompt_template` in its
 * reference-format configuration) and of the CLI agents (`team_prompt_template` beside
 * `prompt_template`).
 */
export interface ReferenceTeamTemplate {
  /** The file, as given. */
  path: string
  /** `sha256:<hex>` of the file's bytes. */
  digest: string
  lead: string
  member: string
  usage: string
}

const KEYS = ['lead', 'member', '_TEAM_LIST_USAGE'] as const

/** How the reference joins the sections of an instruction, and a task with its team block. */
export const REFERENCE_SECTION_SEPARATOR = '\n\n---\n\n'

/** Checks a team template file's bytes: the three strings, nothing else, every field known (rendered once with stand-ins). Errors name the file. */
export function parseReferenceTeamTemplate(bytes: Buffer, path: string): ReferenceTeamTemplate {
  const object = stringFields(bytes, KEYS, (why) => templateError(path, why))
  const template: ReferenceTeamTemplate = {
    path,
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    lead: object['lead'],
    member: object['member'],
    usage: object['_TEAM_LIST_USAGE'],
  }
  renderReferenceTeamSection(template, { agentId: 'agent1', agents: ['agent1', 'agent2'], role: 'lead' })
  renderReferenceTeamSection(template, { agentId: 'agent2', agents: ['agent1', 'agent2'], role: 'member' })
  return template
}

/**
 * The team block for one agent, computed as the reference's `team_task_section` computes it: ''
 * for a team of fewer than two; the lead's block with the other agents as `` `agent2`, `agent3` ``;
 * a member's with the first other agent (the lead: `agents` is lead first) as `{lead}`.
 */
export function renderReferenceTeamSection(template: ReferenceTeamTemplate, input: { agentId: string; agents: readonly string[]; role: TeamRole }): string {
  if (input.agents.length < 2) return ''
  const others = input.agents.filter((agent) => agent !== input.agentId)
  const where = `${template.path} "${input.role}"`
  if (input.role === 'lead') {
    const values = { agent_id: input.agentId, member_list: others.map((m) => `\`${m}\``).join(', '), _TEAM_LIST_USAGE: template.usage }
    return formatPieces(parsePythonFormat(template.lead, where), values, where)
  }
  const values = { agent_id: input.agentId, lead: others[0] ?? 'team-lead', _TEAM_LIST_USAGE: template.usage }
  return formatPieces(parsePythonFormat(template.member, where), values, where)
}

/**
 * A template file's bytes as a JSON object whose keys are exactly `keys`, every value a string
 * (the reference's prompt pieces given in a file). `fail` makes the error, from what is wrong.
 */
export function stringFields<K extends string>(bytes: Buffer, keys: readonly K[], fail: (why: string) => Error): Record<K, string> {
  let parsed: unknown
  try {
    parsed = JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    throw fail(`is not JSON (${errorMessage(error)})`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw fail('must hold a JSON object')
  const object = parsed as Record<string, unknown>
  const unknown = Object.keys(object).filter((key) => !(keys as readonly string[]).includes(key))
  if (unknown.length > 0) throw fail(`has unknown keys ${unknown.join(', ')}`)
  for (const key of keys) if (typeof object[key] !== 'string') throw fail(`needs "${key}" as a string`)
  return object as Record<K, string>
}

function templateError(path: string, what: string): CooperbenchError {
  return new CooperbenchError('CONFIG_INVALID', `the team prompt template ${path} ${what}`, {
    hint: 'A JSON object with "lead", "member" and "_TEAM_LIST_USAGE" strings copied from the reference\'s team prompt module; see docs/reproducing-the-paper.md#the-team-setting',
  })
}
