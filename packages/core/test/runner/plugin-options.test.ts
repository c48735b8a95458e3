import { PluginRegistry } from '@cooperbench/core'
import { CONFIG_DEFAULTS, type ResolvedConfig } from '@cooperbench/config'
import { describe, expect, it } from 'vitest'
import { agentLimitsFor, agentOptionsFor } from '../../src/runner/plugin-options.js'

const agent = (name: string, optionsSchema?: Record<string, unknown>) => ({
  name,
  specificationVersion: 'agent-v1',
  ...(optionsSchema ? { optionsSchema } : {}),
  create: () => ({
    specificationVersion: 'agent-v1' as const,
    name,
    run: async () => {
      throw new Error('not run')
    },
  }),
})

function registry(): PluginRegistry {
  const r = new PluginRegistry()
  r.register({ name: 'test-plugin', version: '1.0.0' }, {
    kind: 'agent',
    ...agent('closed', { type: 'object', properties: { temperature: { type: 'number' } }, additionalProperties: false }),
  } as never)
  r.register({ name: 'test-plugin', version: '1.0.0' }, {
    kind: 'agent',
    ...agent('declares', { type: 'object', properties: { step_limit: { type: 'integer' }, model_base_url: { type: 'string' } }, additionalProperties: false }),
  } as never)
  r.register({ name: 'test-plugin', version: '1.0.0' }, { kind: 'agent', ...agent('open') } as never)
  return r
}

const config = (agentName: string, extra: Partial<ResolvedConfig> = {}): ResolvedConfig =>
  ({ ...CONFIG_DEFAULTS, agent: agentName, modelBaseUrl: 'http://127.0.0.1:9/v1', agents: { [agentName]: { temperature: 0 } }, ...extra }) as ResolvedConfig

describe('agentOptionsFor', () => {
  it('gives model_base_url only to agents whose schema accepts it, and never the run limits', () => {
    const r = registry()
    expect(agentOptionsFor(r, config('closed'), { options: {} })).toEqual({ temperature: 0 })
    expect(agentOptionsFor(r, config('declares'), { options: {} })).toEqual({ temperature: 0, model_base_url: 'http://127.0.0.1:9/v1' })
    expect(agentOptionsFor(r, config('open'), { options: {} })).toEqual({ temperature: 0, model_base_url: 'http://127.0.0.1:9/v1' })
  })

  it('puts the --agent-config file over the config file', () => {
    const r = registry()
    const options = agentOptionsFor(r, config('open', { modelBaseUrl: null }), { options: { temperature: 1 } })
    expect(options).toEqual({ temperature: 1 })
  })

  it('a closed schema then validates: the run is not refused for a flag the agent never asked for', () => {
    const r = registry()
    const options = agentOptionsFor(r, config('closed'), { options: {} })
    expect(() => r.validateOptions('agent', 'closed', options)).not.toThrow()
    expect(() => r.validateOptions('agent', 'closed', { ...options, step_limit: 5 })).toThrow(/invalid options of agent closed/)
  })
})

describe('agentLimitsFor', () => {
  it("decides each agent's limits once: the run's explicit ones, else what the agent's options ask for, else the run's defaults", () => {
    const c = config('open', { stepLimit: 7, costLimit: 0.5, agentTimeoutSeconds: 900 })
    const own = { steps: 40, costUsd: 0 }
    expect(agentLimitsFor(c, { stepLimit: 'flags', costLimit: 'file' }, own)).toEqual({ steps: 7, costUsd: 0.5, wallClockSeconds: 900 })
    expect(agentLimitsFor(c, { stepLimit: 'default', costLimit: 'default' }, own)).toEqual({ steps: 40, costUsd: 0, wallClockSeconds: 900 })
    expect(agentLimitsFor(c, { stepLimit: 'default', costLimit: 'default' }, { steps: 0 })).toEqual({ steps: 0, costUsd: 0.5, wallClockSeconds: 900 })
    const defaults = config('open')
    expect(agentLimitsFor(defaults, { stepLimit: 'default', costLimit: 'default' })).toEqual({
      steps: defaults.stepLimit,
      costUsd: defaults.costLimit,
      wallClockSeconds: null,
    })
  })
})
