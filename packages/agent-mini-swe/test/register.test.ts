import { applyPlugin, PluginRegistry } from '@cooperbench/core'
import { silentLogger } from '@cooperbench/spec'
import { REFERENCE_AGENT_SHORTHANDS } from '@cooperbench/core/config'
import { describe, expect, it } from 'vitest'
import { MiniSweAgent } from '../src/agent/mini-swe-agent.js'
import plugin from '../src/register.js'

describe('the agent-mini-swe plugin', () => {
  it("registers agent mini_swe_agent, reachable as the reference's mini_swe_agent_v2", async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, plugin.plugin)
    const entry = registry.get('agent', 'mini_swe_agent_v2')
    expect(entry).toMatchObject({ name: 'mini_swe_agent', shorthand: 'msa', specificationVersion: 'agent-v1', plugin: { name: '@cooperbench/agent-mini-swe' } })
    expect(REFERENCE_AGENT_SHORTHANDS['mini_swe_agent_v2']).toBe('msa_v2')
  })

  it('creates the agent from validated options', async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, plugin.plugin)
    const agent = await registry.create('agent', 'mini_swe_agent', { options: { agent: { step_limit: 7 } }, logger: silentLogger })
    expect(agent).toBeInstanceOf(MiniSweAgent)
    expect((agent as MiniSweAgent).options.step_limit).toBe(7)
    await expect(registry.create('agent', 'mini_swe_agent', { options: { step_limit: -1 }, logger: silentLogger })).rejects.toThrow(
      /options of agent mini_swe_agent/,
    )
  })
})
