import { type JudgedPatches, type Setting, CooperbenchError, errorMessage } from '@cooperbench/spec'
import { getOrCreate, silentLogger } from '@cooperbench/spec-utils'
import { resolveService, type Scope } from '../plugin/container.js'
import type { PluginRegistry } from '../plugin/registry.js'
import { Tokens } from '../plugin/tokens.js'

/** Settings made to say what they judge, once per registry and name (with their default options). */
const made = new WeakMap<PluginRegistry, Map<string, Promise<Setting>>>()

/** `Setting.judged` of the installed setting of that name, whatever run wrote the folder; a CooperbenchError when none is installed. */
export async function judgedPatchesOf(scope: Scope, setting: string, features: readonly number[]): Promise<JudgedPatches> {
  try {
    return (await settingNamed(resolveService(scope, Tokens.Registry), setting)).judged(features)
  } catch (error) {
    throw new CooperbenchError('PLUGIN_NOT_FOUND', `the pairs of setting "${setting}" cannot be judged: ${errorMessage(error)}`, {
      hint: `Install the plugin that provides the ${setting} setting (\`cooperbench settings\` lists the installed ones).`,
    })
  }
}

/** Whether a pair folder of `setting` is judged by merging its patches; false for a setting not installed (its error record then has no merge). */
export async function judgedByMerge(scope: Scope, setting: string, features: readonly number[]): Promise<boolean> {
  return (await judgedPatchesOf(scope, setting, features).catch(() => null))?.rule === 'merge'
}

/** Whether the pairs of an installed setting are judged by merging (so by the run's policy); false for one not installed. */
export async function judgedByMergeOf(registry: PluginRegistry): Promise<(setting: string) => boolean> {
  const merging = new Set<string>()
  for (const entry of registry.list('setting')) {
    const setting = await settingNamed(registry, entry.name).catch(() => null)
    if (setting?.judged([1, 2]).rule === 'merge') for (const name of [entry.name, ...(entry.aliases ?? [])]) merging.add(name)
  }
  return (setting) => merging.has(setting)
}

function settingNamed(registry: PluginRegistry, name: string): Promise<Setting> {
  const byName = made.get(registry) ?? new Map<string, Promise<Setting>>()
  made.set(registry, byName)
  return getOrCreate(byName, name, () => registry.create('setting', name, { options: {}, logger: silentLogger }))
}
