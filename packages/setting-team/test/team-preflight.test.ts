import { MemoryBus } from '@cooperbench/builtins'
import { describe, expect, it } from 'vitest'
import { type TeamOptions, teamOptionsOf } from '../src/options.js'
import { teamSetting } from '../src/team-setting.js'
import { teamRegistry } from './support/registry.js'

const team = (off: Partial<TeamOptions> = {}) => teamSetting(teamOptionsOf(off))
const backend = (name: string, sharedFolders?: boolean) => ({
  name,
  capabilities: { isolation: 'container' as const, network: true, snapshots: false, ...(sharedFolders === undefined ? {} : { sharedFolders }) },
})
const run = (name: string, sharedFolders?: boolean, bus: { name: string; openTaskList?: MemoryBus['openTaskList'] } | null = new MemoryBus()) => ({
  backend: backend(name, sharedFolders),
  bus,
  policy: 'cooperbench-0.0.16' as const,
  agent: { name: 'mini_swe_agent', collaborates: true },
  optionSource: (key: string) => `the default ${key}`,
})

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

  it('refuses a team with a task list on a bus without task lists', () => {
    expect(() => team().preflight!(run('local', true, { name: 'plain' }))).toThrow(
      expect.objectContaining({ code: 'PLUGIN_INCOMPATIBLE', hint: expect.stringContaining('--team-no-task-commands') }),
    )
    // Upstream's --team-no-task-list keeps the list (the commands, the summary): only without any list may the bus keep none.
    expect(() => team({ taskList: false }).preflight!(run('local', true, { name: 'plain' }))).toThrow(expect.objectContaining({ code: 'PLUGIN_INCOMPATIBLE' }))
    expect(() => team({ taskCommands: false }).preflight!(run('local', true, { name: 'plain' }))).not.toThrow()
  })

  it('says once, at the start, that an agent which takes part in no protocol (the oracle) leaves the team unused', async () => {
    const warnings: string[] = []
    const logger = { debug() {}, info() {}, warn: (text: string) => warnings.push(text), error() {} }
    await teamSetting(teamOptionsOf({}), logger).preflight!({ ...run('local', true), agent: { name: 'oracle', collaborates: false } })
    expect(warnings).toEqual(['agent oracle takes part in no team protocol: its runs leave the task list, the scratchpad and the requests unused'])
    await teamSetting(teamOptionsOf({}), logger).preflight!(run('local', true))
    expect(warnings).toHaveLength(1)
    // The builtins' oracle declares it; the CLI passes it on (cli/test/e2e/team-setting.test.ts).
    expect((await teamRegistry()).get('agent', 'oracle').collaborates).toBe(false)
  })

  it('a team needs the bus for its task list even without messaging; coop only to message; solo never', async () => {
    const facts = { messaging: false, git: false, features: 2 }
    expect(team().shape(facts)).toMatchObject({ messaging: true, taskLists: true })
    expect(team({ taskList: false }).shape(facts)).toMatchObject({ messaging: true, taskLists: true })
    expect(team({ taskCommands: false }).shape(facts)).toMatchObject({ messaging: true, taskLists: false })
    const registry = await teamRegistry()
    const shapeOf = async (name: string) => (await registry.create('setting', name, { options: {}, logger: undefined as never })).shape(facts)
    expect(await shapeOf('coop')).toMatchObject({ messaging: true })
    expect((await shapeOf('coop')).taskLists).toBeFalsy()
    expect(await shapeOf('solo')).toMatchObject({ messaging: false })
    expect((await shapeOf('solo')).taskLists).toBeFalsy()
  })
})
