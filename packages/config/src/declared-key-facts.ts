import type { z } from 'zod'
import { configDeclaration } from './declaration.js'
import type { KeySpellings } from './spellings.js'

/**
 * Build time only: what the declaration (zod) says of each key, read once by `pnpm config:schema`
 * into `declared-keys.generated.ts`, which is what the CLI loads. zod is ~95 modules and ~0.1 s of
 * CPU at every start of every command; the facts below are a few kilobytes of data.
 */

/** What a setting's value is, read from its zod type: how a flag or a variable is parsed into it. */
export type KeyKind = 'string' | 'enum' | 'integer' | 'number' | 'boolean' | 'list'

/** A setting with spellings (flag, variable) as the declaration says, as plain data. */
export interface DeclaredKeyFacts {
  /** Where the value goes: `['modelName']`, or `['image', 'namespace']` for a key of an object key. */
  readonly path: readonly [string] | readonly [string, string]
  readonly kind: KeyKind
  /** The allowed values of an `enum`. */
  readonly options?: readonly string[]
  /**
   * Bounds of an `integer` or a `number`; `exclusiveMin`: the bound itself is refused
   * (`z.number().gt(0)`).
   */
  readonly min?: number
  readonly max?: number
  readonly exclusiveMin?: true
  /** The built-in default (`null`: not set). */
  readonly default: unknown
  readonly description: string
  readonly spellings: KeySpellings
}

type Wrapper = z.ZodDefault | z.ZodPrefault | z.ZodNullable | z.ZodOptional

/** The value's own type under `.default()`, `.nullable()` and the like. */
function valueType(schema: z.ZodType): z.ZodType {
  let inner = schema
  while (['default', 'prefault', 'nullable', 'optional'].includes(inner.def.type)) inner = (inner as Wrapper).def.innerType as z.ZodType
  return inner
}

function kindOf(schema: z.ZodType): Pick<DeclaredKeyFacts, 'kind' | 'options' | 'min' | 'max' | 'exclusiveMin'> {
  const inner = valueType(schema)
  switch (inner.def.type) {
    case 'string':
      return { kind: 'string' }
    case 'enum':
      return { kind: 'enum', options: (inner as z.ZodEnum).options.map(String) }
    case 'number': {
      const number = inner as z.ZodNumber
      const min = number.minValue ?? undefined
      // zod states `gt(0)` and `min(0)` alike as minValue 0: whether 0 itself passes tells them apart.
      const exclusiveMin = min !== undefined && !number.safeParse(min).success ? { exclusiveMin: true as const } : {}
      // A plain number's maxValue is Infinity, which JSON cannot hold: no bound is stated as none.
      const max = Number.isFinite(number.maxValue) ? (number.maxValue as number) : undefined
      return { kind: number.isInt ? 'integer' : 'number', ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }), ...exclusiveMin }
    }
    case 'boolean':
      return { kind: 'boolean' }
    case 'array':
      return { kind: 'list' }
    default:
      throw new Error(`a setting of type ${inner.def.type} cannot have spellings: declare how its flag or variable is read`)
  }
}

function declaredSetting(path: DeclaredKeyFacts['path'], schema: z.ZodType, defaultValue: unknown): DeclaredKeyFacts | null {
  const meta = schema.meta() as { description?: string; spellings?: KeySpellings } | undefined
  if (meta?.spellings === undefined) return null
  return { path, ...kindOf(schema), default: defaultValue, description: meta.description ?? '', spellings: meta.spellings }
}

/** The declaration's defaults, every key (`$schema` left out): `CONFIG_DEFAULTS`. */
export function readDeclaredDefaults(): Record<string, unknown> {
  const { $schema: _schema, ...defaults } = configDeclaration.parse({}) as Record<string, unknown>
  return defaults
}

/** Every setting with spellings, in the declaration's order (keys of an object key after it). */
export function readDeclaredKeyFacts(): DeclaredKeyFacts[] {
  const defaults = readDeclaredDefaults()
  const settings: DeclaredKeyFacts[] = []
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
