import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import { describe, expect, it } from 'vitest'
// @ts-expect-error a build-time script in plain JavaScript
import { FILE_AJV_OPTIONS, fileValidatorsModule } from '../scripts/file-validators-code.mjs'
import { SUBSET_FILE_SCHEMA, TASK_MANIFEST_SCHEMA } from '../src/file-schemas.js'
import { validateSubsetFile, validateTaskManifest } from '../src/file-validators.generated.js'

type Validator = ((data: unknown) => boolean) & { errors?: unknown }

describe("the dataset files' generated validators", () => {
  it('are what the schemas make, byte for byte (`pnpm build && pnpm dataset:validators` rewrites them)', () => {
    const file = readFileSync(new URL('../src/file-validators.generated.ts', import.meta.url), 'utf8')
    expect(file).toBe(fileValidatorsModule())
  })

  it('report the same errors as ajv compiling the schemas now', () => {
    const ajv = new Ajv(FILE_AJV_OPTIONS)
    const cases: Array<[Validator, object, unknown[]]> = [
      [
        validateSubsetFile as Validator,
        SUBSET_FILE_SCHEMA,
        [
          { tasks: [] },
          { tasks: [{ repo: 'r', task_id: '12', pairs: [[1, 2]], groups: null }] },
          { tasks: [{ repo: '', task_id: -1, pairs: [[1], [1.5, 'x', 3]], groups: [[2]] }, 'entry'] },
          { tasks: [{ task_id: '1a' }], description: 3 },
          { tasks: 'all' },
          [],
          null,
        ],
      ],
      [
        validateTaskManifest as Validator,
        TASK_MANIFEST_SCHEMA,
        [{}, { local: { hostTools: ['bash', 'git'] } }, { local: {} }, { local: { hostTools: ['', ' ', 7] } }, { local: 'bash' }, 'x', null],
      ],
    ]
    for (const [generated, schema, inputs] of cases) {
      const compiled = ajv.compile(schema)
      for (const input of inputs) {
        expect(generated(structuredClone(input)), JSON.stringify(input)).toBe(compiled(structuredClone(input)))
        expect(generated.errors ?? null, JSON.stringify(input)).toEqual(compiled.errors ?? null)
      }
    }
  })
})
