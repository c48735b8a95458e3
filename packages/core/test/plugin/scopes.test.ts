import { describe, expect, it } from 'vitest'
import { createRootScope, lifetimeOf, resolveAllServices, resolveService } from '../../src/plugin/container.js'
import { PluginRegistry } from '../../src/plugin/registry.js'
import { silentLogger } from '@cooperbench/spec-utils'
import { Tokens } from '../../src/plugin/tokens.js'
import type { Sandbox } from '@cooperbench/spec'

function fakeSandbox(id: string, log: string[]): Sandbox {
  let terminated = false
  return {
    id,
    exec: async () => ({ exitCode: 0, stdout: '', stderr: '', timedOut: false, truncated: false, durationMs: 0 }),
    writeFile: async () => {},
    readFile: async () => new Uint8Array(),
    terminate: async () => {
      if (terminated) return
      terminated = true
      log.push(id)
    },
  }
}

describe('scopes', () => {
  it('disposing a pair scope terminates its sandboxes, newest first, and not the run scope’s', async () => {
    const root = createRootScope({ registry: new PluginRegistry(), logger: silentLogger })
    const run = root.createChildContainer()
    const pair = run.createChildContainer()
    const terminated: string[] = []
    lifetimeOf(run).ownSandbox(fakeSandbox('run-sandbox', terminated))
    lifetimeOf(pair).ownSandbox(fakeSandbox('agent1', terminated))
    lifetimeOf(pair).ownSandbox(fakeSandbox('agent2', terminated))
    await pair.dispose()
    expect(terminated).toEqual(['agent2', 'agent1'])
    await run.dispose()
    expect(terminated).toEqual(['agent2', 'agent1', 'run-sandbox'])
  })

  it('a child scope sees the root’s registry but has its own lifetime', () => {
    const registry = new PluginRegistry()
    const root = createRootScope({ registry, logger: silentLogger })
    const child = root.createChildContainer()
    expect(child.resolve(Tokens.Registry)).toBe(registry)
    expect(lifetimeOf(child)).not.toBe(lifetimeOf(root))
  })

  it('a token registered twice resolves to the newest; resolveAll gives the nearest scope’s values, none → []', () => {
    const root = createRootScope({ registry: new PluginRegistry(), logger: silentLogger })
    const run = root.createChildContainer()
    const pair = run.createChildContainer()
    const sink = (name: string) => ({ name }) as never
    run.register(Tokens.ResultsSink, { useValue: sink('first') })
    run.register(Tokens.ResultsSink, { useValue: sink('second') })
    expect(pair.resolve(Tokens.ResultsSink)).toMatchObject({ name: 'second' })
    expect(pair.resolveAll(Tokens.ResultsSink)).toEqual([{ name: 'first' }, { name: 'second' }])
    pair.register(Tokens.ResultsSink, { useValue: sink('pair') })
    expect(pair.resolveAll(Tokens.ResultsSink)).toEqual([{ name: 'pair' }])
    expect(resolveAllServices(root, Tokens.ResultsSink)).toEqual([])
    expect(pair.isRegistered(Tokens.Registry)).toBe(false)
    expect(pair.isRegistered(Tokens.Registry, true)).toBe(true)
    expect(() => resolveService(pair, Tokens.Bus)).toThrow(/no cooperbench.bus service/)
  })

  it('a resource owned after disposal is released at once', async () => {
    const scope = createRootScope({ registry: new PluginRegistry(), logger: silentLogger }).createChildContainer()
    const lifetime = lifetimeOf(scope)
    await scope.dispose()
    const terminated: string[] = []
    lifetime.ownSandbox(fakeSandbox('late', terminated))
    await new Promise((r) => setTimeout(r, 10))
    expect(terminated).toEqual(['late'])
  })

  it('keeps releasing after one release throws, then reports the failure', async () => {
    const scope = createRootScope({ registry: new PluginRegistry(), logger: silentLogger }).createChildContainer()
    const released: string[] = []
    lifetimeOf(scope).own('a', () => void released.push('a'))
    lifetimeOf(scope).own('b', () => {
      throw new Error('stuck')
    })
    await expect(lifetimeOf(scope).dispose()).rejects.toThrow(/failed to release 1/)
    expect(released).toEqual(['a'])
  })
})

describe('services in the runner scopes', () => {
  it('resolve from the nearest scope; plugin services apply per scope level, in order, and may wrap what they replace', async () => {
    const { openScope, resolveService } = await import('../../src/plugin/container.js')
    const registry = new PluginRegistry()
    const plugin = { name: 'p', version: '1.0.0' }
    const seen: string[] = []
    registry.registerServices(plugin, [
      {
        token: Tokens.Evaluator,
        scope: 'pair',
        create: (ctx) => ({ ...ctx.resolve(Tokens.Evaluator), name: `wrapped(${ctx.resolve(Tokens.Evaluator).name})` }),
      },
      { token: Tokens.Evaluator, scope: 'pair', create: (ctx) => ({ ...ctx.resolve(Tokens.Evaluator), name: `twice(${ctx.resolve(Tokens.Evaluator).name})` }) },
      { token: Tokens.Agent, scope: 'agent', create: (ctx) => (seen.push(ctx.resolve(Tokens.AgentInScope).agentId), { name: 'other' }) as never },
    ])
    const root = createRootScope({ registry, logger: silentLogger })
    const run = root.createChildContainer()
    run.register(Tokens.Evaluator, { useValue: { name: 'default' } as never })
    run.register(Tokens.Agent, { useValue: { name: 'configured' } as never })
    const pair = await openScope(run, 'pair', [])
    expect(resolveService(pair, Tokens.Evaluator).name).toBe('twice(wrapped(default))')
    expect(resolveService(run, Tokens.Evaluator).name).toBe('default')
    const agent = await openScope(pair, 'agent', [[Tokens.AgentInScope, { agentId: 'agent2', featureIds: [2] }]])
    expect(resolveService(agent, Tokens.Agent).name).toBe('other')
    expect(resolveService(pair, Tokens.Agent).name).toBe('configured')
    expect(seen).toEqual(['agent2'])
    expect(pair.isRegistered(Tokens.Bus, true)).toBe(false)
    expect(() => resolveService(pair, Tokens.Bus)).toThrow(/no cooperbench\.bus service/)
  })

  it('a failing service fails the scope with PLUGIN_FAILED naming the plugin, and the scope is released', async () => {
    const { openScope } = await import('../../src/plugin/container.js')
    const registry = new PluginRegistry()
    registry.registerServices({ name: 'broken-sink', version: '1.0.0' }, [
      {
        token: Tokens.ResultsSink,
        scope: 'pair',
        create: () => {
          throw new Error('no database')
        },
      },
    ])
    const root = createRootScope({ registry, logger: silentLogger })
    await expect(openScope(root, 'pair', [])).rejects.toMatchObject({ code: 'PLUGIN_FAILED', message: expect.stringContaining('broken-sink') })
  })

  it('refuses malformed service registrations and results sinks of another contract', async () => {
    const { applyPlugin } = await import('../../src/plugin/define-plugin.js')
    const { openScope } = await import('../../src/plugin/container.js')
    const registry = new PluginRegistry()
    await expect(
      applyPlugin(registry, {
        name: 'bad',
        version: '1.0.0',
        register: (api) => api.service({ token: Tokens.Bus, scope: 'team' as never, create: () => ({}) as never }),
      }),
    ).rejects.toMatchObject({ code: 'PLUGIN_FAILED', message: expect.stringContaining('scope "team"') })
    expect(registry.services('run')).toEqual([])
    await applyPlugin(registry, {
      name: 'old-sink',
      version: '1.0.0',
      register: (api) =>
        api.service({ token: Tokens.ResultsSink, scope: 'run', create: () => ({ specificationVersion: 'results-sink-v0', name: 'old' }) as never }),
    })
    const root = createRootScope({ registry, logger: silentLogger })
    await expect(openScope(root, 'run', [])).rejects.toMatchObject({ code: 'PLUGIN_INCOMPATIBLE' })
  })
})
