import { applyPlugin, PluginRegistry } from '@cooperbench/core'
import { isCooperbenchError } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { describe, expect, it } from 'vitest'
import plugin from '../src/register.js'

async function registry(): Promise<PluginRegistry> {
  const registry = new PluginRegistry()
  await applyPlugin(registry, plugin.plugin)
  return registry
}

describe('the cooperbench-setting-plan-execute plugin', () => {
  it('registers setting plan-execute (also upstream’s plan_execute) with its package version, core range and option', async () => {
    const r = await registry()
    expect(r.get('setting', 'plan-execute')).toMatchObject({
      specificationVersion: 'setting-v1',
      aliases: ['plan_execute'],
      spellings: { withFeature: { flag: 'plan-execute-with-feature' } },
      plugin: { name: 'cooperbench-setting-plan-execute', version: '0.1.0', coreRange: '^0.1.0' },
    })
    const setting = await r.create('setting', 'plan_execute', { options: {}, logger: silentLogger })
    expect(setting).toMatchObject({ specificationVersion: 'setting-v1', name: 'plan-execute' })
    expect(setting.shape({ messaging: true, git: false, features: 2 }).record).toEqual({ executors_see_feature: false })
  })

  it('refuses an unknown option, naming it and the one meant', async () => {
    const error = await (await registry()).create('setting', 'plan-execute', { options: { withFeatures: true }, logger: silentLogger }).catch((e: unknown) => e)
    if (!isCooperbenchError(error)) throw new Error(`expected a CooperbenchError, got ${String(error)}`)
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.details).toEqual([expect.stringMatching(/withFeatures.*unknown key.*did you mean "withFeature"/)])
  })
})
