/**
 * The team's options as its registration declares them and as the setting reads them. How a run's layers (flags, the
 * environment, a config file) merge them, and the fingerprints and run names they make, are planned by core: see
 * packages/testkit/test/team-setting-planning.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { featuresOffNames, TEAM_OPTION_DECLARATIONS, teamFeaturesOf, teamOptionsOf } from '../src/options.js'
import { teamSettingRegistration } from '../src/team-setting.js'

const ALL_ON = { taskList: true, scratchpad: true, mcp: true, autoRefresh: true, protocol: true, taskCommands: true, promptTemplate: null }

describe('the team options', () => {
  it('are all on by default, without a template, and named as upstream names them in records', () => {
    expect(teamOptionsOf({})).toEqual(ALL_ON)
    expect(teamFeaturesOf(teamOptionsOf({}))).toEqual({ task_list: true, scratchpad: true, mcp: true, auto_refresh: true, protocol: true })
    expect(teamFeaturesOf(teamOptionsOf({ autoRefresh: false }))).toEqual({ task_list: true, scratchpad: true, mcp: true, auto_refresh: false, protocol: true })
    expect(teamOptionsOf({ promptTemplate: 'team.json' }).promptTemplate).toBe('team.json')
  })

  it("switch off with taskCommands every feature that uses a list, recorded as task_commands: false; upstream's arm only the seeding", () => {
    expect(teamFeaturesOf(teamOptionsOf({ taskCommands: false }))).toEqual({
      task_list: false,
      scratchpad: true,
      mcp: true,
      auto_refresh: false,
      protocol: false,
      task_commands: false,
    })
    expect(teamFeaturesOf(teamOptionsOf({ taskList: false }))).toEqual({ task_list: false, scratchpad: true, mcp: true, auto_refresh: true, protocol: true })
  })

  it('name the features off in their order (what a run name says)', () => {
    expect(featuresOffNames(teamOptionsOf({ mcp: false, taskList: false, taskCommands: false }))).toEqual(['task-list', 'mcp', 'task-commands'])
    expect(featuresOffNames(teamOptionsOf({}))).toEqual([])
  })

  it('are declared with a default each, an off flag per feature, the template as a flag and a variable, and COOPERBENCH_TEAM_OFF', () => {
    const { optionsSchema, spellings, offList } = TEAM_OPTION_DECLARATIONS
    expect(Object.fromEntries(Object.entries(optionsSchema.properties).map(([key, schema]) => [key, (schema as { default: unknown }).default]))).toEqual(ALL_ON)
    expect(Object.values(spellings).flatMap((s) => ('offFlag' in s ? [s.offFlag] : []))).toEqual([
      'team-no-task-list',
      'team-no-scratchpad',
      'team-no-mcp',
      'team-no-auto-refresh',
      'team-no-protocol',
      'team-no-task-commands',
    ])
    expect(spellings.promptTemplate).toMatchObject({ flag: 'team-prompt-template', env: 'COOPERBENCH_TEAM_PROMPT_TEMPLATE' })
    expect(offList).toEqual({ env: 'COOPERBENCH_TEAM_OFF', prefix: 'team-no-' })
    expect(teamSettingRegistration).toMatchObject({ name: 'team', specificationVersion: 'setting-v1', optionsSchema, spellings, offList })
  })
})
