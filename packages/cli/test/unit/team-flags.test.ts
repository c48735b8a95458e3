/**
 * The `--team-no-*` flags of `run` are made from the team setting's registration (its
 * `spellings`, each feature's `offFlag`) as every installed setting's flags are (setting-flags.ts).
 * The registry is the CLI's own: the team setting comes with `@cooperbench/builtins`, as its nested
 * oclif plugin (the CLI's package.json names no setting).
 */
import { fileURLToPath } from 'node:url'
import { Config, Parser } from '@oclif/core'
import { describe, expect, it } from 'vitest'
import Run from '../../src/commands/run.js'
import { declaredFlagSet, FLAGGED_KEY_IDS } from '../../src/declared-flags.js'
import { loadRegistry } from '../../src/plugins.js'
import { settingFlagSet, settingOptions } from '../../src/setting-flags.js'

const oclif = await Config.load(fileURLToPath(new URL('../..', import.meta.url)))
const registry = await loadRegistry(oclif)
const teamSet = settingFlagSet(registry, new Set(Object.keys(Run.flags)))
const allFlags = { ...Run.flags, ...teamSet.flags }
const runFlags = allFlags as Record<string, { type: string; allowNo?: boolean; helpGroup?: string; description?: string }>
const parseRun = async (argv: string[]) => (await Parser.parse(argv, { flags: allFlags, strict: true })).flags as Record<string, unknown>
const declaredRunFlags = declaredFlagSet(FLAGGED_KEY_IDS)
const teamFeatures = settingOptions(registry).filter((option) => option.off && option.setting === 'team')

describe('the team flags of run', () => {
  it("come from the team setting, which the CLI loads as a plugin of the builtins'", () => {
    expect(oclif.getPluginsList().find((plugin) => plugin.name === '@cooperbench/setting-team')).toMatchObject({
      type: 'core',
      parent: { name: '@cooperbench/builtins' },
    })
    expect(registry.get('setting', 'team').plugin?.name).toBe('@cooperbench/setting-team')
    expect(registry.failures.filter((failure) => failure.plugin.startsWith('@cooperbench/'))).toEqual([])
  })

  it('are one per team feature, each a switch that only switches its feature off, listed under TEAM', () => {
    expect(teamFeatures.map((option) => option.flag)).toEqual([
      'team-no-task-list',
      'team-no-scratchpad',
      'team-no-mcp',
      'team-no-auto-refresh',
      'team-no-protocol',
      // Ours: without any task list (upstream's --team-no-task-list keeps the commands).
      'team-no-task-commands',
    ])
    for (const option of teamFeatures) {
      const flag = runFlags[option.flag as string]
      expect(option.setting).toBe('team')
      expect(flag).toMatchObject({ type: 'boolean', allowNo: false, helpGroup: 'TEAM', description: option.description })
      expect(flag?.description).toMatch(/^Team ablation: run without .+ \(with --setting team\)\.$/)
    }
  })

  it('switch off the features they name, merged into one team key; none given sets nothing', async () => {
    expect(teamSet.configFromFlags(await parseRun(['--team-no-mcp', '--team-no-task-list']))).toEqual({ team: { taskList: false, mcp: false } })
    const setting = await parseRun(['--setting', 'team'])
    expect(declaredRunFlags.configFromFlags(setting)).toEqual({ setting: 'team' })
    expect(teamSet.configFromFlags(setting)).toBeUndefined()
  })

  it('have no --no- form', async () => {
    await expect(parseRun(['--no-team-no-mcp'])).rejects.toThrow()
  })
})

describe("a setting's boolean option", () => {
  it('has a --no- form whatever its default, to turn off what a config file turns on', async () => {
    expect(teamSet.configFromFlags(await parseRun(['--sequential-hidden-tests']))).toEqual({ sequential: { hiddenTests: true } })
    expect(teamSet.configFromFlags(await parseRun(['--no-sequential-hidden-tests']))).toEqual({ sequential: { hiddenTests: false } })
    // One whose default is on is switched off by its own flag (sequential's guard, which its e2e
    // breaker no longer runs without).
    expect(teamSet.configFromFlags(await parseRun(['--sequential-no-guard']))).toEqual({ sequential: { guard: false } })
  })
})
