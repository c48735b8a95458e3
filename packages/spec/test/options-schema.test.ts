import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { optionsDefaults, type OptionsSchema } from '../src/contracts/options-schema.js'

const HERE = dirname(fileURLToPath(import.meta.url))

describe('options declared once as a JSON schema', () => {
  it('OptionsOf types flat keys, unions, maps and nested objects as the validated options are', () => {
    const file = join(HERE, 'types/options-of.ts')
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      types: [],
    })
    const problems = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
    expect(problems).toEqual([])
  })

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
