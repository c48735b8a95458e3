import type { z } from 'zod'

/** The letters of `S`, one by one: a–z below, rather than 26 literals spelled out. */
type LettersOf<S extends string> = S extends `${infer First}${infer Rest}` ? First | LettersOf<Rest> : never
type Letter = LettersOf<'abcdefghijklmnopqrstuvwxyz'>

/** A short flag (`-m`): one letter. */
export type FlagChar = Letter | Uppercase<Letter>

/** A key's spellings outside the config file (flag or off flag, short flag, variable, help); flags and the environment map come from these alone. */
export interface KeySpellings {
  /** The long flag, kebab-case, without `--` (`model-base-url`). */
  readonly flag?: string
  /** Instead of `flag`, for a switch on by default: a flag that only turns it off (`team-no-mcp`), where `--no-<flag>` reads badly. */
  readonly offFlag?: string
  readonly char?: FlagChar
  readonly env?: `COOPERBENCH_${string}`
  /** The flag's help line, when the key's description (written for the config file) does not read as one. */
  readonly help?: string
  /** What help shows for the value (`--log-dir=DIR`). */
  readonly helpValue?: string
  /** The section of help the flag is listed in (`TEAM`), when not the command's own `FLAGS`. */
  readonly helpGroup?: string
}

/** The type-only trace of a schema's spellings, so the CLI's generated flags are typed by name. */
export interface SpellingsTrace<S extends KeySpellings> {
  readonly '~spellings'?: S
}

/** `schema` with its spellings in its metadata and type: a misspelt field is a type error, `--model`'s value typed as `modelName`'s. */
export function spelled<T extends z.ZodType, const S extends KeySpellings>(schema: T, spellings: S): T & SpellingsTrace<S> {
  return schema.meta({ ...schema.meta(), spellings }) as T & SpellingsTrace<S>
}
