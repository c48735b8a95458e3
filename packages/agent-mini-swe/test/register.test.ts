import { applyPlugin, PluginRegistry } from '@cooperbench/core'
import { isCooperbenchError } from '@cooperbench/spec'
import { silentLogger } from '@cooperbench/spec-utils'
import { REFERENCE_AGENT_SHORTHANDS } from '@cooperbench/config'
import { describe, expect, it } from 'vitest'
import { readAgentConfig } from '../src/agent/agent-config.js'
import { MiniSweAgent } from '../src/agent/mini-swe-agent.js'
import plugin from '../src/register.js'

async function registry(): Promise<PluginRegistry> {
  const registry = new PluginRegistry()
  await applyPlugin(registry, plugin.plugin)
  return registry
}

/** The detail lines of the CONFIG_INVALID error the host refuses these options with, before the agent exists. */
async function refusal(options: unknown): Promise<string[]> {
  const error = await (await registry())
    .create('agent', 'mini_swe_agent', { options: options as Record<string, unknown>, logger: silentLogger })
    .catch((e: unknown) => e)
  if (!isCooperbenchError(error)) throw new Error(`expected a CooperbenchError, got ${String(error)}`)
  expect(error.code).toBe('CONFIG_INVALID')
  expect(error.message).toBe('invalid options of agent mini_swe_agent')
  return error.details
}

describe('the agent-mini-swe plugin', () => {
  it("registers agent mini_swe_agent, reachable as the reference's mini_swe_agent_v2", async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, plugin.plugin)
    const entry = registry.get('agent', 'mini_swe_agent_v2')
    expect(entry).toMatchObject({
      name: 'mini_swe_agent',
      shorthand: 'msa',
      specificationVersion: 'agent-v1',
      continues: true,
      plugin: { name: '@cooperbench/agent-mini-swe' },
    })
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

describe('one reading of the options per run', () => {
  it('the registration, the factory and the agent share one parse of the options a run hands them', async () => {
    const registry = new PluginRegistry()
    await applyPlugin(registry, plugin.plugin)
    const options = registry.validateOptions('agent', 'mini_swe_agent', { step_limit: 7, compaction: { keep_last: 2 } })
    const config = readAgentConfig(options)
    const agent = (await registry.create('agent', 'mini_swe_agent', { options, logger: silentLogger })) as MiniSweAgent
    expect(agent.options).toBe(config.options)
    // The preflight and every agent read the run's options over the agent's: the same configuration, not parsed again.
    expect(readAgentConfig(options, agent.options)).toBe(config)
    expect(registry.get('agent', 'mini_swe_agent').ownLimits?.(options)).toBe(config.ownLimits)
  })
})

describe('options the host refuses by the schema the plugin declares', () => {
  it('names the key path of every bad value', async () => {
    expect(
      await refusal({
        step_limit: 'many',
        cost_limit: -1,
        compaction: { keep_last: 1.5, enabeld: true },
        agent: { step_limt: 3 },
        config: { model: { temperature: 'hot' } },
      }),
    ).toEqual(
      expect.arrayContaining([
        'agents.mini_swe_agent.step_limit: must be integer',
        'agents.mini_swe_agent.cost_limit: must be >= 0',
        'agents.mini_swe_agent.compaction.keep_last: must be integer',
        'agents.mini_swe_agent.compaction.enabeld: unknown key "enabeld" (did you mean "enabled"?)',
        'agents.mini_swe_agent.agent.step_limt: unknown key "step_limt" (did you mean "step_limit"?)',
        'agents.mini_swe_agent.config.model.temperature: must be number or null',
      ]),
    )
  })

  it("accepts the reference's configuration format (templates, environment, model settings) and still refuses unknown keys", async () => {
    const reference = {
      agent: { system_template: 'You are…', instance_template: '{{task}}', mode: 'confirm', step_limit: 100, cost_limit: 3 },
      environment: { env: { PAGER: 'cat' } },
      model: {
        cost_tracking: 'ignore_errors',
        observation_template: '{{ output.output }}',
        format_error_template: '{{error}}',
        model_kwargs: { drop_params: true },
      },
    }
    const create = async (options: unknown) =>
      (await registry()).create('agent', 'mini_swe_agent', { options: options as Record<string, unknown>, logger: silentLogger })
    await expect(create(reference)).resolves.toMatchObject({ name: 'mini_swe_agent' })
    await expect(create({ config: reference })).resolves.toMatchObject({ name: 'mini_swe_agent' })
    expect(await refusal({ agent: { system_templat: 'x' } })).toEqual([
      'agents.mini_swe_agent.agent.system_templat: unknown key "system_templat" (did you mean "system_template"?)',
    ])
  })

  it('rejects options that are not a mapping', async () => {
    expect(await refusal([1, 2])).toEqual([expect.stringMatching(/^agents\.mini_swe_agent: must be object$/)])
  })
})
