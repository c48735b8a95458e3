import { describe, expect, it } from 'vitest'
import {
  autoRunName,
  CONFIG_DEFAULTS,
  checkTeamSettings,
  configFingerprint,
  configFromEnv,
  diffFingerprints,
  type ResolvedConfig,
  resolveConfig,
  teamFeaturesOf,
  teamFeaturesOff,
} from '../../src/config/index.js'
import { tempFolderOfThisFile } from '../../../../scripts/test/after-every.js'

const extra = { agentConfigDigest: null, harnessVersion: '0.1.0', promptProfile: 'reference' }
const config = (overrides: Partial<ResolvedConfig> = {}): ResolvedConfig => ({ ...CONFIG_DEFAULTS, ...overrides })
const team = (off: Partial<ResolvedConfig['team']> = {}): ResolvedConfig['team'] => ({ ...CONFIG_DEFAULTS.team, ...off })

describe('the team features in the configuration', () => {
  it('are all on by default, and named as upstream names them in records', () => {
    expect(CONFIG_DEFAULTS.team).toEqual({ taskList: true, scratchpad: true, mcp: true, autoRefresh: true, protocol: true })
    expect(teamFeaturesOf(team({ autoRefresh: false }))).toEqual({ task_list: true, scratchpad: true, mcp: true, auto_refresh: false, protocol: true })
  })

  it('merge key by key across layers: a flag switching one off keeps the file switching another off', async () => {
    const cwd = await tempFolderOfThisFile('team-config-')
    const { config: resolved } = await resolveConfig({
      cwd,
      env: {},
      inlineConfig: { setting: 'team', team: { mcp: false } },
      flags: { team: { scratchpad: false } },
    })
    expect(resolved.team).toEqual({ taskList: true, scratchpad: false, mcp: false, autoRefresh: true, protocol: true })
  })

  it('COOPERBENCH_TEAM_OFF lists the features off by their flag names; an unknown name is refused naming the variable', () => {
    expect(configFromEnv({ COOPERBENCH_TEAM_OFF: 'task-list, auto-refresh' })).toEqual({ team: { taskList: false, autoRefresh: false } })
    expect(() => configFromEnv({ COOPERBENCH_TEAM_OFF: 'task-list,chat' })).toThrow(/invalid configuration in the environment/)
    expect(teamFeaturesOff('task-list,chat')).toEqual({ unknown: 'chat' })
  })

  it('a feature switched off outside the team setting, or a team under cooperbench-0.0.14, is a usage error with a hint', () => {
    expect(() => checkTeamSettings(config({ setting: 'coop', team: team({ mcp: false }) }))).toThrow(
      expect.objectContaining({ code: 'USAGE', message: expect.stringContaining('--team-no-mcp') }),
    )
    expect(() => checkTeamSettings(config({ setting: 'team', policy: 'cooperbench-0.0.14' }))).toThrow(expect.objectContaining({ code: 'USAGE' }))
    expect(() => checkTeamSettings(config({ setting: 'team', team: team({ mcp: false, protocol: false }) }))).not.toThrow()
    expect(() => checkTeamSettings(config({ setting: 'coop' }))).not.toThrow()
  })
})

describe('the team setting in the fingerprint and the run name', () => {
  it('a team run records its features; each ablation is another configuration; coop and solo fingerprints do not change', () => {
    const all = configFingerprint(config({ setting: 'team' }), extra)
    expect(all.fingerprint).toMatchObject({ setting: 'team', messaging_enabled: true, evaluation_policy: 'cooperbench-0.0.16' })
    expect(all.fingerprint.team_features).toEqual({ task_list: true, scratchpad: true, mcp: true, auto_refresh: true, protocol: true })
    const noMcp = configFingerprint(config({ setting: 'team', team: team({ mcp: false }) }), extra)
    expect(noMcp.hash).not.toBe(all.hash)
    expect(diffFingerprints(all.fingerprint, noMcp.fingerprint)).toEqual(['team_features.mcp: true → false'])
    // The team keys of a coop or solo configuration are not theirs to record.
    expect(configFingerprint(config({ team: team({ mcp: false }) }), extra)).toEqual(configFingerprint(config(), extra))
    expect(configFingerprint(config(), extra).fingerprint).not.toHaveProperty('team_features')
  })

  it('the bus counts for a team that shares a task list even without messaging', () => {
    const redis = configFingerprint(config({ setting: 'team', messagingEnabled: false, bus: 'redis' }), extra).fingerprint
    expect(redis.bus).toBe('redis')
    const neither = configFingerprint(config({ setting: 'team', messagingEnabled: false, bus: 'redis', team: team({ taskList: false }) }), extra).fingerprint
    expect(neither).not.toHaveProperty('bus')
  })

  it('names each feature switched off, and says nomsg for a team without messaging', () => {
    const name = autoRunName({
      setting: 'team',
      agent: 'oracle',
      modelName: null,
      subset: 'demo',
      teamFeaturesOff: ['task-list', 'mcp'],
      messagingEnabled: false,
    })
    expect(name).toBe('team-oracle-nomsg-no-task-list-no-mcp-demo')
    expect(autoRunName({ setting: 'coop', agent: 'oracle', modelName: null, teamFeaturesOff: ['mcp'] })).toBe('coop-oracle')
  })
})
