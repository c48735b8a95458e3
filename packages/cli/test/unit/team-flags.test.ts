/**
 * The `--team-no-*` flags of `run` are made from the team features' declaration
 * (`config/declaration.ts`, each feature's `offFlag`) as the other setting flags are.
 */
import { DECLARED_SETTINGS } from '@cooperbench/core/config'
import { Parser } from '@oclif/core'
import { describe, expect, it } from 'vitest'
import Run from '../../src/commands/run.js'
import { declaredFlagSet, FLAGGED_SETTING_IDS } from '../../src/declared-flags.js'

const runFlags = Run.flags as Record<string, { type: string; allowNo?: boolean; helpGroup?: string; description?: string }>
const parseRun = async (argv: string[]) => (await Parser.parse(argv, { flags: Run.flags, strict: true })).flags as Record<string, unknown>
const runSettings = declaredFlagSet(FLAGGED_SETTING_IDS)
const teamFeatures = DECLARED_SETTINGS.filter((setting) => setting.spellings.offFlag !== undefined)

describe('the team flags of run', () => {
  it('are one per team feature, each a switch that only switches its feature off, listed under TEAM', () => {
    expect(teamFeatures.map((setting) => setting.spellings.offFlag)).toEqual([
      'team-no-task-list',
      'team-no-scratchpad',
      'team-no-mcp',
      'team-no-auto-refresh',
      'team-no-protocol',
    ])
    for (const setting of teamFeatures) {
      const flag = runFlags[setting.spellings.offFlag as string]
      expect(setting.path[0]).toBe('team')
      expect(flag).toMatchObject({ type: 'boolean', allowNo: false, helpGroup: 'TEAM', description: setting.spellings.help })
      expect(flag?.description).toMatch(/^Team ablation: run without .+ \(with --setting team\)\.$/)
    }
  })

  it('switch off the features they name, merged into one team key; none given sets nothing', async () => {
    expect(runSettings.settingsFromFlags(await parseRun(['--team-no-mcp', '--team-no-task-list']))).toEqual({ team: { taskList: false, mcp: false } })
    expect(runSettings.settingsFromFlags(await parseRun(['--setting', 'team']))).toEqual({ setting: 'team' })
  })

  it('have no --no- form', async () => {
    await expect(parseRun(['--no-team-no-mcp'])).rejects.toThrow()
  })
})
