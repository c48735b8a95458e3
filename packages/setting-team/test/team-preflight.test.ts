import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SeatAgent, SettingPreflight } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { tempFolderOfThisFile } from '../../../scripts/test/after-every.js'
import { type TeamOptions, teamOptionsOf } from '../src/options.js'
import { teamSetting } from '../src/team-setting.js'
import { logsBus } from './support/team-pair.js'

const team = (options: Partial<TeamOptions> = {}) => teamSetting(teamOptionsOf(options))
const backend = (name: string, sharedFolders?: boolean) => ({
  name,
  capabilities: { isolation: 'container' as const, network: true, snapshots: false, ...(sharedFolders === undefined ? {} : { sharedFolders }) },
})
const agent = (more: Partial<SeatAgent> = {}): SeatAgent => ({
  role: null,
  name: 'mini_swe_agent',
  model: 'openai/gpt-5',
  promptSource: 'cooperbench-v1',
  collaborates: true,
  ...more,
})
const run = (name: string, sharedFolders?: boolean, bus: SettingPreflight['bus'] = logsBus().bus): SettingPreflight => ({
  backend: backend(name, sharedFolders),
  bus,
  policy: 'cooperbench-0.0.16',
  agents: [agent()],
  optionSource: (key: string) => `the default ${key}`,
})

/** Upstream's team block as a user copies it (three strings), written to a file of its own. */
async function templateFile(): Promise<{ path: string; text: string }> {
  const text = JSON.stringify({
    lead: 'lead {agent_id} {member_list} {_TEAM_LIST_USAGE}',
    member: 'member {agent_id} {lead} {_TEAM_LIST_USAGE}',
    _TEAM_LIST_USAGE: 'usage',
  })
  const path = join(await tempFolderOfThisFile('team-template-'), 'team-prompt.json')
  await writeFile(path, text)
  return { path, text }
}

describe('team preflight', () => {
  it('refuses a team with the scratchpad on a backend that cannot bind host folders (modal, gcp), naming the flag that runs there', () => {
    expect(() => team().preflight!(run('modal'))).toThrow(
      expect.objectContaining({
        code: 'PLUGIN_INCOMPATIBLE',
        message: expect.stringContaining('backend modal'),
        hint: expect.stringContaining('--team-no-scratchpad'),
      }),
    )
    expect(() => team({ scratchpad: false }).preflight!(run('modal'))).not.toThrow()
    expect(() => team().preflight!(run('docker', true))).not.toThrow()
  })

  it('refuses a team with a task list on a bus without shared logs', () => {
    const plain = { name: 'plain' }
    expect(() => team().preflight!(run('local', true, plain))).toThrow(
      expect.objectContaining({
        code: 'PLUGIN_INCOMPATIBLE',
        message: expect.stringContaining('bus plain'),
        hint: expect.stringContaining('--team-no-task-commands'),
      }),
    )
    // Upstream's --team-no-task-list keeps the list (the commands, the summary): only without any list may the bus keep none.
    expect(() => team({ taskList: false }).preflight!(run('local', true, plain))).toThrow(expect.objectContaining({ code: 'PLUGIN_INCOMPATIBLE' }))
    expect(() => team({ taskCommands: false }).preflight!(run('local', true, plain))).not.toThrow()
    expect(() => team({ taskCommands: false }).preflight!(run('local', true, null))).not.toThrow()
  })

  it('refuses a team judged under cooperbench-0.0.14, with the policy that judges teams as hint', () => {
    expect(() => team().preflight!({ ...run('local', true), policy: 'cooperbench-0.0.14' })).toThrow(
      expect.objectContaining({ code: 'USAGE', hint: expect.stringContaining('--policy cooperbench-0.0.16') }),
    )
    expect(() => team({ mcp: false, protocol: false }).preflight!(run('local', true))).not.toThrow()
  })

  it('says once, at the start, that an agent which takes part in no protocol (the oracle) leaves the team unused', async () => {
    const warnings: string[] = []
    const logger = { debug() {}, info() {}, warn: (text: string) => warnings.push(text), error() {} }
    await teamSetting(teamOptionsOf({}), logger).preflight!({ ...run('local', true), agents: [agent({ name: 'oracle', model: null, collaborates: false })] })
    expect(warnings).toEqual(['agent oracle takes part in no team protocol: its runs leave the task list, the scratchpad and the requests unused'])
    await teamSetting(teamOptionsOf({}), logger).preflight!(run('local', true))
    expect(warnings).toHaveLength(1)
  })

  it("refuses an agent following upstream's prompts (a reference- prompt source) without upstream's team block, naming it and the flag", async () => {
    const reference = agent({ role: 'member', name: 'openhands_sdk', promptSource: 'reference-openhands:0.0.16' })
    const setup = { ...run('local', true), agents: [agent(), reference] }
    expect(() => team().preflight!(setup)).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: "agent openhands_sdk follows upstream's prompts (reference-openhands), and this team run has no upstream team block for it",
        hint: expect.stringContaining('--team-prompt-template FILE'),
      }),
    )
    const { path } = await templateFile()
    expect(() => team({ promptTemplate: path }).preflight!(setup)).not.toThrow()
    // An agent with its own prompts needs no template.
    expect(() => team().preflight!(run('local', true))).not.toThrow()
  })

  it("reads the template when the run is planned: a file that is not there or not upstream's block fails before any pair", async () => {
    const dir = await tempFolderOfThisFile('team-template-')
    expect(() => team({ promptTemplate: join(dir, 'missing.json') })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }))
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ lead: 'x' }))
    expect(() => team({ promptTemplate: join(dir, 'bad.json') })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('bad.json') }),
    )
  })
})

describe('the team shape', () => {
  const facts = { messaging: false, git: false, features: 2 }

  it('keeps shared logs on the bus for its task list even without messaging, and none without any list', () => {
    expect(team().shape(facts)).toMatchObject({ peers: true, messaging: true, git: true, logs: true, roles: ['lead', 'member'] })
    expect(team({ taskList: false }).shape(facts)).toMatchObject({ logs: true })
    expect(team({ taskList: false, protocol: false }).shape(facts)).toMatchObject({ logs: true })
    expect(team({ taskList: false, protocol: false, autoRefresh: false }).shape(facts)).toMatchObject({ logs: false })
    expect(team({ taskCommands: false }).shape(facts)).toMatchObject({ logs: false })
    expect(team().shape(facts).agents(3)).toBe(3)
  })

  it('names each feature switched off in the run name, and records the features and the template by its digest', async () => {
    expect(team().shape(facts)).toMatchObject({
      nameParts: [],
      record: { team_features: { task_list: true, scratchpad: true, mcp: true, auto_refresh: true, protocol: true } },
    })
    expect(team({ taskList: false, mcp: false }).shape(facts).nameParts).toEqual(['no-task-list', 'no-mcp'])
    expect(team({ taskCommands: false }).shape(facts).record).toEqual({
      team_features: { task_list: false, scratchpad: true, mcp: true, auto_refresh: false, protocol: false, task_commands: false },
    })
    const { path, text } = await templateFile()
    expect(team({ promptTemplate: path }).shape(facts).record).toMatchObject({
      team_prompt_template: `sha256:${createHash('sha256').update(text).digest('hex')}`,
    })
    expect(team().shape(facts).record).not.toHaveProperty('team_prompt_template')
  })
})
