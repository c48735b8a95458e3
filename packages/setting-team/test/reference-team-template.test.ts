import { describe, expect, it } from 'vitest'
import { parseReferenceTeamTemplate } from '../src/agent/reference-team-template.js'

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
})
