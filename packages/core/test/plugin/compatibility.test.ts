import { describe, expect, it } from 'vitest'
import { silentLogger, emptyAgentResult } from '@cooperbench/spec-utils'
import { isCooperbenchError } from '@cooperbench/spec'
import { applyPlugin, applyPlugins, definePlugin, type PluginDefinition } from '../../src/plugin/define-plugin.js'
import { PluginRegistry } from '../../src/plugin/registry.js'
import { CORE_VERSION } from '../../src/version.js'
import { MemoryBus } from '@cooperbench/builtins'

async function rejection(promise: Promise<unknown>): Promise<Error & { code: string; hint?: string; details: string[] }> {
  try {
    await promise
  } catch (error) {
    return error as Error & { code: string; hint?: string; details: string[] }
  }
  throw new Error('expected a rejection')
}

/** An agent as a plugin that knows nothing of core would write it: plain objects only. */
function plainAgent(name: string) {
  return {
    name,
    specificationVersion: 'agent-v1',
    create: () => ({
      specificationVersion: 'agent-v1' as const,
      name,
      run: async () => emptyAgentResult('Submitted'),
    }),
  }
}

describe('core range', () => {
  it('refuses a plugin built for a future core, naming its range, the core version and the fix, before registering anything', async () => {
    const registry = new PluginRegistry()
    const future = definePlugin({
      name: 'future-plugin',
      version: '3.0.0',
      coreRange: '^9.0.0',
      register(api) {
        api.agent(plainAgent('future'))
      },
    })
    const error = await rejection(future({ registry }))
    expect(isCooperbenchError(error)).toBe(true)
    expect(error.code).toBe('PLUGIN_INCOMPATIBLE')
    expect(error.message).toBe(`plugin future-plugin@3.0.0 requires @cooperbench/core ^9.0.0, but this is @cooperbench/core ${CORE_VERSION}`)
    expect(error.hint).toMatch(/upgrade cooperbench .*\^9\.0\.0.*older future-plugin/)
    expect(registry.has('agent', 'future')).toBe(false)
  })

  it('records the refusal in failures with its code and hint, and keeps loading the others', async () => {
    const registry = new PluginRegistry()
    await applyPlugins(registry, [
      { name: 'future-plugin', version: '3.0.0', coreRange: '^9.0.0', register: (api) => api.agent(plainAgent('future')) },
      { name: 'fine-plugin', version: '1.0.0', coreRange: `^${CORE_VERSION}`, register: (api) => api.agent(plainAgent('fine')) },
    ])
    expect(registry.failures).toEqual([
      {
        plugin: 'future-plugin',
        version: '3.0.0',
        code: 'PLUGIN_INCOMPATIBLE',
        message: expect.stringContaining(`^9.0.0, but this is @cooperbench/core ${CORE_VERSION}`),
        hint: expect.stringContaining('upgrade cooperbench'),
        provides: [{ kind: 'agent', name: 'future' }],
      },
    ])
    expect(registry.list('agent').map((e) => e.name)).toEqual(['fine'])
    expect(registry.plugins).toEqual([{ name: 'fine-plugin', version: '1.0.0', coreRange: `^${CORE_VERSION}` }])
  })

  it('tells to upgrade the plugin when it only supports older cores', async () => {
    const registry = new PluginRegistry({ coreVersion: '2.3.0' })
    const error = await rejection(applyPlugin(registry, { name: 'old-plugin', version: '0.4.0', coreRange: '>=0.1 <0.3', register: () => {} }))
    expect(error.code).toBe('PLUGIN_INCOMPATIBLE')
    expect(error.message).toBe('plugin old-plugin@0.4.0 requires @cooperbench/core >=0.1 <0.3, but this is @cooperbench/core 2.3.0')
    expect(error.hint).toMatch(
      /^old-plugin is older than this cooperbench: upgrade old-plugin to a release that supports core 2\.3\.0, or downgrade cooperbench/,
    )
  })

  it('accepts plugins whose range holds the core version, and plugins without a range', async () => {
    const registry = new PluginRegistry({ coreVersion: '0.2.5' })
    await applyPlugins(registry, [
      { name: 'a', version: '1.0.0', coreRange: '^0.2.0', register: (api) => api.agent(plainAgent('a')) },
      { name: 'b', version: '1.0.0', coreRange: '>=0.1 <0.3', register: (api) => api.agent(plainAgent('b')) },
      { name: 'c', version: '1.0.0', coreRange: '0.1.0 - 0.2 || ^1.0.0', register: (api) => api.agent(plainAgent('c')) },
      { name: 'd', version: '1.0.0', register: (api) => api.agent(plainAgent('d')) },
    ])
    expect(registry.failures).toEqual([])
    expect(registry.list('agent').map((e) => e.name)).toEqual(['a', 'b', 'c', 'd'])
    expect(registry.get('agent', 'a').plugin).toEqual({ name: 'a', version: '1.0.0', coreRange: '^0.2.0' })
    expect(registry.get('agent', 'd').plugin).toEqual({ name: 'd', version: '1.0.0' })
  })

  it('refuses an unreadable range as a broken plugin', async () => {
    const registry = new PluginRegistry()
    const error = await rejection(applyPlugin(registry, { name: 'typo', version: '1.0.0', coreRange: '^^0.1', register: () => {} }))
    expect(error.code).toBe('PLUGIN_FAILED')
    expect(error.message).toContain('invalid coreRange "^^0.1"')
  })

  it('gives register the host core version', async () => {
    const registry = new PluginRegistry({ coreVersion: '0.7.1' })
    let seen = ''
    await applyPlugin(registry, { name: 'p', version: '1.0.0', register: (api) => void (seen = api.coreVersion) })
    expect(seen).toBe('0.7.1')
  })
})

describe('contract versions', () => {
  it('refuses a future contract version, naming both, and adds nothing else from that plugin', async () => {
    const registry = new PluginRegistry()
    await applyPlugins(registry, [
      {
        name: 'half-future',
        version: '2.0.0',
        register(api) {
          api.bus({ name: 'mine', specificationVersion: 'bus-v1', create: () => new MemoryBus() })
          api.agent({ ...plainAgent('next'), specificationVersion: 'agent-v2' })
        },
      },
    ])
    expect(registry.failures).toHaveLength(1)
    expect(registry.failures[0]).toMatchObject({ plugin: 'half-future', code: 'PLUGIN_INCOMPATIBLE' })
    expect(registry.failures[0]!.message).toBe(`agent "next" from half-future@2.0.0 implements agent-v2, but this core (${CORE_VERSION}) speaks agent-v1`)
    expect(registry.failures[0]!.hint).toContain('built for agent-v1')
    expect(registry.has('bus', 'mine')).toBe(false)
    expect(registry.plugins).toEqual([])
  })

  it('adds nothing from a plugin whose register throws after registering', async () => {
    const registry = new PluginRegistry()
    await applyPlugins(registry, [
      {
        name: 'flaky',
        version: '1.0.0',
        register(api) {
          api.agent(plainAgent('early'))
          throw new Error('cannot reach the license server')
        },
      },
    ])
    expect(registry.failures).toEqual([
      { plugin: 'flaky', version: '1.0.0', code: 'PLUGIN_FAILED', message: 'cannot reach the license server', provides: [{ kind: 'agent', name: 'early' }] },
    ])
    expect(registry.has('agent', 'early')).toBe(false)
  })

  it("names the refusal, not an unknown agent, when a run asks for an agent of a refused plugin, with the refusal's hint", async () => {
    const registry = new PluginRegistry()
    await applyPlugins(registry, [
      { name: 'echo-plugin', version: '2.0.0', coreRange: '^9.0.0', register: (api) => api.agent({ ...plainAgent('echo_v2'), aliases: ['echo'] }) },
      {
        name: 'contract-plugin',
        version: '1.0.0',
        register: (api) => api.agent({ ...plainAgent('from_the_future'), specificationVersion: 'agent-v9' as 'agent-v1' }),
      },
    ])
    for (const name of ['echo_v2', 'echo']) {
      const error = await rejection(Promise.resolve().then(() => registry.get('agent', name)))
      expect(error.code).toBe('PLUGIN_INCOMPATIBLE')
      expect(error.message).toBe(
        `agent "${name}" is not available: its plugin echo-plugin@2.0.0 was refused: plugin echo-plugin@2.0.0 requires @cooperbench/core ^9.0.0, but this is @cooperbench/core ${CORE_VERSION}`,
      )
      expect(error.message).not.toContain('unknown agent')
      expect(error.hint).toMatch(/upgrade cooperbench/)
    }
    const contract = await rejection(Promise.resolve().then(() => registry.get('agent', 'from_the_future')))
    expect(contract.message).toMatch(/^agent "from_the_future" is not available: its plugin contract-plugin@1\.0\.0 was refused: .*agent-v9/)
    // A name no refused plugin declared is still unknown.
    expect((await rejection(Promise.resolve().then(() => registry.get('agent', 'nobody')))).message).toBe('unknown agent "nobody"')
  })

  it('refuses an object whose create returns another contract version', async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, {
      name: 'liar',
      version: '1.0.0',
      register: (api) => api.agent({ ...plainAgent('liar'), create: () => ({ ...plainAgent('liar').create(), specificationVersion: 'agent-v9' }) as never }),
    })
    const error = await rejection(registry.create('agent', 'liar', { options: {}, logger: silentLogger }))
    expect(error.code).toBe('PLUGIN_INCOMPATIBLE')
    expect(error.message).toContain('agent-v9')
  })

  it('names what is missing from a malformed plugin or registration', async () => {
    const registry = new PluginRegistry()
    await applyPlugins(registry, [
      { name: 'no-version', register: () => {} } as unknown as PluginDefinition,
      { name: 'no-create', version: '1.0.0', register: (api) => api.agent({ name: 'x', specificationVersion: 'agent-v1' } as never) },
    ])
    expect(registry.failures.map((f) => [f.plugin, f.code, f.message])).toEqual([
      ['no-version', 'PLUGIN_FAILED', 'no-version is not a valid plugin definition (missing: version)'],
      ['no-create', 'PLUGIN_FAILED', 'agent "x" from no-create@1.0.0 has no create function'],
    ])
  })

  it('refuses a name another plugin already claims as an alias', async () => {
    const registry = new PluginRegistry()
    await applyPlugins(registry, [
      { name: 'first', version: '1.0.0', register: (api) => api.agent({ ...plainAgent('alpha'), aliases: ['a'] }) },
      { name: 'second', version: '1.0.0', register: (api) => api.agent(plainAgent('a')) },
    ])
    expect(registry.failures.map((f) => f.message)).toEqual(['agent "a" is registered by both first and second'])
    expect(registry.get('agent', 'a').name).toBe('alpha')
  })
})

describe('a plugin that brings its own copy of core', () => {
  it('works as a plain object without definePlugin, registering plain objects', async () => {
    const registry = new PluginRegistry()
    // What `import plugin from './agents/my-agent.ts'` gives when the module never imports core.
    const definition = {
      name: 'research-agents',
      version: '0.0.1',
      coreRange: '>=0.1.0 <1',
      register: (api: { agent(r: unknown): void }) => api.agent(plainAgent('mine')),
    }
    await applyPlugins(registry, [definition as unknown as PluginDefinition])
    expect(registry.failures).toEqual([])
    const agent = await registry.create('agent', 'mine', { options: {}, logger: silentLogger })
    expect(agent).toMatchObject({ name: 'mine', specificationVersion: 'agent-v1' })
  })

  it('works through the hook of a second copy of core, which the host registry checks with its own version', async () => {
    // A second instance of the plugin module graph: its own CooperbenchError class and definePlugin.
    const copy = (await import('../../../spec/src/plugin.js?second-copy')) as typeof import('@cooperbench/spec')
    const copyErrors = (await import('../../../spec/src/errors.js?second-copy')) as typeof import('@cooperbench/spec')
    const hostErrors = await import('@cooperbench/spec')
    expect(copyErrors.CooperbenchError).not.toBe(hostErrors.CooperbenchError)
    expect(copy.definePlugin).not.toBe(definePlugin)

    const host = new PluginRegistry({ coreVersion: '5.1.0' })
    await copy.definePlugin({ name: 'bundled', version: '1.0.0', coreRange: '^5.0.0', register: (api) => api.agent(plainAgent('bundled')) })({ registry: host })
    expect(host.get('agent', 'bundled').plugin).toEqual({ name: 'bundled', version: '1.0.0', coreRange: '^5.0.0' })

    const refused = await rejection(
      copy.definePlugin({ name: 'bundled-old', version: '1.0.0', coreRange: `^${CORE_VERSION}`, register: (api) => api.agent(plainAgent('old')) })({
        registry: host,
      }),
    )
    expect(isCooperbenchError(refused)).toBe(true)
    expect(refused.code).toBe('PLUGIN_INCOMPATIBLE')
    expect(refused.message).toContain('but this is @cooperbench/core 5.1.0')
  })

  it('reads errors from another copy by duck typing', () => {
    const registry = new PluginRegistry()
    const foreign = Object.assign(new Error('engine gone'), { name: 'CooperbenchError', code: 'BACKEND_UNAVAILABLE', hint: 'start it' })
    registry.recordError('p', foreign)
    expect(registry.failures).toEqual([{ plugin: 'p', message: 'engine gone', code: 'BACKEND_UNAVAILABLE', hint: 'start it' }])
  })
})

describe('options validation', () => {
  const schema = {
    type: 'object',
    additionalProperties: false,
    properties: {
      step_limit: { type: 'integer', minimum: 0 },
      cost_limit: { type: 'number', minimum: 0 },
      retries: { type: 'integer', default: 3 },
      model: { type: 'object', additionalProperties: false, properties: { temperature: { type: 'number', maximum: 2 } } },
    },
  }

  async function registryWith(seen: Array<Record<string, unknown>>) {
    const registry = new PluginRegistry()
    await applyPlugin(registry, {
      name: 'schema-plugin',
      version: '1.0.0',
      register(api) {
        api.agent({
          ...plainAgent('schemed'),
          aliases: ['schemed_v2'],
          optionsSchema: schema,
          create: (context) => {
            seen.push(context.options)
            return plainAgent('schemed').create()
          },
        })
        api.agent({ ...plainAgent('free'), create: (context) => (seen.push(context.options), plainAgent('free').create()) })
        api.backend({
          name: 'box',
          specificationVersion: 'backend-v1',
          optionsSchema: { type: 'object', additionalProperties: false, properties: { root: { type: 'string', minLength: 1 } } },
          create: () => {
            throw new Error('not reached')
          },
        })
      },
    })
    return registry
  }

  it('lists every problem with its place in the config file before the factory runs', async () => {
    const seen: Array<Record<string, unknown>> = []
    const registry = await registryWith(seen)
    const error = await rejection(
      registry.create('agent', 'schemed_v2', { options: { step_limt: 5, cost_limit: 'three', model: { temperature: 7 } }, logger: silentLogger }),
    )
    expect(error.code).toBe('CONFIG_INVALID')
    expect(error.message).toBe('invalid options of agent schemed')
    expect(error.details).toEqual([
      'agents.schemed.step_limt: unknown key "step_limt" (did you mean "step_limit"?)',
      'agents.schemed.cost_limit: must be number',
      'agents.schemed.model.temperature: must be <= 2',
    ])
    expect(error.hint).toBe('Fix these keys in agents.schemed of the config file or in the --agent-config file.')
    expect(seen).toEqual([])

    const backendError = await rejection(registry.create('backend', 'box', { options: { root: '', colour: 'red' }, logger: silentLogger }))
    expect(backendError.details).toEqual(['backends.box.colour: unknown key "colour"', 'backends.box.root: must not be empty'])
    expect(backendError.hint).toBe('Fix these keys in backends.box of the config file.')
  })

  it('passes valid options with the schema defaults to the factory, and options of schema-less objects untouched', async () => {
    const seen: Array<Record<string, unknown>> = []
    const registry = await registryWith(seen)
    const options = { step_limit: 5, cost_limit: 1.5 }
    await registry.create('agent', 'schemed', { options, logger: silentLogger })
    expect(seen[0]).toEqual({ step_limit: 5, cost_limit: 1.5, retries: 3 })
    expect(options).toEqual({ step_limit: 5, cost_limit: 1.5 })
    const anything = { whatever: true }
    await registry.create('agent', 'free', { options: anything, logger: silentLogger })
    expect(seen[1]).toBe(anything)
    expect(registry.validateOptions('agent', 'schemed', { step_limit: 1 })).toEqual({ step_limit: 1, retries: 3 })
  })

  it('reports a value that fits no alternative of an anyOf on one line', async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, {
      name: 'sized',
      version: '1.0.0',
      register: (api) =>
        api.backend({
          name: 'sized',
          specificationVersion: 'backend-v1',
          optionsSchema: {
            type: 'object',
            properties: {
              memory: {
                anyOf: [
                  { type: 'integer', minimum: 1 },
                  { type: 'string', pattern: '^\\d+[kmg]$' },
                ],
              },
              cpus: { type: 'number' },
            },
          },
          create: () => {
            throw new Error('not reached')
          },
        }),
    })
    const error = await rejection(registry.create('backend', 'sized', { options: { memory: 'lots', cpus: 'two' }, logger: silentLogger }))
    expect(error.details).toEqual(['backends.sized.memory: must be integer or must match pattern "^\\d+[kmg]$"', 'backends.sized.cpus: must be number'])
  })
})
