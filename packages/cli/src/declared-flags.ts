import { type ConfigFlags, DECLARED_KEYS, type DeclaredKey, type FlaggedKeyId, type FlagNameOf, flagNameOf, type FlagValueOf, keyId } from '@cooperbench/config'
import { Flags, type Interfaces } from '@oclif/core'
import { type DefaultedKey, withDefault } from './config-default.js'

/** The flags of the given settings, by flag name, typed as the settings' values (`--model` as `modelName`). */
type DeclaredFlags<Id extends FlaggedKeyId> = { [I in Id as FlagNameOf<I>]: Interfaces.Flag<FlagValueOf<I> | undefined> }

/** The flags a command takes from the declaration, and what their values set. */
export interface DeclaredFlagSet<Id extends FlaggedKeyId> {
  readonly flags: DeclaredFlags<Id>
  /** Flag values → config keys (`{ model: 'x' }` → `{ modelName: 'x' }`); a flag not given sets nothing, so lower layers keep theirs. */
  readonly configFromFlags: (values: Record<string, unknown>) => ConfigFlags
}

const FLAGGED = DECLARED_KEYS.filter((setting) => flagNameOf(setting) !== undefined)

/** Every setting that declares a flag: `run` takes them all, so a new one is on `run` without more. */
export const FLAGGED_KEY_IDS = FLAGGED.map(keyId) as FlaggedKeyId[]

/**
 * The flags of `ids` as declared (`config/declaration.ts`: name, short flag, help value, section), typed from zod (integer bounds, enum,
 * `--[no-]x` if on by default, `--team-no-x` off flags), help with the real default (`withDefault`); none sets a default (file, env apply).
 */
export function declaredFlagSet<const Id extends FlaggedKeyId>(ids: readonly Id[]): DeclaredFlagSet<Id> {
  const settings = ids.map((id) => {
    const setting = FLAGGED.find((candidate) => keyId(candidate) === id)
    if (!setting) throw new Error(`setting ${id} declares no flag`)
    return setting
  })
  const flags = Object.fromEntries(settings.map((setting) => [flagNameOf(setting), flagOf(setting)])) as DeclaredFlags<Id>
  return { flags, configFromFlags: (values) => configFromFlags(settings, values) }
}

function configFromFlags(settings: readonly DeclaredKey[], values: Record<string, unknown>): ConfigFlags {
  const config: Record<string, unknown> = {}
  for (const setting of settings) {
    const given = values[flagNameOf(setting) as string]
    // An off flag given switches its setting off; not given, it sets nothing.
    const value = setting.spellings.offFlag === undefined ? given : given === true ? false : undefined
    if (value === undefined) continue
    const [key, child] = setting.path
    if (child === undefined) config[key] = value
    else config[key] = { ...(config[key] as object | undefined), [child]: value }
  }
  return config as ConfigFlags
}

/** What `flagOf` makes: a string (or enum), a number or a switch. */
type GeneratedFlag = Interfaces.OptionFlag<string | undefined> | Interfaces.OptionFlag<number | undefined> | Interfaces.BooleanFlag<boolean>

function flagOf(setting: DeclaredKey): GeneratedFlag {
  const { char, helpValue, helpGroup, offFlag } = setting.spellings
  const help = setting.spellings.help ?? setting.description
  const common = { char, helpValue, helpGroup, description: setting.kind === 'boolean' ? help : withDefault(help, keyId(setting) as DefaultedKey) }
  if (offFlag !== undefined) {
    if (setting.kind !== 'boolean' || setting.default !== true) throw new Error(`setting ${keyId(setting)} has an off flag but is no switch on by default`)
    return Flags.boolean<boolean>({ ...common, allowNo: false })
  }
  switch (setting.kind) {
    case 'string':
      return Flags.string(common)
    case 'enum':
      return Flags.string({ ...common, options: [...(setting.options ?? [])] })
    case 'integer':
      return Flags.integer({ ...common, min: setting.min, max: setting.max })
    case 'number':
      return numberFlag(common, (value) => setting.problem(value))
    case 'boolean':
      // A switch on by default is turned off with --no-<flag>; one off by default is only turned on.
      return Flags.boolean<boolean>({ ...common, allowNo: setting.default === true })
    default:
      throw new Error(`setting ${keyId(setting)} (${setting.kind}) cannot be a flag: declare its flag by hand`)
  }
}

type NumberFlagOptions = Pick<Partial<Interfaces.OptionFlag<number>>, 'char' | 'description' | 'helpGroup' | 'helpValue'>

/** A number flag (`--cost-limit 2.5` → 2.5) checked by `problem`; oclif reports its throw as `Parsing --cost-limit: must be >= 0, got "-1"`. */
export function numberFlag(options: NumberFlagOptions, problem: (value: number) => string | null = () => null) {
  return Flags.custom<number>({
    ...options,
    parse: async (text) => {
      const value = text.trim() === '' ? Number.NaN : Number(text)
      const found = Number.isFinite(value) ? problem(value) : 'must be a number'
      if (found === null) return value
      throw new Error(`${found}, got ${JSON.stringify(text)}`)
    },
  })()
}
