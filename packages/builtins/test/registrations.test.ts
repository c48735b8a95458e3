import type { PluginApi, PluginDefinition, Registration } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { builtinsPlugin, coopSetting, MemoryBus, OracleAgent, soloSetting } from '../src/index.js'
import registerHook from '../src/register.js'

/** What `register` hands the host, kind by kind, without a host. */
async function registrationsOf(definition: PluginDefinition): Promise<Array<Pick<Registration, 'kind' | 'name'> & Record<string, unknown>>> {
  const seen: Array<Pick<Registration, 'kind' | 'name'> & Record<string, unknown>> = []
  const record = (kind: Registration['kind']) => (registration: object) => seen.push({ kind, ...(registration as { name: string }) })
  const api: PluginApi = {
    coreVersion: '0.1.0',
    agent: record('agent'),
    backend: record('backend'),
    bus: record('bus'),
    evaluator: record('evaluator'),
    setting: record('setting'),
    service: () => {
      throw new Error('the builtins provide no service')
    },
  }
  await definition.register(api)
  return seen
}

describe('@cooperbench/builtins', () => {
  it('registers agent oracle (no model, shorthand or), bus memory and settings coop, solo and sequential, nothing else', async () => {
    const registered = await registrationsOf(builtinsPlugin)
    expect(registered.map(({ kind, name }) => `${kind} ${name}`)).toEqual(['agent oracle', 'bus memory', 'setting coop', 'setting solo', 'setting sequential'])
    expect(registered[0]).toMatchObject({ specificationVersion: 'agent-v1', shorthand: 'or', usesModel: false })
    expect(registered[1]).toMatchObject({ specificationVersion: 'bus-v1' })
    for (const setting of registered.slice(2)) expect(setting).toMatchObject({ specificationVersion: 'setting-v1' })
  })

  it('creates objects that carry the name and contract version they are registered under', async () => {
    for (const registration of await registrationsOf(builtinsPlugin)) {
      const created = (registration['create'] as (context: object) => { name: string; specificationVersion: string })({ options: {} })
      if (registration.kind === 'agent') expect(created).toBeInstanceOf(OracleAgent)
      if (registration.kind === 'bus') expect(created).toBeInstanceOf(MemoryBus)
      expect({ name: created.name, specificationVersion: created.specificationVersion }).toEqual({
        name: registration.name,
        specificationVersion: registration['specificationVersion'],
      })
    }
  })

  it('is named after its package, at its version, for hosts of core 0.1', async () => {
    const manifest = (await import('../package.json', { with: { type: 'json' } })).default
    expect(builtinsPlugin).toMatchObject({ name: manifest.name, version: manifest.version, coreRange: '^0.1.0' })
  })

  it('hands its definition to the host through the cooperbench:register hook', async () => {
    const applied: PluginDefinition[] = []
    await registerHook({ registry: { applyPlugin: async (definition) => void applied.push(definition) } })
    expect(applied).toEqual([builtinsPlugin])
    expect(registerHook.plugin).toBe(builtinsPlugin)
  })
})
