import { CONFIG_DEFAULTS } from '../../src/config/index.js'
import { describe, expect, it } from 'vitest'
import { checkTeamBackend, checkTeamBus, runNeedsBus } from '../../src/runner/team/team-preflight.js'

const plan = (setting: 'coop' | 'solo' | 'team', team: Partial<typeof CONFIG_DEFAULTS.team> = {}, messagingEnabled = true) => ({
  setting,
  team: { ...CONFIG_DEFAULTS.team, ...team },
  bus: 'plain',
  messagingEnabled,
})
const backend = (name: string, sharedFolders?: boolean) => ({
  name,
  capabilities: { isolation: 'container' as const, network: true, snapshots: false, ...(sharedFolders === undefined ? {} : { sharedFolders }) },
})

describe('team preflight', () => {
  it('refuses a team with the scratchpad on a backend that cannot bind host folders (modal, gcp), naming the flag that runs there', () => {
    expect(() => checkTeamBackend(plan('team'), backend('modal'))).toThrow(
      expect.objectContaining({
        code: 'PLUGIN_INCOMPATIBLE',
        message: expect.stringContaining('backend modal'),
        hint: expect.stringContaining('--team-no-scratchpad'),
      }),
    )
    expect(() => checkTeamBackend(plan('team', { scratchpad: false }), backend('modal'))).not.toThrow()
    expect(() => checkTeamBackend(plan('team'), backend('docker', true))).not.toThrow()
    expect(() => checkTeamBackend(plan('coop'), backend('gcp'))).not.toThrow()
  })

  it('refuses a team with a task list on a bus without task lists', () => {
    expect(() => checkTeamBus(plan('team'), {})).toThrow(
      expect.objectContaining({ code: 'PLUGIN_INCOMPATIBLE', hint: expect.stringContaining('--team-no-task-list') }),
    )
    expect(() => checkTeamBus(plan('team', { taskList: false }), {})).not.toThrow()
    expect(() => checkTeamBus(plan('coop'), {})).not.toThrow()
  })

  it('a team needs the bus for its task list even without messaging; coop only to message; solo never', () => {
    expect(runNeedsBus(plan('team', {}, false))).toBe(true)
    expect(runNeedsBus(plan('team', { taskList: false }, false))).toBe(false)
    expect(runNeedsBus(plan('team', { taskList: false }, true))).toBe(true)
    expect(runNeedsBus(plan('coop', {}, false))).toBe(false)
    expect(runNeedsBus(plan('solo'))).toBe(false)
  })
})
