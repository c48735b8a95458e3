import { describe, expect, it } from 'vitest'
import { applyPlugins, definePlugin } from '../../src/plugin/define-plugin.js'
import { PluginRegistry } from '../../src/plugin/registry.js'
import { type Evaluator, isCooperbenchError } from '@cooperbench/spec'
import { MemoryBus } from '@cooperbench/builtins'

const memoryBusPlugin = definePlugin({
  name: 'test-bus-plugin',
  version: '1.0.0',
  register(api) {
    api.bus({ name: 'memory', specificationVersion: 'bus-v1', aliases: ['mem'], create: () => new MemoryBus() })
  },
})

describe('PluginRegistry', () => {
  it('registers through the oclif hook function and creates objects by name or alias', async () => {
    const registry = new PluginRegistry()
    await memoryBusPlugin({ registry })
    const bus = await registry.create('bus', 'mem', { options: {}, logger: console })
    expect(bus.name).toBe('memory')
    expect(registry.list('bus').map((e) => [e.name, e.plugin.name])).toEqual([['memory', 'test-bus-plugin']])
  })

  it('refuses a registration for another contract version, naming both versions', async () => {
    const registry = new PluginRegistry()
    const future = definePlugin({
      name: 'future-agent',
      version: '9.0.0',
      register(api) {
        api.agent({ name: 'x', specificationVersion: 'agent-v7', create: () => ({}) as never })
      },
    })
    const error = await future({ registry }).catch((e: unknown) => e)
    expect(isCooperbenchError(error) && error.code).toBe('PLUGIN_INCOMPATIBLE')
    expect((error as Error).message).toContain('agent-v7')
    expect((error as Error).message).toContain('agent-v1')
  })

  it('skips a plugin that throws while registering and keeps the others', async () => {
    const registry = new PluginRegistry()
    await applyPlugins(registry, [
      {
        name: 'broken',
        version: '0.0.1',
        register: () => {
          throw new Error('boom')
        },
      },
      memoryBusPlugin.plugin,
    ])
    expect(registry.failures).toEqual([{ plugin: 'broken', message: 'boom', code: 'PLUGIN_FAILED', version: '0.0.1' }])
    expect(registry.has('bus', 'memory')).toBe(true)
  })

  it('names what is available when a name is unknown', () => {
    const registry = new PluginRegistry()
    registry.register({ name: 'p', version: '1' }, { kind: 'bus', name: 'memory', specificationVersion: 'bus-v1', create: () => new MemoryBus() })
    expect(() => registry.get('bus', 'kafka')).toThrow(/unknown bus "kafka"/)
    try {
      registry.get('bus', 'kafka')
    } catch (error) {
      expect((error as { hint: string }).hint).toContain('memory')
      expect((error as { hint: string }).hint).not.toMatch(/did you mean/i)
    }
  })

  it('suggests the registered name a typo most likely meant', () => {
    const registry = new PluginRegistry()
    registry.register({ name: 'p', version: '1' }, { kind: 'bus', name: 'memory', specificationVersion: 'bus-v1', create: () => new MemoryBus() })
    expect(() => registry.get('bus', 'memroy')).toThrow(expect.objectContaining({ hint: expect.stringMatching(/^Did you mean "memory"\? Available buses/) }))
  })

  it('rejects the same name from two different plugins', () => {
    const registry = new PluginRegistry()
    const bus = { kind: 'bus' as const, name: 'memory', specificationVersion: 'bus-v1', create: () => new MemoryBus() }
    registry.register({ name: 'a', version: '1' }, bus)
    expect(() => registry.register({ name: 'b', version: '1' }, bus)).toThrow(/registered by both a and b/)
  })

  it("hands an evaluator's factory the registered `default` evaluator as defaultEvaluator, and says where it comes from when none is", async () => {
    const reference: Evaluator = { specificationVersion: 'evaluator-v1', name: 'default', evaluate: async () => ({}) as never }
    let wrapped: Evaluator | undefined
    const wrapper = definePlugin({
      name: 'wrapping-evaluator',
      version: '1.0.0',
      register(api) {
        api.evaluator({
          name: 'wrapper',
          specificationVersion: 'evaluator-v1',
          create: ({ defaultEvaluator }) => {
            wrapped = defaultEvaluator!()
            return { ...wrapped, name: 'wrapper' }
          },
        })
      },
    })
    const referencePlugin = definePlugin({
      name: 'reference-evaluator',
      version: '1.0.0',
      register(api) {
        api.evaluator({ name: 'default', specificationVersion: 'evaluator-v1', create: () => reference })
      },
    })
    const alone = new PluginRegistry()
    await wrapper({ registry: alone })
    const missing = await alone.create('evaluator', 'wrapper', { options: {}, logger: console }).catch((e: unknown) => e)
    expect(isCooperbenchError(missing) && missing.code).toBe('PLUGIN_NOT_FOUND')
    expect(isCooperbenchError(missing) && missing.hint).toContain('@cooperbench/evaluator-default')

    const registry = new PluginRegistry()
    await referencePlugin({ registry })
    await wrapper({ registry })
    expect((await registry.create('evaluator', 'wrapper', { options: {}, logger: console })).name).toBe('wrapper')
    expect(wrapped).toBe(reference)
  })
})
