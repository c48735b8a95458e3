import { MemoryBus } from '@cooperbench/builtins'
import { diffFingerprints, settingOptionsFor } from '@cooperbench/config'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempFolderOfThisFile } from '../../../scripts/test/after-every.js'
import { teamFeaturesOf, teamOptionsOf } from '../src/options.js'
import { teamSetting } from '../src/team-setting.js'
import { plannedRun, teamRegistry } from './support/registry.js'

const ALL_ON = { taskList: true, scratchpad: true, mcp: true, autoRefresh: true, protocol: true, taskCommands: true }
const preflight = {
  backend: { name: 'local', capabilities: { isolation: 'none' as const, network: true, snapshots: false, sharedFolders: true } },
  agent: { name: 'oracle', collaborates: true },
  optionSource: String,
}

describe('the team features in the configuration', () => {
  it('are all on by default, and named as upstream names them in records', async () => {
    const registry = await teamRegistry()
    expect(registry.validateOptions('setting', 'team', {})).toEqual(ALL_ON)
    expect(teamFeaturesOf(teamOptionsOf({ autoRefresh: false }))).toEqual({ task_list: true, scratchpad: true, mcp: true, auto_refresh: false, protocol: true })
  })

  it('merge key by key across layers: a flag switching one off keeps the file switching another off', async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    const { plan } = await plannedRun(
      await teamRegistry(),
      cwd,
      { settings: { team: { scratchpad: false } } },
      { setting: 'team', settings: { team: { mcp: false } } },
    )
    expect(plan.settingOptions).toEqual({ ...ALL_ON, scratchpad: false, mcp: false })
  })

  it('COOPERBENCH_TEAM_OFF lists the features off by their flag names; an unknown name is refused naming the variable', async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    const registry = await teamRegistry()
    const { settings } = await plannedRun(registry, cwd, { setting: 'team' })
    const fromEnv = (value: string) =>
      settingOptionsFor({ ...settings, env: { COOPERBENCH_TEAM_OFF: value } }, registry.get('setting', 'team'), registry.list('setting'))
    expect(fromEnv('task-list, auto-refresh').options).toEqual({ taskList: false, autoRefresh: false })
    expect(() => fromEnv('task-list,chat')).toThrow(/invalid options of setting team in the environment/)
    expect(() => fromEnv('task-list,chat')).toThrow(
      expect.objectContaining({ details: [expect.stringMatching(/^COOPERBENCH_TEAM_OFF: unknown switch "chat"/)] }),
    )
  })

  it('a feature switched off outside the team setting, or a team under cooperbench-0.0.14, is a usage error with a hint', async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    const registry = await teamRegistry()
    await expect(plannedRun(registry, cwd, { setting: 'coop', settings: { team: { mcp: false } } })).rejects.toThrow(
      expect.objectContaining({ code: 'USAGE', message: expect.stringContaining('--team-no-mcp') }),
    )
    const team = (options = {}) => teamSetting(teamOptionsOf(options))
    const bus = new MemoryBus()
    expect(() => team().preflight!({ ...preflight, bus, policy: 'cooperbench-0.0.14' })).toThrow(expect.objectContaining({ code: 'USAGE' }))
    expect(() => team({ mcp: false, protocol: false }).preflight!({ ...preflight, bus, policy: 'cooperbench-0.0.16' })).not.toThrow()
    await expect(plannedRun(registry, cwd, { setting: 'coop' })).resolves.toBeDefined()
  })
})

describe('the team setting in the fingerprint and the run name', () => {
  it('a team run records its features; each ablation is another configuration; coop and solo fingerprints do not change', async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    const registry = await teamRegistry()
    const all = (await plannedRun(registry, cwd, { setting: 'team' })).plan.fingerprint
    expect(all.value).toMatchObject({ setting: 'team', messaging_enabled: true, evaluation_policy: 'cooperbench-0.0.16' })
    expect(all.value.team_features).toEqual({ task_list: true, scratchpad: true, mcp: true, auto_refresh: true, protocol: true })
    const noMcp = (await plannedRun(registry, cwd, { setting: 'team', settings: { team: { mcp: false } } })).plan.fingerprint
    expect(noMcp.hash).not.toBe(all.hash)
    expect(diffFingerprints(all.value, noMcp.value)).toEqual(['team_features.mcp: true → false'])
    // The team's keys are not a coop or solo configuration's to record.
    expect((await plannedRun(registry, cwd, { setting: 'coop' })).plan.fingerprint.value).not.toHaveProperty('team_features')
  })

  it('the bus counts for a team that shares a task list even without messaging', async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    const registry = await teamRegistry()
    const redis = (await plannedRun(registry, cwd, { setting: 'team', messagingEnabled: false, bus: 'redis' })).plan.fingerprint.value
    expect(redis.bus).toBe('redis')
    // Upstream's --team-no-task-list keeps the list behind the commands and the summary: the bus still counts.
    const upstreamArm = { settings: { team: { taskList: false } } }
    expect((await plannedRun(registry, cwd, { setting: 'team', messagingEnabled: false, bus: 'redis', ...upstreamArm })).plan.fingerprint.value.bus).toBe(
      'redis',
    )
    const none = { settings: { team: { taskCommands: false } } }
    const neither = (await plannedRun(registry, cwd, { setting: 'team', messagingEnabled: false, bus: 'redis', ...none })).plan.fingerprint.value
    expect(neither).not.toHaveProperty('bus')
  })

  it("upstream's task-list arm and the removal of any task list are two configurations, recorded apart", async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    const registry = await teamRegistry()
    const plan = async (team: Record<string, boolean>) => (await plannedRun(registry, cwd, { setting: 'team', settings: { team } })).plan
    const upstream = await plan({ taskList: false })
    const none = await plan({ taskCommands: false })
    // Upstream's record: only the seeding is off; the protocol stays on, as upstream recorded it.
    expect(upstream.fingerprint.value.team_features).toEqual({ task_list: false, scratchpad: true, mcp: true, auto_refresh: true, protocol: true })
    expect(none.fingerprint.value.team_features).toEqual({
      task_list: false,
      scratchpad: true,
      mcp: true,
      auto_refresh: false,
      protocol: false,
      task_commands: false,
    })
    expect(diffFingerprints(upstream.fingerprint.value, none.fingerprint.value)).toEqual([
      'team_features.auto_refresh: true → false',
      'team_features.protocol: true → false',
      'team_features.task_commands: (absent) → false',
    ])
    expect([upstream.runName, none.runName]).toEqual(['team-or-no-task-list', 'team-or-no-task-commands'])
  })

  it('names each feature switched off, and says nomsg for a team without messaging', async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    const registry = await teamRegistry()
    const off = { settings: { team: { taskList: false, mcp: false } } }
    const { plan } = await plannedRun(registry, cwd, { setting: 'team', subset: 'demo', messagingEnabled: false, ...off })
    // The oracle's registered shorthand is `or` (the run's name uses it; the setting's words are the same).
    expect(plan.runName).toBe('team-or-nomsg-no-task-list-no-mcp-demo')
    expect((await plannedRun(registry, cwd, { setting: 'coop' })).plan.runName).toBe('coop-or')
  })
})

describe('a team option given outside the team setting is refused naming what the user wrote', () => {
  it('in a config file: its key and the file, not a --team-no-* flag never typed; in the environment: the variable', async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    await writeFile(join(cwd, 'cooperbench.config.json'), JSON.stringify({ setting: 'coop', settings: { team: { mcp: false } } }))
    const registry = await teamRegistry()
    const fromFile = await plannedRun(registry, cwd, {}).catch((error: unknown) => error)
    expect(fromFile).toMatchObject({ code: 'USAGE', message: expect.stringContaining(`settings.team.mcp in ${join(cwd, 'cooperbench.config.json')}`) })
    expect((fromFile as Error).message).not.toContain('--team-no-mcp')
    const { settings } = await plannedRun(registry, await tempFolderOfThisFile('team-config-'), { setting: 'coop' })
    const fromEnv = () => settingOptionsFor({ ...settings, env: { COOPERBENCH_TEAM_OFF: 'mcp' } }, registry.get('setting', 'coop'), registry.list('setting'))
    expect(fromEnv).toThrow(
      expect.objectContaining({ code: 'USAGE', message: 'COOPERBENCH_TEAM_OFF sets an option of the team setting, but the setting is coop' }),
    )
  })
})
