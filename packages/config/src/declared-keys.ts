import type { z } from 'zod'
import type { configDeclaration } from './declaration.js'
import type { DeclaredKeyFacts } from './declared-key-facts.js'
import { DECLARED_KEY_FACTS } from './declared-keys.generated.js'
import type { SpellingsTrace } from './spellings.js'

export type { KeyKind } from './declared-key-facts.js'

/** A setting with spellings (flag, variable) as the declaration says: what the CLI's flags and `configFromEnv` are made from, restating nothing. */
export interface DeclaredKey extends DeclaredKeyFacts {
  /**
   * Why `value` is out of a number's bounds (`must be > 0`), or null when it is within them (or the
   * setting is no number).
   */
  readonly problem: (value: unknown) => string | null
}

/** `must be >= 1`, `must be > 0`: what the declared bounds say of a refused number. */
function boundsProblem(facts: DeclaredKeyFacts): (value: unknown) => string | null {
  const { min, max, exclusiveMin } = facts
  return (value) => {
    if (typeof value !== 'number') return null
    if (min !== undefined && (exclusiveMin ? value <= min : value < min)) return `must be ${exclusiveMin ? '>' : '>='} ${min}`
    if (max !== undefined && value > max) return `must be <= ${max}`
    return null
  }
}

/** Every setting with spellings, in the declaration's order (keys of an object key after it). */
export const DECLARED_KEYS: readonly DeclaredKey[] = Object.freeze(DECLARED_KEY_FACTS.map((facts) => ({ ...facts, problem: boundsProblem(facts) })))

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
