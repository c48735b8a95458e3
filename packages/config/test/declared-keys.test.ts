import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
// @ts-expect-error a build-time script in plain JavaScript
import { declaredKeysModule } from '../scripts/declared-keys-code.mjs'
import { configDeclaration } from '../src/declaration.js'
import { readDeclaredDefaults, readDeclaredKeyFacts } from '../src/declared-key-facts.js'
import { DECLARED_DEFAULTS, DECLARED_KEY_FACTS } from '../src/declared-keys.generated.js'
import { CONFIG_DEFAULTS, CONFIG_ENV_VARIABLES, configFromEnv, DECLARED_KEYS, type DeclaredKey } from '../src/index.js'

/** A value of the setting's kind, as a variable would hold it. A Redis URL is a valid value of every string key. */
function sampleText(setting: DeclaredKey): string {
  switch (setting.kind) {
    case 'integer':
      return String((setting.min ?? 0) + 7)
    case 'number':
      return '2.5'
    case 'enum':
      return setting.options?.at(-1) ?? ''
    case 'list':
      return 'a, b'
    default:
      return 'redis://cache:6379'
  }
}

describe('the settings declared with spellings', () => {
  const withEnv = DECLARED_KEYS.filter((setting) => setting.spellings.env !== undefined)

  it.each(withEnv.map((setting) => [setting.spellings.env, setting.path.join('.'), setting] as const))('%s is read into %s', (variable, _key, setting) => {
    const config = configFromEnv({ [variable as string]: sampleText(setting) }) as Record<string, unknown>
    expect(Object.keys(config)).toEqual([setting.path[0]])
    expect(config[setting.path[0]]).not.toBeUndefined()
  })

  it('the environment map is the declared names, the ones users already set', () => {
    expect(CONFIG_ENV_VARIABLES).toEqual({
      datasetDir: 'COOPERBENCH_DATASET_DIR',
      logDir: 'COOPERBENCH_LOG_DIR',
      setting: 'COOPERBENCH_SETTING',
      agent: 'COOPERBENCH_AGENT',
      modelName: 'COOPERBENCH_MODEL',
      backend: 'COOPERBENCH_BACKEND',
      evaluator: 'COOPERBENCH_EVALUATOR',
      policy: 'COOPERBENCH_POLICY',
      redisUrl: 'COOPERBENCH_REDIS_URL',
      concurrency: 'COOPERBENCH_CONCURRENCY',
      evalConcurrency: 'COOPERBENCH_EVAL_CONCURRENCY',
      modelBaseUrl: 'COOPERBENCH_MODEL_BASE_URL',
      testTimeoutSeconds: 'COOPERBENCH_TEST_TIMEOUT',
      plugins: 'COOPERBENCH_PLUGINS',
    })
  })

  it('names no flag, short flag or variable twice', () => {
    for (const spelling of ['flag', 'char', 'env'] as const) {
      const names = DECLARED_KEYS.map((setting) => setting.spellings[spelling]).filter((name) => name !== undefined)
      expect(new Set(names).size, spelling).toBe(names.length)
    }
  })

  it('reads kinds and bounds from the zod types', () => {
    const byPath = (path: string) => DECLARED_KEYS.find((setting) => setting.path.join('.') === path)
    expect(byPath('concurrency')).toMatchObject({ kind: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, default: 30 })
    expect(byPath('stepLimit')).toMatchObject({ kind: 'integer', min: 0 })
    // Settings are plugins: the key takes any registered name, and the registry checks it.
    expect(byPath('setting')).toMatchObject({ kind: 'string', default: 'coop' })
    expect(byPath('image.template')).toMatchObject({ kind: 'string', spellings: { flag: 'image-template' } })
    expect(byPath('testTimeoutSeconds')?.problem(0)).toBe('must be > 0')
    expect(byPath('costLimit')?.problem(-1)).toBe('must be >= 0')
    expect(byPath('costLimit')?.problem(0)).toBeNull()
  })
})

describe('the declared keys as the CLI loads them (generated, without zod)', () => {
  it('are what the declaration says now, and the generated module is written from it byte for byte (`pnpm config:schema` rewrites it)', () => {
    expect(DECLARED_KEY_FACTS).toEqual(readDeclaredKeyFacts())
    expect(DECLARED_DEFAULTS).toEqual(readDeclaredDefaults())
    expect(CONFIG_DEFAULTS).toEqual(readDeclaredDefaults())
    const file = readFileSync(new URL('../src/declared-keys.generated.ts', import.meta.url), 'utf8')
    expect(file).toBe(declaredKeysModule())
  })

  it("refuse a number exactly where the declaration's zod type does", () => {
    const numeric = DECLARED_KEYS.filter((setting) => setting.kind === 'number' || setting.kind === 'integer')
    expect(numeric.length).toBeGreaterThan(3)
    for (const setting of numeric) {
      const [key, child] = setting.path
      const outer = configDeclaration.shape[key as keyof typeof configDeclaration.shape] as unknown as z.ZodType & { shape?: Record<string, z.ZodType> }
      const schema = child === undefined ? outer : (outer.shape?.[child] as z.ZodType)
      for (const value of [-1, 0, 0.5, 1, 2, 599.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2]) {
        if (setting.kind === 'integer' && !Number.isInteger(value)) continue
        expect(setting.problem(value) === null, `${setting.path.join('.')} = ${value}`).toBe(schema.safeParse(value).success)
      }
    }
  })
})
