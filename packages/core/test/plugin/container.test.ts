import type { Backend, Evaluator, PairContext, PluginDefinition } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { describe, expect, it } from 'vitest'
import { createRootScope, lifetimeOf, openScope, resolveService, type Scope } from '../../src/plugin/container.js'
import { PluginRegistry } from '../../src/plugin/registry.js'
import { Tokens } from '../../src/plugin/tokens.js'

/** A service the container should dispose: records its name when disposed. */
function disposable(name: string, log: string[]) {
  return { name, dispose: async () => void log.push(name) }
}

const backend = (name: string) => ({ name }) as unknown as Backend
const pairOf = (id: number): PairContext => ({ pair: { features: [id] } as never, dir: `/runs/pair${id}`, runId: null })

/** A run scope under a root whose registry holds `plugin`'s services. */
async function runScopeWith(register: PluginDefinition['register'], services: Array<[symbol, unknown]> = []): Promise<Scope> {
  const registry = new PluginRegistry()
  await registry.applyPlugin({ name: 'fixture-plugin', version: '1.0.0', register })
  expect(registry.failures).toEqual([])
  return openScope(createRootScope({ registry, logger: silentLogger }), 'run', [[Tokens.Backend, backend('run-backend')], ...services] as never)
}

describe('the tsyringe container behind api.service', () => {
  it("resolves a factory's declared deps from the scope it is created for, each from the nearest scope that has it", async () => {
    const seen: string[] = []
    const run = await runScopeWith(
      (api) => {
        api.service({
          token: Tokens.Evaluator,
          scope: 'agent',
          deps: { pair: Tokens.Pair, backend: Tokens.Backend, agent: Tokens.AgentInScope, replaced: Tokens.Evaluator },
          create: ({ deps }) => {
            seen.push(`${deps.agent.agentId} of ${deps.pair.dir} on ${deps.backend.name} over ${deps.replaced.name}`)
            return { ...deps.replaced, name: `${deps.agent.agentId}-evaluator` }
          },
        })
      },
      [[Tokens.Evaluator, { name: 'default' }]],
    )
    for (const id of [1, 2]) {
      const pair = await openScope(run, 'pair', [[Tokens.Pair, pairOf(id)]])
      const agent = await openScope(pair, 'agent', [[Tokens.AgentInScope, { agentId: `agent${id}`, featureIds: [id] }]])
      expect(resolveService(agent, Tokens.Evaluator).name).toBe(`agent${id}-evaluator`)
      expect(resolveService(pair, Tokens.Evaluator).name).toBe('default')
    }
    expect(seen).toEqual(['agent1 of /runs/pair1 on run-backend over default', 'agent2 of /runs/pair2 on run-backend over default'])
  })

  it('creates a service once per scope and shares it with the scopes inside', async () => {
    let created = 0
    const run = await runScopeWith((api) => {
      api.service({
        token: Tokens.Evaluator,
        scope: 'pair',
        deps: { pair: Tokens.Pair },
        create: ({ deps }) => ({ name: `evaluator ${++created} of ${deps.pair.dir}` }) as Evaluator,
      })
    })
    const first = await openScope(run, 'pair', [[Tokens.Pair, pairOf(1)]])
    const second = await openScope(run, 'pair', [[Tokens.Pair, pairOf(2)]])
    const inFirst = resolveService(first, Tokens.Evaluator)
    expect(resolveService(first, Tokens.Evaluator)).toBe(inFirst)
    for (const agentId of ['agent1', 'agent2']) {
      const agent = await openScope(first, 'agent', [[Tokens.AgentInScope, { agentId, featureIds: [1] }]])
      expect(resolveService(agent, Tokens.Evaluator)).toBe(inFirst)
    }
    expect(inFirst.name).toBe('evaluator 1 of /runs/pair1')
    expect(resolveService(second, Tokens.Evaluator).name).toBe('evaluator 2 of /runs/pair2')
    expect(created).toBe(2)
  })

  it('disposes what a scope created, newest first, and nothing of the enclosing scope', async () => {
    const disposed: string[] = []
    const run = await runScopeWith((api) => {
      api.service({ token: Tokens.Backend, scope: 'run', create: () => disposable('run backend', disposed) as unknown as Backend })
      api.service({ token: Tokens.Evaluator, scope: 'pair', create: () => disposable('pair evaluator', disposed) as unknown as Evaluator })
      // Depends on the run's backend and hands it on: the pair did not create it, so it does not dispose it.
      api.service({ token: Tokens.Backend, scope: 'pair', deps: { backend: Tokens.Backend }, create: ({ deps }) => deps.backend })
      api.service({
        token: Tokens.Agent,
        scope: 'pair',
        deps: { evaluator: Tokens.Evaluator },
        create: ({ deps }) => disposable(`pair agent over ${deps.evaluator.name}`, disposed) as never,
      })
    })
    const pair = await openScope(run, 'pair', [[Tokens.Pair, pairOf(1)]])
    lifetimeOf(pair).own('pair sandbox', () => void disposed.push('pair sandbox'))
    expect(resolveService(pair, Tokens.Backend)).toBe(resolveService(run, Tokens.Backend))
    await pair.dispose()
    expect(disposed).toEqual(['pair sandbox', 'pair agent over pair evaluator', 'pair evaluator'])
    await run.dispose()
    expect(disposed).toEqual(['pair sandbox', 'pair agent over pair evaluator', 'pair evaluator', 'run backend'])
  })

  it('gives each scope its own Lifetime, created and disposed by the container', async () => {
    const root = createRootScope({ registry: new PluginRegistry(), logger: silentLogger })
    const run = root.createChildContainer()
    const pair = run.createChildContainer()
    expect(lifetimeOf(run)).toBe(lifetimeOf(run))
    expect(new Set([lifetimeOf(root), lifetimeOf(run), lifetimeOf(pair)]).size).toBe(3)
    await pair.dispose()
    expect(lifetimeOf(run).disposed).toBe(false)
  })

  it('a plugin declares deps as plain tokens (no decorators); a missing one fails the scope naming the plugin', async () => {
    const run = await runScopeWith((api) => {
      api.service({ token: Tokens.Agent, scope: 'pair', deps: { bus: Tokens.Bus }, create: ({ deps }) => ({ name: `on ${String(deps.bus)}` }) as never })
    })
    await expect(openScope(run, 'pair', [[Tokens.Pair, pairOf(1)]])).rejects.toMatchObject({
      code: 'PLUGIN_FAILED',
      message: expect.stringMatching(/plugin fixture-plugin: its pair service cooperbench\.agent failed: no cooperbench\.bus service/),
    })
    const registry = new PluginRegistry()
    await expect(
      registry.applyPlugin({
        name: 'bad-deps',
        version: '1.0.0',
        register: (api) => api.service({ token: Tokens.Agent, scope: 'run', deps: { bus: 'bus' } as never, create: () => ({}) as never }),
      }),
    ).rejects.toThrow(/deps that are not tokens/)
  })
})
