import type { OptionsSchema } from '@cooperbench/spec'
import { describe, expect, it } from 'vitest'
import { optionsDefaults } from '../src/options-defaults.js'

describe('the defaults of options declared once as a JSON schema', () => {
  it('gives the defaults, nested objects with a default filled in below it, each call a fresh copy', () => {
    const schema = {
      type: 'object',
      properties: {
        step_limit: { type: 'integer', default: 100 },
        note: { type: 'string' },
        tags: { type: 'array', items: { type: 'string' }, default: ['a'] },
        model: {
          type: 'object',
          default: { retries: 1 },
          properties: { retries: { type: 'integer', default: 10 }, timeout: { type: 'number', default: 300 }, url: { type: 'string' } },
        },
      },
    } as const satisfies OptionsSchema
    const defaults = optionsDefaults(schema)
    expect(defaults).toEqual({ step_limit: 100, tags: ['a'], model: { retries: 1, timeout: 300 } })
    defaults.tags.push('b')
    defaults.model.timeout = 1
    expect(optionsDefaults(schema)).toEqual({ step_limit: 100, tags: ['a'], model: { retries: 1, timeout: 300 } })
  })
})
