import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { CooperbenchError, errorMessage } from '@cooperbench/spec'
import type { TeamRole } from '../team-types.js'
import { formatPieces, parsePythonFormat, stringFields } from '@cooperbench/spec-utils/host'

/**
 * The reference's team block (CooperBench 0.0.15–0.0.16 `team_task_section`), from the user's file (we ship none of its
 * text): a JSON object of strings copied from the reference's prompt module:
 * - `lead`: a Python format string with `{agent_id}`, `{member_list}` and `{_TEAM_LIST_USAGE}`;
 * - `member`: one with `{agent_id}`, `{lead}` and `{_TEAM_LIST_USAGE}`;
 * - `_TEAM_LIST_USAGE`: the usage text, used as written;
 * - `wait_for_message` (optional, needed with `mcp` on): the tool as the reference's MCP server's `tools/list` declares it,
 *   which the CLI agents' reference mode serves as is.
 */
export interface ReferenceTeamTemplate {
  /** The file, as given. */
  path: string
  /** `sha256:<hex>` of the file's bytes. */
  digest: string
  lead: string
  member: string
  usage: string
  /** The reference's `wait_for_message` tool declaration, when the file gives it. */
  waitForMessage: Record<string, unknown> | null
}

const KEYS = ['lead', 'member', '_TEAM_LIST_USAGE'] as const

/** The team template file at `path` (relative to the working directory), read and checked as {@link parseReferenceTeamTemplate} checks it. */
export function readReferenceTeamTemplate(path: string): ReferenceTeamTemplate {
  let bytes: Buffer
  try {
    bytes = readFileSync(resolve(path))
  } catch (error) {
    throw new CooperbenchError('CONFIG_INVALID', `the team prompt template ${path} cannot be read (${errorMessage(error)})`, {
      hint: 'settings.team.promptTemplate (--team-prompt-template) is a path, relative to the working directory; see docs/reproducing-the-paper.md#the-team-setting',
    })
  }
  return parseReferenceTeamTemplate(bytes, path)
}

/** Checks a team template file's bytes: the three strings, nothing else, every field known (rendered once with stand-ins). Errors name the file. */
export function parseReferenceTeamTemplate(bytes: Buffer, path: string): ReferenceTeamTemplate {
  const fail = (why: string) =>
    new CooperbenchError('CONFIG_INVALID', `the team prompt template ${path} ${why}`, {
      hint: 'A JSON object with "lead", "member" and "_TEAM_LIST_USAGE" strings copied from the reference\'s team prompt module; see docs/reproducing-the-paper.md#the-team-setting',
    })
  const object = stringFields(bytes, KEYS, fail, ['wait_for_message'])
  const tool = (object as { wait_for_message?: { name?: unknown; inputSchema?: { properties?: Record<string, unknown> } } }).wait_for_message
  if (tool !== undefined && (tool.name !== 'wait_for_message' || tool.inputSchema?.properties?.['timeout_ms'] === undefined)) {
    throw fail('needs "wait_for_message" as the reference\'s tool: an object with name "wait_for_message" and an inputSchema with timeout_ms')
  }
  const template: ReferenceTeamTemplate = {
    path,
    digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    lead: object['lead'],
    member: object['member'],
    usage: object['_TEAM_LIST_USAGE'],
    waitForMessage: tool ?? null,
  }
  renderReferenceTeamSection(template, { agentId: 'agent1', agents: ['agent1', 'agent2'], role: 'lead' })
  renderReferenceTeamSection(template, { agentId: 'agent2', agents: ['agent1', 'agent2'], role: 'member' })
  return template
}

/** One agent's team block as the reference's `team_task_section` computes it ('' for fewer than two; `agents` is lead first). */
export function renderReferenceTeamSection(template: ReferenceTeamTemplate, input: { agentId: string; agents: readonly string[]; role: TeamRole }): string {
  if (input.agents.length < 2) return ''
  const others = input.agents.filter((agent) => agent !== input.agentId)
  const where = `${template.path} "${input.role}"`
  const members = others.map((m) => `\`${m}\``).join(', ')
  const own: Record<string, string> = input.role === 'lead' ? { member_list: members } : { lead: others[0] ?? 'team-lead' }
  return formatPieces(parsePythonFormat(template[input.role], where), { agent_id: input.agentId, ...own, _TEAM_LIST_USAGE: template.usage }, where)
}
