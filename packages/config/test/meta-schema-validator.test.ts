import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
// @ts-expect-error a build-time script in plain JavaScript
import { metaSchemaValidatorModule } from '../scripts/meta-schema-validator-code.mjs'
import { createConfigAjv, PLUGIN_AJV_OPTIONS } from '../src/config-ajv.js'
import { validate as generated } from '../src/meta-schema-validator.generated.js'

type Validator = ((data: unknown) => boolean) & { errors?: unknown }

describe("the generated check of plugins' option schemas", () => {
  it('is what ajv makes of the draft-07 meta-schema with the plugin options, byte for byte (`pnpm config:schema` rewrites it)', () => {
    const file = readFileSync(new URL('../src/meta-schema-validator.generated.ts', import.meta.url), 'utf8')
    expect(file).toBe(metaSchemaValidatorModule())
  })

  it("gives ajv's own verdict and errors, and fills in the same defaults, for valid and invalid schemas", () => {
    const ajv = createConfigAjv(PLUGIN_AJV_OPTIONS)
    const schemas: unknown[] = [
      { type: 'object', properties: { x: { type: 'string', default: 'a', markdownDescription: 'an x' } }, additionalProperties: false },
      { type: ['string', 'null'], enum: ['a', null], pattern: '^a' },
      { type: 'array', items: [{ type: 'integer', minimum: 0 }], additionalItems: false },
      { type: 'strin' },
      { properties: 3, required: 'x', minimum: 'a' },
      { anyOf: [], items: { $ref: 7 }, definitions: { d: { type: 'object', properties: { y: { enum: [] } } } } },
      true,
      false,
      'object',
    ]
    for (const schema of schemas) {
      const ours = structuredClone(schema)
      const theirs = structuredClone(schema)
      const verdict = (generated as unknown as Validator)(ours)
      expect(verdict, JSON.stringify(schema)).toBe(ajv.validateSchema(theirs as object))
      // ajv leaves its last errors in place when it passes a boolean schema without checking it.
      if (!verdict) expect((generated as unknown as Validator).errors, JSON.stringify(schema)).toEqual(ajv.errors)
      expect(ours, JSON.stringify(schema)).toEqual(theirs)
    }
  })
})
