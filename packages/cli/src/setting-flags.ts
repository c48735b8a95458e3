import type { PluginRegistry } from '@cooperbench/core'
import { Flags, type Interfaces } from '@oclif/core'
import { numberFlag } from './declared-flags.js'

/** One option of a setting, as its flag and variable spell it and its schema types it. */
export interface SettingOption {
  setting: string
  key: string
  /** `--team-no-mcp`, `--handoff-order`; undefined when it has no flag. */
  flag?: string
  /** The flag only switches the option off (upstream's `--team-no-*`). */
  off: boolean
  env?: string
  type: string
  default: unknown
  description: string
}

/** Every option of every installed setting, in the settings' order. */
export function settingOptions(registry: PluginRegistry): SettingOption[] {
  return registry.list('setting').flatMap((entry) => {
    const schema = entry.optionsSchema as
      | { properties?: Record<string, { type?: unknown; default?: unknown; description?: unknown; enum?: unknown }> }
      | undefined
    return Object.entries(schema?.properties ?? {}).map(([key, property]) => {
      const spelling = entry.spellings?.[key]
      const flag = spelling?.offFlag ?? spelling?.flag
      const env = spelling?.env ?? (spelling?.offFlag !== undefined && entry.offList ? entry.offList.env : undefined)
      return {
        setting: entry.name,
        key,
        ...(flag === undefined ? {} : { flag }),
        off: spelling?.offFlag !== undefined,
        ...(env === undefined ? {} : { env }),
        type: typeof property.type === 'string' ? property.type : 'string',
        default: property.default,
        description: spelling?.help ?? (typeof property.description === 'string' ? property.description : ''),
      }
    })
  })
}

/**
 * `run`'s flags of the installed settings (`spellings`, typed by `optionsSchema`), each in its setting's help section, names already
 * taken left out. `configFromFlags`: values → the `settings` key (`{ team: { mcp: false } }`); a flag not given sets nothing.
 */
export function settingFlagSet(registry: PluginRegistry, taken: ReadonlySet<string>) {
  const options = settingOptions(registry).filter((option) => option.flag !== undefined)
  const used = new Set(taken)
  const kept = options.filter((option) => !used.has(option.flag!) && used.add(option.flag!))
  const flags = Object.fromEntries(kept.map((option) => [option.flag!, flagOf(option)]))
  return {
    flags,
    configFromFlags: (values: Record<string, unknown>) => {
      const settings: Record<string, Record<string, unknown>> = {}
      for (const option of kept) {
        const given = values[option.flag!]
        const value = option.off ? (given === true ? false : undefined) : given
        if (value !== undefined) settings[option.setting] = { ...settings[option.setting], [option.key]: value }
      }
      return Object.keys(settings).length > 0 ? settings : undefined
    },
  }
}

function flagOf(option: SettingOption): Interfaces.Flag<unknown> {
  const common = { description: option.description, helpGroup: option.setting.toUpperCase() }
  if (option.off || option.type === 'boolean') return Flags.boolean({ ...common, allowNo: !option.off }) as Interfaces.Flag<unknown>
  if (option.type === 'integer') return Flags.integer(common) as Interfaces.Flag<unknown>
  if (option.type === 'number') return numberFlag(common) as Interfaces.Flag<unknown>
  return Flags.string(common) as Interfaces.Flag<unknown>
}
