import { type Config, type Interfaces, ModuleLoader } from '@oclif/core'
import {
  CooperbenchError,
  errorMessage,
  type PluginDefinition,
  type PluginFailure,
  type PluginKind,
  PluginRegistry,
  type RegisterHookOptions,
} from '@cooperbench/core'
import { applyPlugins } from '@cooperbench/core/plugins'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { firstLine } from './ui/first-line.js'
import { foreignHostPackages, hostPackageDirs } from './host-packages.js'

/**
 * Builds the registry: every installed oclif plugin's `cooperbench:register` (`@cooperbench/builtins` too), the config file's plugins, a
 * script's definitions. One that throws or is refused (core range, contract version) is skipped, in `registry.failures` with code and hint.
 */
export async function loadRegistry(
  config: Config,
  configPlugins: string[] = [],
  baseDir = process.cwd(),
  extraDefinitions: PluginDefinition[] = [],
): Promise<PluginRegistry> {
  const registry = new PluginRegistry()
  await runRegisterHooks(config, registry)
  const definitions: PluginDefinition[] = []
  for (const specifier of configPlugins) {
    try {
      const loaded = await importPlugin(specifier, baseDir)
      if (loaded.kind === 'definition') definitions.push(loaded.definition)
      else await loaded.hook({ registry })
    } catch (error) {
      registry.recordError(specifier, error)
    }
  }
  await applyPlugins(registry, [...definitions, ...extraDefinitions])
  return registry
}

const REGISTER_EVENT = 'cooperbench:register'

/** Runs every installed oclif plugin's `cooperbench:register` in turn; unlike oclif's runner, a hook module may export a plain definition (no core needed). */
async function runRegisterHooks(config: Config, registry: PluginRegistry) {
  let foreign: Map<string, string> | undefined
  for (const plugin of config.getPluginsList()) {
    if (plugin.type === 'user') {
      foreign ??= foreignHostPackages(config.dataDir)
      const refusal = foreignPeersRefusal(plugin, foreign, config.dataDir)
      if (refusal) {
        registry.recordError(plugin.name, refusal, plugin.version)
        continue
      }
    }
    for (const hook of plugin.hooks?.[REGISTER_EVENT] ?? []) {
      try {
        const { module } = await ModuleLoader.loadWithData(plugin, resolve(plugin.root, hook.target))
        const exports = module as Record<string, unknown>
        const loaded = asLoadedPlugin(exports[hook.identifier] ?? exports.default ?? module, `${plugin.name} (${hook.target})`)
        if (loaded.kind === 'hook') await loaded.hook({ registry })
        else await applyPlugins(registry, [loaded.definition])
      } catch (error) {
        registry.recordError(plugin.name, error, plugin.version)
      }
    }
  }
}

/** Refuses a plugin importing the CLI's packages while the data dir holds another cooperbench's copies or none: other contracts, or a missing module. */
function foreignPeersRefusal(plugin: Interfaces.Plugin, foreign: Map<string, string>, dataDir: string): CooperbenchError | null {
  if (foreign.size === 0) return null
  const pjson = plugin.pjson as { peerDependencies?: Record<string, string>; dependencies?: Record<string, string> }
  const uses = Object.keys({ ...pjson.peerDependencies, ...pjson.dependencies }).filter((name) => foreign.has(name))
  if (uses.length === 0) return null
  const own = hostPackageDirs()
  const what = uses
    .map((name) => {
      const found = foreign.get(name)!
      return `${name}: ${found === 'missing' ? 'none' : found.startsWith('/') ? `another cooperbench's copy (${found})` : found}, not this cooperbench's (${own[name]})`
    })
    .join('; ')
  return new CooperbenchError('PLUGIN_INCOMPATIBLE', `it needs this cooperbench's packages, and the plugin folder ${dataDir} has ${what}`, {
    hint:
      `Installed plugins are shared by every cooperbench of this user. Give this research folder its own plugin folder ` +
      `(export COOPERBENCH_DATA_DIR=$PWD/.cooperbench-plugins) and install ${plugin.name} there, ` +
      `or install ${plugin.name} again with this cooperbench to move the shared folder to it (the other cooperbench then refuses it).`,
  })
}

type LoadedPlugin =
  | { kind: 'definition'; definition: PluginDefinition }
  /** A bare `cooperbench:register` hook function (no `.plugin` attached). */
  | { kind: 'hook'; hook: (options: RegisterHookOptions) => unknown }

/** Loads a config-file plugin (local module, TypeScript compiled on the fly; package folder; npm package): its `cooperbench:register` hook, else its main. */
async function importPlugin(specifier: string, baseDir: string): Promise<LoadedPlugin> {
  const isPath = specifier.startsWith('.') || isAbsolute(specifier)
  const manifest = isPath ? join(resolve(baseDir, specifier), 'package.json') : findPackageJson(specifier, baseDir)
  const hookFile = manifest !== null && existsSync(manifest) ? hookFileOf(manifest) : null
  const target = hookFile ?? (isPath ? resolve(baseDir, specifier) : specifier)
  if (isPath && !existsSync(target) && !['.ts', '.js', '.mjs', '.cjs', '.mts', '.cts'].some((ext) => existsSync(target + ext))) {
    throw new CooperbenchError('PLUGIN_NOT_FOUND', `plugin module ${target} does not exist`, {
      hint: 'Fix the path in `plugins` of the config file (relative paths are relative to the config file).',
    })
  }
  // jiti is imported only when a config file names plugins, not by every command that loads the registry.
  const { createJiti } = await import('jiti')
  const jiti = createJiti(pathToFileURL(resolve(baseDir, 'cooperbench.config.js')).href, { interopDefault: true })
  let loaded: unknown
  try {
    loaded = await jiti.import(target)
  } catch (error) {
    const missing = !isPath && /Cannot find (module|package)/i.test(errorMessage(error))
    throw new CooperbenchError(missing ? 'PLUGIN_NOT_FOUND' : 'PLUGIN_FAILED', `cannot load plugin ${specifier}: ${firstLine(errorMessage(error))}`, {
      hint: missing
        ? `Install the package in the project (\`npm install ${specifier}\`), or fix its name in \`plugins\` of the config file.`
        : 'Fix the error in the plugin module; rerun with --verbose for details.',
      cause: error,
    })
  }
  return asLoadedPlugin((loaded as { default?: unknown })?.default ?? loaded, specifier)
}

/** What a plugin module exports: `definePlugin(...)`'s result, a plain definition, or a bare hook function. */
function asLoadedPlugin(candidate: unknown, source: string): LoadedPlugin {
  const definition = (candidate as { plugin?: unknown })?.plugin ?? candidate
  if (definition && typeof (definition as PluginDefinition).register === 'function') return { kind: 'definition', definition: definition as PluginDefinition }
  if (typeof candidate === 'function') return { kind: 'hook', hook: candidate as (options: RegisterHookOptions) => unknown }
  throw new CooperbenchError('PLUGIN_FAILED', `${source} does not export a plugin`, {
    hint: 'Export `definePlugin({ name, version, coreRange, register(api) { ... } })` (or a plain object of that shape) as the default export.',
  })
}

/** The hook module a package.json declares for `cooperbench:register` (`"oclif": { "hooks": { … } }`), as an absolute path. */
function hookFileOf(manifest: string) {
  let pkg: { oclif?: { hooks?: Record<string, unknown> } }
  try {
    pkg = JSON.parse(readFileSync(manifest, 'utf8')) as typeof pkg
  } catch {
    return null
  }
  let hook = pkg.oclif?.hooks?.['cooperbench:register']
  if (Array.isArray(hook)) hook = hook[0]
  if (hook && typeof hook === 'object') hook = (hook as { target?: unknown }).target
  return typeof hook === 'string' ? join(dirname(manifest), hook) : null
}

function findPackageJson(name: string, baseDir: string) {
  try {
    return createRequire(join(baseDir, 'noop.js')).resolve(`${name}/package.json`)
  } catch {
    // `exports` may hide package.json: look in node_modules folders instead.
  }
  for (let dir = resolve(baseDir); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name, 'package.json')
    if (existsSync(candidate)) return candidate
    if (dirname(dir) === dir) return null
  }
}

/** One row of `agents list` / `backends list` / `buses list` (the `--json` shape). */
export interface RegisteredRow {
  name: string
  plugin: string
  version: string
  specificationVersion: string
  aliases?: string[]
  description?: string
}

/** The entries of one kind, as listed by the `* list` commands. */
export function registeredRows(registry: PluginRegistry, kind: PluginKind): RegisteredRow[] {
  return registry.list(kind).map((entry) => ({
    name: entry.name,
    plugin: entry.plugin.name,
    version: entry.plugin.version,
    specificationVersion: entry.specificationVersion,
    ...(entry.aliases?.length ? { aliases: [...entry.aliases] } : {}),
    ...(entry.description ? { description: entry.description } : {}),
  }))
}

/** How a load failure is shown: the plugin (with its version when known) and the reason with its fix. */
export function describeFailure(f: PluginFailure): { label: string; reason: string } {
  const label = f.version && !f.message.includes(`${f.plugin}@`) ? `${f.plugin}@${f.version}` : f.plugin
  return { label, reason: `${f.message}${f.hint ? ` — fix: ${f.hint}` : ''}` }
}
