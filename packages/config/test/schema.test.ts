import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { configDeclaration } from '../src/declaration.js'
// @ts-expect-error a build-time script in plain JavaScript
import { configJsonSchema } from '../scripts/config-json-schema.mjs'
// @ts-expect-error a build-time script in plain JavaScript
import { configValidatorModule } from '../scripts/config-validator-code.mjs'
import { createConfigAjv } from '../src/config-ajv.js'
import { validate as generatedValidator } from '../src/schema-validator.generated.js'
import { CONFIG_DEFAULTS, configSchema } from '../src/index.js'

type Property = { default?: unknown; description?: string; properties?: Record<string, Property>; additionalProperties?: unknown }
const properties = (configSchema as { properties: Record<string, Property> }).properties

describe('schema.json', () => {
  it('is what the declaration makes, byte for byte (`pnpm build && pnpm config:schema` rewrites it)', () => {
    const file = readFileSync(new URL('../src/schema.json', import.meta.url), 'utf8')
    expect(file).toBe(`${JSON.stringify(configJsonSchema(), null, 2)}\n`)
  })

  it('has its validator generated from it with the config ajv options, byte for byte (`pnpm config:schema` rewrites it)', () => {
    const file = readFileSync(new URL('../src/schema-validator.generated.ts', import.meta.url), 'utf8')
    expect(file).toBe(configValidatorModule(configSchema))
  })

  it('and its generated validator report the same errors as ajv compiling the schema now', () => {
    const compiled = createConfigAjv({ strict: true, useDefaults: false }).compile(configSchema)
    const configs = [
      {},
      { concurrency: 0, setting: 'duo', runName: '', redisUrl: 'http://x', agents: { a: 1 } },
      { image: { template: 7, nope: true }, features: [1, 'x'], datasetDir: '' },
      { logDir: ['a'], unknownKey: 1, backends: { local: { network: 'yes' } } },
      { runName: 'é'.repeat(3), agent: '\u{1F600}' },
      [],
      null,
    ]
    for (const config of configs) {
      const generated = generatedValidator as unknown as typeof compiled
      expect(generated(structuredClone(config)), JSON.stringify(config)).toBe(compiled(structuredClone(config)))
      expect(generated.errors ?? null, JSON.stringify(config)).toEqual(compiled.errors ?? null)
    }
  })

  it('keeps what ajv checks in plain JSON-schema forms: null as a type, no zod-only bounds', () => {
    expect(properties['redisUrl']).toMatchObject({ type: ['string', 'null'], pattern: '^(redis|rediss|unix)://' })
    expect(properties['concurrency']).toEqual({ default: 30, description: expect.any(String), type: 'integer', minimum: 1 })
    expect(properties['agents']).toEqual({ default: {}, description: expect.any(String), type: 'object', additionalProperties: { type: 'object' } })
  })

  it('and the declaration agree on what a file may hold', () => {
    expect(configDeclaration.safeParse({ concurrency: 0 }).success).toBe(false)
    expect(configDeclaration.safeParse({ image: { template: '{nope}' } }).success).toBe(false)
    expect(configDeclaration.safeParse({ redisUrl: 'redis://x', features: [1, 2], agents: { a: { k: 1 } } }).success).toBe(true)
  })

  it('states the built-in defaults', () => {
    const fromSchema: Record<string, unknown> = {}
    for (const [key, property] of Object.entries(properties)) {
      if (key === '$schema') continue
      fromSchema[key] = property.properties ? Object.fromEntries(Object.entries(property.properties).map(([k, p]) => [k, p.default])) : property.default
    }
    expect(fromSchema).toEqual(CONFIG_DEFAULTS)
  })

  it('describes every key, for editor completion', () => {
    const undescribed = Object.entries(properties)
      .flatMap(([key, p]) => [[key, p] as const, ...Object.entries(p.properties ?? {}).map(([k, q]) => [`${key}.${k}`, q] as const)])
      .filter(([, p]) => !p.description)
      .map(([key]) => key)
    expect(undescribed).toEqual([])
  })

  it('rejects unknown keys at every level it owns', () => {
    expect((configSchema as Property).additionalProperties).toBe(false)
    expect(properties['image']?.additionalProperties).toBe(false)
  })

  it('lists the config keys', () => {
    expect(Object.keys(properties)).toContain('testTimeoutSeconds')
    expect(Object.keys(properties)).toContain('$schema')
  })
})
