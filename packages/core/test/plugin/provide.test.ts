import { type Backend, type ResultsSink, token } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { describe, expect, it } from 'vitest'
import { createRootScope, lifetimeOf, openScopeFor } from '../../src/plugin/container.js'
import { allOf, optional, provide, resolveDependencies } from '../../src/plugin/provide.js'
import { PluginRegistry } from '../../src/plugin/registry.js'
import { Tokens } from '../../src/plugin/tokens.js'

const backend = (name: string) => ({ name }) as unknown as Backend
const sink = (name: string) => ({ name }) as unknown as ResultsSink
const Described = token<{ text: string; lifetime: unknown }>('test.described')

describe('provide: services built by the container from their declared deps', () => {
  it('builds once for each scope that resolves it, from what that scope has', () => {
    const run = createRootScope({ registry: new PluginRegistry(), logger: silentLogger }).createChildContainer()
    run.register(Tokens.Backend, { useValue: backend('run-backend') })
    const built: string[] = []
    provide(run, Described, {
      deps: { backend: Tokens.Backend, bus: optional(Tokens.Bus), sinks: allOf(Tokens.ResultsSink), lifetime: Tokens.Lifetime },
      create: ({ backend, bus, sinks, lifetime }) => {
        const text = `${backend.name}, bus ${bus === null ? 'none' : bus.name}, ${sinks.length} sink(s)`
        built.push(text)
        return { text, lifetime }
      },
    })
    const pair = run.createChildContainer()
    pair.register(Tokens.Backend, { useValue: backend('pair-backend') })
    pair.register(Tokens.ResultsSink, { useValue: sink('pair-sink') })
    expect(pair.resolve(Described)).toBe(pair.resolve(Described))
    expect(pair.resolve(Described)).toMatchObject({ text: 'pair-backend, bus none, 1 sink(s)', lifetime: lifetimeOf(pair) })
    expect(run.resolve(Described)).toMatchObject({ text: 'run-backend, bus none, 0 sink(s)', lifetime: lifetimeOf(run) })
    expect(built).toEqual(['pair-backend, bus none, 1 sink(s)', 'run-backend, bus none, 0 sink(s)'])
  })

  it('a missing required dependency is an error naming it', () => {
    const scope = createRootScope({ registry: new PluginRegistry(), logger: silentLogger }).createChildContainer()
    expect(() => resolveDependencies(scope, { backend: Tokens.Backend })).toThrow(/no cooperbench\.backend service/)
  })
})

describe('openScopeFor', () => {
  it('resolves what the caller needs after plugins’ services, and releases the scope when a need is missing', async () => {
    const registry = new PluginRegistry()
    await registry.applyPlugin({
      name: 'wrapping-plugin',
      version: '1.0.0',
      register: (api) =>
        api.service({ token: Tokens.Backend, scope: 'pair', deps: { inner: Tokens.Backend }, create: ({ deps }) => backend(`wrapped(${deps.inner.name})`) }),
    })
    const root = createRootScope({ registry, logger: silentLogger })
    const { scope: run } = await openScopeFor(root, 'run', [[Tokens.Backend, backend('configured')]], {})
    const { services } = await openScopeFor(run, 'pair', [], { backend: Tokens.Backend, bus: optional(Tokens.Bus) })
    expect(services.backend.name).toBe('wrapped(configured)')
    expect(services.bus).toBeNull()
    const released: string[] = []
    await expect(
      openScopeFor(run, 'pair', async (scope) => (lifetimeOf(scope).own('pair resource', () => void released.push('pair resource')), []), { bus: Tokens.Bus }),
    ).rejects.toThrow(/no cooperbench\.bus service/)
    expect(released).toEqual(['pair resource'])
  })
})
