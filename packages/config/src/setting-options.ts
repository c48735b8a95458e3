import { CooperbenchError, type OptionSpelling, type Registration } from '@cooperbench/spec'
import type { LayeredConfig } from './layered-config.js'

/** A setting's registration as its options are read from it. */
type SettingEntry = Pick<Registration<'setting'>, 'name' | 'aliases' | 'optionsSchema' | 'spellings' | 'offList'>

/** A setting's options for a run, and where each came from (for messages). */
export interface SettingOptions {
  options: Record<string, unknown>
  /** `--team-no-mcp`, `COOPERBENCH_TEAM_OFF`, `settings.team.mcp in ./cooperbench.config.json`, or `the default mcp`. */
  sourceOf(key: string): string
}

/**
 * `settings.<name>` of the file < its variables (spellings' `env`, `offList`) < flags or a script's `settings.<name>`. Options for
 * another setting would do nothing: refused (USAGE), naming where given.
 */
export function settingOptionsFor(settings: LayeredConfig, entry: SettingEntry, others: readonly SettingEntry[]): SettingOptions {
  refuseOthers(settings, entry, others)
  const names = [entry.name, ...(entry.aliases ?? [])]
  const file = sectionOf(settings.settingOptions.file, names)
  const env = optionsFromEnv(entry, settings.env)
  const flags = sectionOf(settings.settingOptions.flags, names)
  const sources = new Map<string, string>()
  for (const key of Object.keys(file)) sources.set(key, `settings.${entry.name}.${key} in ${settings.file ?? 'the config given to run()/evaluate()'}`)
  for (const [key, variable] of env.sources) sources.set(key, variable)
  for (const key of Object.keys(flags)) sources.set(key, flagSource(entry, key, settings.flagsSource))
  return { options: { ...file, ...env.options, ...flags }, sourceOf: (key) => sources.get(key) ?? `the default ${key}` }
}

/** The flag, or the script's option, that gave `key` (`--team-no-mcp`, `settings.team.mcp in the options given to run()`). */
function flagSource(entry: SettingEntry, key: string, flagsSource: string | undefined) {
  if (flagsSource !== undefined) return `settings.${entry.name}.${key} in ${flagsSource}`
  const spelling = entry.spellings?.[key]
  const flag = spelling?.offFlag ?? spelling?.flag
  return flag === undefined ? `settings.${entry.name}.${key}` : `--${flag}`
}

function sectionOf(sections: Record<string, Record<string, unknown>>, names: readonly string[]) {
  return Object.assign({}, ...names.map((name) => sections[name] ?? {}))
}

/** Options given for another setting than the run's, anywhere: a mistake, refused naming where it was made. */
function refuseOthers(settings: LayeredConfig, entry: SettingEntry, others: readonly SettingEntry[]) {
  for (const other of others) {
    if (other.name === entry.name) continue
    const names = [other.name, ...(other.aliases ?? [])]
    const given = [
      ...Object.keys(sectionOf(settings.settingOptions.file, names)).map(
        (key) => `settings.${other.name}.${key} in ${settings.file ?? 'the config given to run()'}`,
      ),
      ...optionsFromEnv(other, settings.env).sources.values(),
      ...Object.keys(sectionOf(settings.settingOptions.flags, names)).map((key) => flagSource(other, key, settings.flagsSource)),
    ]
    if (given.length === 0) continue
    const what = [...new Set(given)].join(', ')
    throw new CooperbenchError(
      'USAGE',
      `${what} ${given.length === 1 ? 'sets an option' : 'set options'} of the ${other.name} setting, but the setting is ${entry.name}`,
      {
        hint: `Add --setting ${other.name}, or remove ${what}.`,
      },
    )
  }
}

/** The options a setting's variables give, typed by its schema, with the variable that gave each. */
function optionsFromEnv(entry: SettingEntry, env: NodeJS.ProcessEnv) {
  const options: Record<string, unknown> = {}
  const sources = new Map<string, string>()
  const problems: string[] = []
  for (const [key, spelling] of Object.entries(entry.spellings ?? {})) {
    const raw = spelling.env === undefined ? undefined : env[spelling.env]?.trim()
    if (raw === undefined || raw === '') continue
    const value = parseValue(raw, propertyType(entry, key))
    if (value === undefined) problems.push(`${spelling.env}: must be a ${propertyType(entry, key)}, got ${JSON.stringify(raw)}`)
    else {
      options[key] = value
      sources.set(key, spelling.env!)
    }
  }
  const off = entry.offList
  const listed = off === undefined ? undefined : env[off.env]?.trim()
  if (off !== undefined && listed) {
    const switches = Object.entries(entry.spellings ?? {}).filter(
      (pair): pair is [string, OptionSpelling & { offFlag: string }] => pair[1].offFlag !== undefined,
    )
    for (const name of listed
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')) {
      const found = switches.find(([, spelling]) => spelling.offFlag === `${off.prefix}${name}`)
      if (found === undefined)
        problems.push(`${off.env}: unknown switch ${JSON.stringify(name)} (one of ${switches.map(([, s]) => s.offFlag.slice(off.prefix.length)).join(', ')})`)
      else {
        options[found[0]] = false
        sources.set(found[0], off.env)
      }
    }
  }
  if (problems.length > 0) {
    throw new CooperbenchError('CONFIG_INVALID', `invalid options of setting ${entry.name} in the environment`, {
      details: problems,
      hint: 'Fix or unset the variables listed above.',
    })
  }
  return { options, sources }
}

/** The JSON-schema type of an option (`boolean`, `integer`, …); `string` when the schema says none. */
function propertyType(entry: SettingEntry, key: string) {
  const properties = (entry.optionsSchema as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties
  const type = properties?.[key]?.type
  return typeof type === 'string' ? type : 'string'
}

/** A variable's text as a value of `type`; undefined when it is none. */
function parseValue(raw: string, type: string): unknown {
  if (type === 'boolean') return /^(1|true|yes|on)$/i.test(raw) ? true : /^(0|false|no|off)$/i.test(raw) ? false : undefined
  if (type === 'integer') return /^[+-]?\d+$/.test(raw) ? Number(raw) : undefined
  if (type === 'number') return Number.isFinite(Number(raw)) ? Number(raw) : undefined
  return raw
}
