// Type checks of OptionsOf, compiled by ../options-schema.test.ts: every line must type-check.
import type { OptionsOf, OptionsSchema } from '../../src/contracts/options-schema.js'

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
type Expect<T extends true> = T

const flat = {
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

const shaped = {
  type: 'object',
  properties: {
    memory: { anyOf: [{ type: 'integer' }, { type: 'string' }], default: '4g' },
    engine: { oneOf: [{ const: 'docker' }, { const: 'podman' }] },
    buildArgs: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
    anything: { type: 'object' },
    compaction: {
      type: 'object',
      default: {},
      properties: { enabled: { type: 'boolean', default: true }, prompt: { type: 'string' } },
    },
  },
} as const satisfies OptionsSchema

export type Checks = [
  Expect<
    Equal<OptionsOf<typeof flat>, { step_limit: number; base_url: string | null; mode: 'fast' | 'careful'; tags: string[]; token: string; note?: string }>
  >,
  Expect<
    Equal<
      OptionsOf<typeof shaped>,
      {
        memory: number | string
        engine?: 'docker' | 'podman'
        buildArgs: Record<string, string>
        anything?: Record<string, unknown>
        compaction: { enabled: boolean; prompt?: string }
      }
    >
  >,
]

// @ts-expect-error a key without a default or `required` may be missing, so it is not a plain string
export const note: string = ({} as OptionsOf<typeof flat>).note
