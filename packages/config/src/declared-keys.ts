import type { z } from 'zod'
import { configDeclaration } from './declaration.js'
import type { KeySpellings, SpellingsTrace } from './spellings.js'

/** What a setting's value is, read from its zod type: how a flag or a variable is parsed into it. */
export type KeyKind = 'string' | 'enum' | 'integer' | 'number' | 'boolean' | 'list'

/** A setting with spellings (flag, variable) as the declaration says: what the CLI's flags and `configFromEnv` are made from, restating nothing. */
export interface DeclaredKey {
  /** Where the value goes: `['modelName']`, or `['image', 'namespace']` for a key of an object key. */
  readonly path: readonly [string] | readonly [string, string]
  readonly kind: KeyKind
  /** The allowed values of an `enum`. */
  readonly options?: readonly string[]
  /** Bounds of an `integer`. */
  readonly min?: number
  readonly max?: number
  /** The built-in default (`null`: not set). */
  readonly default: unknown
  readonly description: string
  readonly spellings: KeySpellings
  /** Why `value` is not a value of the setting (`must be > 0`), or null when it is one. */
  readonly problem: (value: unknown) => string | null
}

type Wrapper = z.ZodDefault | z.ZodPrefault | z.ZodNullable | z.ZodOptional

/** The value's own type under `.default()`, `.nullable()` and the like. */
function valueType(schema: z.ZodType): z.ZodType {
  let inner = schema
  while (['default', 'prefault', 'nullable', 'optional'].includes(inner.def.type)) inner = (inner as Wrapper).def.innerType as z.ZodType
  return inner
}

function kindOf(schema: z.ZodType): Pick<DeclaredKey, 'kind' | 'options' | 'min' | 'max'> {
  const inner = valueType(schema)
  switch (inner.def.type) {
    case 'string':
      return { kind: 'string' }
    case 'enum':
      return { kind: 'enum', options: (inner as z.ZodEnum).options.map(String) }
    case 'number': {
      const number = inner as z.ZodNumber
      if (!number.isInt) return { kind: 'number' }
      return { kind: 'integer', min: number.minValue ?? undefined, max: number.maxValue ?? undefined }
    }
    case 'boolean':
      return { kind: 'boolean' }
    case 'array':
      return { kind: 'list' }
    default:
      throw new Error(`a setting of type ${inner.def.type} cannot have spellings: declare how its flag or variable is read`)
  }
}

/** `must be >= 1`, `must be > 0`, or zod's own message: what the schema says of a refused value. */
function problemOf(schema: z.ZodType): (value: unknown) => string | null {
  const inner = valueType(schema)
  return (value) => {
    const result = inner.safeParse(value)
    if (result.success) return null
    const issue = result.error.issues[0]
    if (issue?.code === 'too_small') return `must be ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`
    if (issue?.code === 'too_big') return `must be ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`
    return issue?.message ?? 'is not a valid value'
  }
}

function declaredSetting(path: DeclaredKey['path'], schema: z.ZodType, defaultValue: unknown): DeclaredKey | null {
  const meta = schema.meta() as { description?: string; spellings?: KeySpellings } | undefined
  if (meta?.spellings === undefined) return null
  return { path, ...kindOf(schema), default: defaultValue, description: meta.description ?? '', spellings: meta.spellings, problem: problemOf(schema) }
}

function readDeclaredSettings(): DeclaredKey[] {
  const defaults = configDeclaration.parse({}) as Record<string, unknown>
  const settings: DeclaredKey[] = []
  for (const [key, schema] of Object.entries(configDeclaration.shape) as [string, z.ZodType][]) {
    const own = declaredSetting([key], schema, defaults[key])
    if (own) settings.push(own)
    const inner = valueType(schema)
    if (inner.def.type !== 'object') continue
    // Keys of an object key (`image.namespace`) may have spellings of their own.
    for (const [child, childSchema] of Object.entries((inner as z.ZodObject).shape) as [string, z.ZodType][]) {
      const nested = declaredSetting([key, child], childSchema, (defaults[key] as Record<string, unknown>)[child])
      if (nested) settings.push(nested)
    }
  }
  return settings
}

/** Every setting with spellings, in the declaration's order (keys of an object key after it). */
export const DECLARED_KEYS: readonly DeclaredKey[] = Object.freeze(readDeclaredSettings())

// The same facts at the type level, so that flags made from the declaration are typed by their names.

type Shape = (typeof configDeclaration)['shape']
type ObjectShapeOf<T> = T extends { def: { innerType: { shape: infer S } } } ? S : T extends { shape: infer S } ? S : never
type SpellingsOf<T> = T extends SpellingsTrace<infer S> ? S : never

/** A declared key (`modelName`) or a key of an object key (`image.namespace`). */
export type ConfigKeyId = { [K in keyof Shape & string]: K | `${K}.${keyof ObjectShapeOf<Shape[K]> & string}` }[keyof Shape & string]

type SchemaOf<Id> = Id extends `${infer K extends keyof Shape & string}.${infer C}`
  ? ObjectShapeOf<Shape[K]>[C & keyof ObjectShapeOf<Shape[K]>]
  : Shape[Id & keyof Shape]

/** The flag a setting declares (`'model'` for `modelName`), or its off flag; never when it declares none. */
export type FlagNameOf<Id extends ConfigKeyId> =
  SpellingsOf<SchemaOf<Id>> extends { flag: infer F extends string } ? F : SpellingsOf<SchemaOf<Id>> extends { offFlag: infer F extends string } ? F : never

/** The settings that declare a flag. */
export type FlaggedKeyId = { [Id in ConfigKeyId]: [FlagNameOf<Id>] extends [never] ? never : Id }[ConfigKeyId]

/** What a flag of the setting gives: the value's type without `null` ("not set" is the flag's absence). */
export type FlagValueOf<Id extends ConfigKeyId> = NonNullable<z.output<SchemaOf<Id> & z.ZodType>>

/** The flag of a setting, `--` left out: its `flag`, else its `offFlag`. */
export function flagNameOf(setting: Pick<DeclaredKey, 'spellings'>): string | undefined {
  return setting.spellings.flag ?? setting.spellings.offFlag
}

/** `image.namespace` → `['image', 'namespace']`, as `DeclaredKey.path` spells it. */
export function keyId(setting: Pick<DeclaredKey, 'path'>): ConfigKeyId {
  return setting.path.join('.') as ConfigKeyId
}
