import { describe, expect, it } from 'vitest'
import type { OptionsSchema } from '@cooperbench/spec'
import { optionsDefaults } from '@cooperbench/spec-utils'
import { PluginRegistry } from '../../src/plugin/registry.js'

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['token'],
  properties: {
    step_limit: { type: 'integer', minimum: 0, default: 100 },
    base_url: { type: ['string', 'null'], default: null },
    mode: { enum: ['fast', 'careful'], default: 'fast' },
    tags: { type: 'array', items: { type: 'string' }, default: ['a'] },
    token: { type: 'string' },
    note: { type: 'string' },
  },
} as const satisfies OptionsSchema

// The type OptionsOf gives is checked by the spec's compiled type test (spec/test/types/options-of.ts).
describe('options declared once as a JSON schema', () => {
  it('gives the defaults, the same the registry fills in when it validates', () => {
    const defaults = optionsDefaults(schema)
    expect(defaults).toEqual({ step_limit: 100, base_url: null, mode: 'fast', tags: ['a'] })
    defaults.tags.push('b')
    expect(optionsDefaults(schema).tags).toEqual(['a'])
    const registry = new PluginRegistry()
    registry.register(
      { name: 'p', version: '1.0.0' },
      { kind: 'agent', name: 'typed', specificationVersion: 'agent-v1', optionsSchema: schema, create: () => ({}) as never },
    )
    expect(registry.validateOptions('agent', 'typed', { token: 'k' })).toEqual({ ...optionsDefaults(schema), token: 'k' })
  })
})
