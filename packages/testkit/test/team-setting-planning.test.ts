/**
 * The team setting as core plans a run of it, beside the builtins, as the CLI's registry has it: its options merged across the
 * layers (flags, `COOPERBENCH_TEAM_OFF`, a config file), refused outside the team, recorded in the fingerprint and named in the
 * run name; its template file; and its session over core's own pair folders (openTestTeam). Moved here from setting-team, which
 * may not depend on core or the builtins (they load it).
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { PluginRegistry } from '@cooperbench/core'
import { planRun } from '@cooperbench/core/runner'
import { type CooperbenchConfig, diffFingerprints, resolveLayeredConfig, settingOptionsFor } from '@cooperbench/config'
import { teamPlugin } from '@cooperbench/setting-team'
import { describe, expect, it } from 'vitest'
import { tempFolderOfThisFile } from '../../../scripts/test/after-every.js'
import { openTestTeam, planningRegistry } from '../src/index.js'

const ALL_ON = { taskList: true, scratchpad: true, mcp: true, autoRefresh: true, protocol: true, taskCommands: true, promptTemplate: null }
const registry = await planningRegistry(teamPlugin)

/** The run planned from flags (a script's options) and a config, as `run()` plans it, in `cwd`. */
async function plannedRun(cwd: string, flags: Record<string, unknown>, config?: CooperbenchConfig, on: PluginRegistry = registry) {
  const settings = await resolveLayeredConfig({ agent: 'oracle', ...flags } as never, config, cwd)
  return { settings, plan: await planRun(on, settings) }
}

/** Upstream's team block as a user copies it, in a file of its own. */
async function templateFile(): Promise<{ path: string; digest: string }> {
  const text = JSON.stringify({
    lead: 'lead {agent_id} {member_list} {_TEAM_LIST_USAGE}',
    member: 'member {agent_id} {lead} {_TEAM_LIST_USAGE}',
    _TEAM_LIST_USAGE: 'usage',
  })
  const path = join(await tempFolderOfThisFile('team-template-'), 'team-prompt.json')
  await writeFile(path, text)
  return { path, digest: `sha256:${createHash('sha256').update(text).digest('hex')}` }
}

describe('the team features in the configuration', () => {
  it('are all on by default, without a template', () => {
    expect(registry.validateOptions('setting', 'team', {})).toEqual(ALL_ON)
  })

  it('merge key by key across layers: a flag switching one off keeps the file switching another off', async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    const { plan } = await plannedRun(cwd, { settings: { team: { scratchpad: false } } }, { setting: 'team', settings: { team: { mcp: false } } })
    expect(plan.settingOptions).toEqual({ ...ALL_ON, scratchpad: false, mcp: false })
  })

  it('COOPERBENCH_TEAM_OFF lists the features off by their flag names; an unknown name is refused naming the variable', async () => {
    const { settings } = await plannedRun(await tempFolderOfThisFile('team-config-'), { setting: 'team' })
    const fromEnv = (env: Record<string, string>) => settingOptionsFor({ ...settings, env }, registry.get('setting', 'team'), registry.list('setting'))
    expect(fromEnv({ COOPERBENCH_TEAM_OFF: 'task-list, auto-refresh' }).options).toEqual({ taskList: false, autoRefresh: false })
    expect(() => fromEnv({ COOPERBENCH_TEAM_OFF: 'task-list,chat' })).toThrow(/invalid options of setting team in the environment/)
    expect(() => fromEnv({ COOPERBENCH_TEAM_OFF: 'task-list,chat' })).toThrow(
      expect.objectContaining({ details: [expect.stringMatching(/^COOPERBENCH_TEAM_OFF: unknown switch "chat"/)] }),
    )
    const template = fromEnv({ COOPERBENCH_TEAM_PROMPT_TEMPLATE: 'team.json' })
    expect(template.options).toEqual({ promptTemplate: 'team.json' })
    expect(template.sourceOf('promptTemplate')).toBe('COOPERBENCH_TEAM_PROMPT_TEMPLATE')
  })

  it('a feature switched off outside the team setting is a usage error naming its flag; coop alone plans', async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    await expect(plannedRun(cwd, { setting: 'coop', settings: { team: { mcp: false } } })).rejects.toThrow(
      expect.objectContaining({ code: 'USAGE', message: expect.stringContaining('--team-no-mcp') }),
    )
    await expect(plannedRun(cwd, { setting: 'coop' })).resolves.toBeDefined()
  })
})

describe('the team setting in the fingerprint and the run name', () => {
  it('a team run records its features; each ablation is another configuration; coop and solo fingerprints do not change', async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    const all = (await plannedRun(cwd, { setting: 'team' })).plan.fingerprint
    expect(all.value).toMatchObject({ setting: 'team', messaging_enabled: true, evaluation_policy: 'cooperbench-0.0.16' })
    expect(all.value.team_features).toEqual({ task_list: true, scratchpad: true, mcp: true, auto_refresh: true, protocol: true })
    expect(all.value).not.toHaveProperty('team_prompt_template')
    const noMcp = (await plannedRun(cwd, { setting: 'team', settings: { team: { mcp: false } } })).plan.fingerprint
    expect(noMcp.hash).not.toBe(all.hash)
    expect(diffFingerprints(all.value, noMcp.value)).toEqual(['team_features.mcp: true → false'])
    // The team's keys are not a coop or solo configuration's to record.
    expect((await plannedRun(cwd, { setting: 'coop' })).plan.fingerprint.value).not.toHaveProperty('team_features')
    expect((await plannedRun(cwd, { setting: 'solo' })).plan.fingerprint.value).not.toHaveProperty('team_features')
  })

  it("records upstream's team template by its digest: another file is another configuration, under the same run name", async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    const { path, digest } = await templateFile()
    const without = (await plannedRun(cwd, { setting: 'team' })).plan
    const { plan } = await plannedRun(cwd, { setting: 'team', settings: { team: { promptTemplate: path } } })
    expect(plan.settingOptions.promptTemplate).toBe(path)
    expect(plan.fingerprint.value.team_prompt_template).toBe(digest)
    expect(diffFingerprints(without.fingerprint.value, plan.fingerprint.value)).toEqual([`team_prompt_template: (absent) → "${digest}"`])
    expect(plan.runName).toBe(without.runName)
  })

  it('refuses a template file that cannot be read, before any pair', async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    await expect(plannedRun(cwd, { setting: 'team', settings: { team: { promptTemplate: join(cwd, 'missing.json') } } })).rejects.toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('missing.json cannot be read') }),
    )
  })

  it('the bus counts for a team that shares a task list even without messaging', async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    const redis = (await plannedRun(cwd, { setting: 'team', messagingEnabled: false, bus: 'redis' })).plan.fingerprint.value
    expect(redis.bus).toBe('redis')
    // Upstream's --team-no-task-list keeps the list behind the commands and the summary: the bus still counts.
    const upstreamArm = { settings: { team: { taskList: false } } }
    expect((await plannedRun(cwd, { setting: 'team', messagingEnabled: false, bus: 'redis', ...upstreamArm })).plan.fingerprint.value.bus).toBe('redis')
    const none = { settings: { team: { taskCommands: false } } }
    const neither = (await plannedRun(cwd, { setting: 'team', messagingEnabled: false, bus: 'redis', ...none })).plan.fingerprint.value
    expect(neither).not.toHaveProperty('bus')
  })

  it("upstream's task-list arm and the removal of any task list are two configurations, recorded apart", async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    const plan = async (team: Record<string, boolean>) => (await plannedRun(cwd, { setting: 'team', settings: { team } })).plan
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
    const off = { settings: { team: { taskList: false, mcp: false } } }
    const { plan } = await plannedRun(cwd, { setting: 'team', subset: 'demo', messagingEnabled: false, ...off })
    // The oracle's registered shorthand is `or` (the run's name uses it; the setting's words are the same).
    expect(plan.runName).toBe('team-or-nomsg-no-task-list-no-mcp-demo')
    expect((await plannedRun(cwd, { setting: 'coop' })).plan.runName).toBe('coop-or')
  })
})

describe('a team option given outside the team setting is refused naming what the user wrote', () => {
  it('in a config file: its key and the file, not a --team-no-* flag never typed; in the environment: the variable', async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    await writeFile(join(cwd, 'cooperbench.config.json'), JSON.stringify({ setting: 'coop', settings: { team: { mcp: false } } }))
    const fromFile = await plannedRun(cwd, {}).catch((error: unknown) => error)
    expect(fromFile).toMatchObject({ code: 'USAGE', message: expect.stringContaining(`settings.team.mcp in ${join(cwd, 'cooperbench.config.json')}`) })
    expect((fromFile as Error).message).not.toContain('--team-no-mcp')
    const { settings } = await plannedRun(await tempFolderOfThisFile('team-config-'), { setting: 'coop' })
    const fromEnv = () => settingOptionsFor({ ...settings, env: { COOPERBENCH_TEAM_OFF: 'mcp' } }, registry.get('setting', 'coop'), registry.list('setting'))
    expect(fromEnv).toThrow(
      expect.objectContaining({ code: 'USAGE', message: 'COOPERBENCH_TEAM_OFF sets an option of the team setting, but the setting is coop' }),
    )
  })
})

describe('the team beside the builtins', () => {
  it('keeps shared logs on the bus even without messaging; coop only messages, solo neither; the oracle takes part in no protocol', async () => {
    const facts = { messaging: false, git: false, features: 2 }
    const shapeOf = async (name: string, options = {}) =>
      (await registry.create('setting', name, { options: registry.validateOptions('setting', name, options), logger: undefined as never })).shape(facts)
    expect(await shapeOf('team')).toMatchObject({ messaging: true, logs: true })
    expect(await shapeOf('team', { taskCommands: false })).toMatchObject({ messaging: true, logs: false })
    expect(await shapeOf('coop')).toMatchObject({ messaging: true })
    expect((await shapeOf('coop')).logs).toBeFalsy()
    expect(await shapeOf('solo')).toMatchObject({ messaging: false })
    expect((await shapeOf('solo')).logs).toBeFalsy()
    // The team's preflight warns of it (setting-team's team-preflight.test.ts); the CLI passes it on.
    expect(registry.get('agent', 'oracle').collaborates).toBe(false)
  })
})

describe("the team's session over core's pair folders (openTestTeam)", () => {
  it('makes the scratchpad writable by every user, copies its files but no link out of it, and clears the list when the pair ends', async () => {
    const team = await openTestTeam()
    try {
      expect(team.scratchpad).not.toBeNull()
      expect((await stat(team.scratchpad!)).mode & 0o777).toBe(0o777)
      expect((await readdir(join(team.scratchpad!, 'tasks'))).length).toBe(2 + 2)
      // An agent's leftovers: a file, and a link out of the scratchpad that must not be followed.
      await writeFile(join(team.scratchpad!, 'PLAN.md'), '# plan\n')
      await symlink('/etc/hostname', join(team.scratchpad!, 'outside'))
      const { metrics } = await team.finish()
      expect(metrics).toMatchObject({ tasks_total: 2, tasks_done: 0, unowned_at_end: 0, time_to_first_claim_seconds: null })
      expect(await readFile(join(team.dir, 'scratchpad', 'PLAN.md'), 'utf8')).toBe('# plan\n')
      expect(existsSync(join(team.dir, 'scratchpad', 'outside'))).toBe(false)
      expect(JSON.parse(await readFile(join(team.dir, 'tasks.json'), 'utf8'))).toHaveLength(2)
    } finally {
      const scratchpad = team.scratchpad!
      const log = await team.bus.openLog(`team:${team.runId}`, 'tasks')
      await team.close()
      // The pair's end deleted the list from the bus and the scratchpad folder.
      expect(existsSync(scratchpad)).toBe(false)
      expect(await log.read().catch(() => [])).toEqual([])
    }
  })
})
