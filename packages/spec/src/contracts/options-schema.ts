/**
 * A plugin object's options, declared once as a JSON schema written `as const`: the registry
 * validates the config against it and fills in its defaults (`optionsSchema` of a registration),
 * {@link OptionsOf} gives its TypeScript type and {@link optionsDefaults} its defaults, so an
 * author writes neither again. Plain types and one small function: a plugin needs no schema
 * library at run time.
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
 * The options an object of this schema gets once the registry validated them: a key with a
 * `default` (or listed in `required`) is always there, the others may be missing. A nested
 * object is typed the same way, so an object property with `default: {}` and defaults inside
 * has every defaulted key of its own.
 */
export type OptionsOf<S> = S extends { readonly properties: infer P }
  ? { -readonly [K in keyof P as Present<S, K> extends true ? K : never]: ValueOfSchema<P[K]> } & {
      -readonly [K in keyof P as Present<S, K> extends true ? never : K]?: ValueOfSchema<P[K]>
    } extends infer O
    ? { [K in keyof O]: O[K] }
    : never
  : Record<string, unknown>

/**
 * The `default` of each property of an options schema: what an object gets when its config says
 * nothing. As the registry's validator does, an object property whose `default` is an object
 * gets its own properties' defaults under it (`compaction: { default: {}, properties: { enabled:
 * { default: true } } }` gives `compaction: { enabled: true }`).
 */
export function optionsDefaults<S extends OptionsSchema>(schema: S): OptionsOf<S> {
  const defaults: Record<string, unknown> = {}
  for (const [key, property] of Object.entries(schema.properties)) {
    if (!('default' in property)) continue
    const value = structuredClone(property['default'])
    const nested = typeof property['properties'] === 'object' && typeof value === 'object' && value !== null && !Array.isArray(value)
    defaults[key] = nested ? { ...optionsDefaults(property as OptionsSchema), ...value } : value
  }
  return defaults as OptionsOf<S>
}
