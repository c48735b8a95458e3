import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempFolderOfThisFile } from '../../../scripts/test/after-every.js'
import { parseReferenceTeamTemplate, readReferenceTeamTemplate, renderReferenceTeamSection } from '../src/briefing/upstream-team-block.js'

const PARTS = { lead: 'lead {agent_id} {member_list} {_TEAM_LIST_USAGE}', member: 'member {agent_id} {lead} {_TEAM_LIST_USAGE}', _TEAM_LIST_USAGE: 'usage' }
const parse = (object: object) => parseReferenceTeamTemplate(Buffer.from(JSON.stringify(object)), 'team-prompt.json')

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
})
