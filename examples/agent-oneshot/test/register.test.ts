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

/** The detail lines of the error `create` rejects with. */
async function refusal(options: Record<string, unknown>): Promise<string[]> {
  const error = await (await registry()).create('agent', 'oneshot', { options, logger: silentLogger }).catch((e: unknown) => e)
  if (!isCooperbenchError(error)) throw new Error(`expected a CooperbenchError, got ${String(error)}`)
  expect(error.code).toBe('CONFIG_INVALID')
  expect(error.message).toBe('invalid options of agent oneshot')
  return error.details
}

describe('the cooperbench-agent-oneshot plugin', () => {
  it('registers agent oneshot with its package version and core range', async () => {
    const r = await registry()
    expect(r.get('agent', 'oneshot')).toMatchObject({
      specificationVersion: 'agent-v1',
      plugin: { name: 'cooperbench-agent-oneshot', version: '0.1.0', coreRange: '^0.1.0' },
    })
    const agent = await r.create('agent', 'oneshot', { options: { attempts: 2 }, logger: silentLogger })
    expect(agent).toMatchObject({ specificationVersion: 'agent-v1', name: 'oneshot' })
  })

  it('refuses bad options with a message naming each option', async () => {
    expect(await refusal({ attempts: 0, temperature: 'hot' })).toEqual([
      'agents.oneshot.temperature: must be number or null',
      'agents.oneshot.attempts: must be >= 1',
    ])
    expect(await refusal({ baseUrl: 'localhost:8000' })).toEqual([expect.stringMatching(/^agents\.oneshot\.baseUrl: must match pattern/)])
  })

  it('refuses an unknown option and suggests the one that was meant', async () => {
    expect(await refusal({ temprature: 0 })).toEqual(['agents.oneshot.temprature: unknown key "temprature" (did you mean "temperature"?)'])
  })

  it('accepts the keys the harness adds from its own flags', async () => {
    const r = await registry()
    expect(r.validateOptions('agent', 'oneshot', { model_base_url: 'http://127.0.0.1:8000/v1', step_limit: 5, cost_limit: 1.5 })).toMatchObject({
      attempts: 3,
      step_limit: 5,
    })
  })

  it('is refused as a whole by a core outside its range', async () => {
    const newer = new PluginRegistry({ coreVersion: '0.2.0' })
    await expect(applyPlugin(newer, plugin.plugin)).rejects.toThrow(/requires @cooperbench\/core \^0\.1\.0, but this is @cooperbench\/core 0\.2\.0/)
    expect(newer.has('agent', 'oneshot')).toBe(false)
  })
})
