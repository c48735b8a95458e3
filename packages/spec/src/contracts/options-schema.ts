/**
 * A plugin object's options, declared once as a JSON schema `as const`: the registry validates the config and fills in defaults (a registration's
 * `optionsSchema`), {@link OptionsOf} gives its type and `optionsDefaults` (`@cooperbench/spec-utils`) its defaults. No schema library at run time.
 */
export type OptionsSchema = {
  readonly type: 'object'
  readonly properties: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  readonly required?: readonly string[]
  readonly additionalProperties?: unknown
}

type TypeNamed<N, S> = N extends 'string'
  ? string
  : N extends 'number' | 'integer'
    ? number
    : N extends 'boolean'
      ? boolean
      : N extends 'null'
        ? null
        : N extends 'array'
          ? S extends { readonly items: infer I }
            ? Array<ValueOfSchema<I>>
            : unknown[]
          : N extends 'object'
            ? ObjectOf<S>
            : unknown

/** An object: its `properties` (as {@link OptionsOf}), else a map of its `additionalProperties` schema. */
type ObjectOf<S> = S extends { readonly properties: object }
  ? OptionsOf<S>
  : S extends { readonly additionalProperties: infer A extends object }
    ? Record<string, ValueOfSchema<A>>
    : Record<string, unknown>

type AlternativesOf<L> = L extends ReadonlyArray<infer A> ? (A extends unknown ? ValueOfSchema<A> : never) : unknown

/** The value a JSON schema (`as const`) describes: `const`, `enum`, `anyOf`/`oneOf`, `type` (one or a list), `items`, `properties`. */
type ValueOfSchema<S> = S extends { readonly const: infer C }
  ? C
  : S extends { readonly enum: ReadonlyArray<infer E> }
    ? E
    : S extends { readonly anyOf: infer L }
      ? AlternativesOf<L>
      : S extends { readonly oneOf: infer L }
        ? AlternativesOf<L>
        : S extends { readonly type: ReadonlyArray<infer N> }
          ? TypeNamed<N, S>
          : S extends { readonly type: infer N }
            ? TypeNamed<N, S>
            : unknown

type Present<S, K> = S extends { readonly properties: infer P }
  ? K extends keyof P
    ? P[K] extends { readonly default: unknown }
      ? true
      : S extends { readonly required: ReadonlyArray<infer R> }
        ? K extends R
          ? true
          : false
        : false
    : false
  : false

/**
 * The options validated by the registry: a key with a `default` (or in `required`) is always there, others may be missing. Nested
 * objects alike, so an object property with `default: {}` and defaults inside has each defaulted key.
 */
export type OptionsOf<S> = S extends { readonly properties: infer P }
  ? { -readonly [K in keyof P as Present<S, K> extends true ? K : never]: ValueOfSchema<P[K]> } & {
      -readonly [K in keyof P as Present<S, K> extends true ? never : K]?: ValueOfSchema<P[K]>
    } extends infer O
    ? { [K in keyof O]: O[K] }
    : never
  : Record<string, unknown>
