import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempFolderOfThisFile } from '../../../scripts/test/after-every.js'
import { parseReferenceTeamTemplate, readReferenceTeamTemplate, renderReferenceTeamSection } from '../src/briefing/upstream-team-block.js'

const PARTS = { lead: 'lead {agent_id} {member_list} {_TEAM_LIST_USAGE}', member: 'member {agent_id} {lead} {_TEAM_LIST_USAGE}', _TEAM_LIST_USAGE: 'usage' }
const parse = (object: object) => parseReferenceTeamTemplate(Buffer.from(JSON.stringify(object)), 'team-prompt.json')

/** Upstream's composition of its team prompts, recorded from its code with markers for its text (see the file's note). */
interface UpstreamTeamCase {
  agents: string[]
  agent_id: string
  team_role: 'lead' | 'member'
  git_enabled: boolean
  team_task_section: string
  python_loop_task: string
  build_team_instruction: string
}
const RECORDED = JSON.parse(readFileSync(new URL('./fixtures/upstream-team-prompt.json', import.meta.url), 'utf8')) as { cases: UpstreamTeamCase[] }
const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0

describe("the reference's team template file", () => {
  it("takes the reference's wait_for_message declaration beside the three parts, as given; without it there is none", () => {
    const tool = { name: 'wait_for_message', description: 'copied', inputSchema: { type: 'object', properties: { timeout_ms: { type: 'integer' } } } }
    expect(parse({ ...PARTS, wait_for_message: tool }).waitForMessage).toEqual(tool)
    expect(parse(PARTS).waitForMessage).toBeNull()
  })

  it('refuses a declaration that is not the tool, naming the file', () => {
    expect(() => parse({ ...PARTS, wait_for_message: { name: 'other' } })).toThrow(/team-prompt.json needs "wait_for_message" as the reference's tool/)
    expect(() => parse({ ...PARTS, wait_for_message: { name: 'wait_for_message', inputSchema: {} } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
    expect(() => parse({ ...PARTS, extra: 'x' })).toThrow(/has unknown keys extra/)
  })

  it('refuses a part with a field the reference does not fill, naming the file and the part', () => {
    expect(() => parse({ ...PARTS, member: 'member {agent_id} {member_list}' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
  })

  it('is read from its path with the digest of its bytes; a file that cannot be read is a configuration error', async () => {
    const dir = await tempFolderOfThisFile('team-template-')
    const path = join(dir, 'team-prompt.json')
    const text = JSON.stringify(PARTS)
    await writeFile(path, text)
    expect(readReferenceTeamTemplate(path)).toMatchObject({ path, digest: `sha256:${createHash('sha256').update(text).digest('hex')}`, usage: 'usage' })
    expect(() => readReferenceTeamTemplate(join(dir, 'missing.json'))).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('missing.json cannot be read') }),
    )
  })

  it("renders the lead's block with every member, a member's with the lead, and nothing for an agent alone (the reference's team_task_section)", () => {
    const template = parse(PARTS)
    const agents = ['agent1', 'agent2', 'agent3']
    expect(renderReferenceTeamSection(template, { agentId: 'agent1', agents, role: 'lead' })).toBe('lead agent1 `agent2`, `agent3` usage')
    expect(renderReferenceTeamSection(template, { agentId: 'agent3', agents, role: 'member' })).toBe('member agent3 agent1 usage')
    expect(renderReferenceTeamSection(template, { agentId: 'agent1', agents: ['agent1'], role: 'lead' })).toBe('')
  })

  it("gives each agent of a team of two or three the block upstream's team_task_section gives it (recorded from upstream's code)", () => {
    const markers = parse({
      lead: '<lead agent_id={agent_id} member_list={member_list}>',
      member: '<member agent_id={agent_id} lead={lead}>',
      _TEAM_LIST_USAGE: '',
    })
    for (const c of RECORDED.cases) {
      const block = renderReferenceTeamSection(markers, { agentId: c.agent_id, agents: c.agents, role: c.team_role })
      expect(block, `${c.agent_id} of ${c.agents.length}`).toBe(c.team_task_section)
    }
  })

  it.skipIf(!hasPython)("renders a part as Python's str.format renders it with upstream's values: braces, quotes, newlines and astral characters", () => {
    const parts = {
      lead: '{{literal}} **{agent_id}** leads {member_list}.\n\n{_TEAM_LIST_USAGE}\n`{{x}}` ☃ 😀 "q"',
      member: 'You are **{agent_id}**; ask {lead} {{now}}.\n{_TEAM_LIST_USAGE}',
      _TEAM_LIST_USAGE: 'coop-task-list {x} }}',
    }
    const template = parse(parts)
    const agents = ['agent1', 'agent2', 'agent3']
    const script = [
      'import json, sys',
      'd = json.load(sys.stdin); p = d["parts"]; u = p["_TEAM_LIST_USAGE"]',
      'members = ["agent2", "agent3"]',
      'lead = p["lead"].format(agent_id="agent1", member_list=", ".join(f"`{m}`" for m in members), _TEAM_LIST_USAGE=u)',
      'member = p["member"].format(agent_id="agent3", lead="agent1", _TEAM_LIST_USAGE=u)',
      'sys.stdout.write(json.dumps([lead, member]))',
    ].join('\n')
    const python = spawnSync('python3', ['-c', script], { input: JSON.stringify({ parts }), encoding: 'utf8' })
    expect(python.status, python.stderr).toBe(0)
    expect([
      renderReferenceTeamSection(template, { agentId: 'agent1', agents, role: 'lead' }),
      renderReferenceTeamSection(template, { agentId: 'agent3', agents, role: 'member' }),
    ]).toEqual(JSON.parse(python.stdout))
  })
})
