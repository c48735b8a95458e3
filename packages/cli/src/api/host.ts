import type { Config } from '@oclif/core'
import type { Logger, PluginRegistry } from '@cooperbench/core'
import type { SettingReporters } from '@cooperbench/report'
import { type LayeredConfig, type ResolvedConfig, resolveLayeredConfig } from '@cooperbench/config'
import { createRootScope, type Scope } from '@cooperbench/core/plugins'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CooperbenchEvent } from './events.js'
import type { HostOptions } from './options.js'

/** What a run or an evaluation works with: the plugins and the process scope. */
export interface Host {
  registry: PluginRegistry
  scope: Scope
  logger: Logger
}

export interface OpenHostOptions extends Pick<HostOptions, 'plugins'> {
  logger: Logger
  /** Where npm packages named as plugins resolve from: the config file's folder, else the working directory. */
  baseDir: string
  oclifConfig?: Config
  /** false: the caller shows `registry.failures` itself, instead of one warning each on the logger. */
  reportFailures?: boolean
}

/** The cooperbench package's root: where its oclif manifest and `oclif.plugins` are. */
const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')

/** Loads plugins as the CLI does (`loadRegistry`), skipping failures with a warning; a script's `oclifConfig` comes from this package (no command run). */
export async function openHost(config: Pick<ResolvedConfig, 'plugins'>, options: OpenHostOptions): Promise<Host> {
  const { Config } = await import('@oclif/core')
  const { describeFailure, loadRegistry } = await import('../plugins.js')
  const oclif = options.oclifConfig ?? (await Config.load(PACKAGE_ROOT))
  const specifiers = (options.plugins ?? []).filter((p) => typeof p === 'string').map((p) => (p.startsWith('.') ? resolve(options.baseDir, p) : p))
  const definitions = (options.plugins ?? []).filter((p) => typeof p !== 'string')
  const registry = await loadRegistry(oclif, [...config.plugins, ...specifiers], options.baseDir, definitions)
  for (const failure of options.reportFailures === false ? [] : registry.failures) {
    const { label, reason } = describeFailure(failure)
    options.logger.warn(`plugin ${label} failed to load and was skipped: ${reason}`)
  }
  return { registry, scope: createRootScope({ registry, logger: options.logger }), logger: options.logger }
}

/** A script's logger: debug and info are dropped, warnings and errors become `warning` events (on stderr when nobody listens). */
export function eventLogger(emit: ((event: CooperbenchEvent) => void) | undefined): Logger {
  const warn = (message: string) => (emit ? emit({ type: 'warning', message }) : process.stderr.write(`warning: ${message}\n`))
  return { debug() {}, info() {}, warn, error: warn }
}

/**
 * What `report` and `export` read finished runs with: the log dir (the one given, relative to `cwd`, else the config's) and each
 * installed setting's part of them, its plugins loaded as for `run`.
 */
export async function runsReading(
  options: Pick<HostOptions, 'config' | 'plugins' | 'logger'> & { logDir?: string },
  cwd: string,
  oclifConfig?: Config,
): Promise<{ logDir: string; reporters: SettingReporters }> {
  const layered = await resolveLayeredConfig({}, options.config, cwd)
  const { registry } = await openLayeredHost(layered, options, cwd, oclifConfig)
  return { logDir: options.logDir !== undefined ? resolve(cwd, options.logDir) : layered.config.logDir, reporters: settingReporters(registry) }
}

/** The plugins of a layered configuration: plugin paths in its file are relative to that file's folder. */
export function openLayeredHost(
  { config, file }: Pick<LayeredConfig, 'config' | 'file'>,
  options: Pick<HostOptions, 'plugins' | 'logger'>,
  cwd: string,
  oclifConfig?: Config,
): Promise<Host> {
  return openHost(config, { plugins: options.plugins, logger: options.logger ?? eventLogger(undefined), baseDir: file ? dirname(file) : cwd, oclifConfig })
}

/** Each installed setting's part of `report` and `view` (its registration's `report`), by setting name. */
export function settingReporters(registry: PluginRegistry): SettingReporters {
  return Object.fromEntries(registry.list('setting').flatMap((entry) => (entry.report ? [[entry.name, entry.report]] : [])))
}
