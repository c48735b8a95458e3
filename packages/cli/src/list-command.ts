import type { Config } from '@oclif/core'
import type { PluginKind } from '@cooperbench/core'
import { dirname } from 'node:path'
import { openHost } from './api/host.js'
import { BaseCommand } from './base-command.js'
import { resolveSettings } from '@cooperbench/core/config'
import { createLogger } from './context.js'
import { configFlag } from './flags.js'
import { describeFailure, type RegisteredRow, registeredRows } from './plugins.js'
import { table } from '@cooperbench/report'

const PLURAL: Record<PluginKind, string> = { agent: 'agents', backend: 'backends', bus: 'buses', evaluator: 'evaluators' }

/**
 * `cooperbench agents|backends|buses|evaluators list`: the registered objects of one kind (from
 * installed plugins, core included, and plugins named in the config file) and, under the table,
 * the plugins that failed to load with the reason. Each command file exports the class this makes.
 */
export function registeredListCommand(kind: PluginKind): typeof BaseCommand {
  const plural = PLURAL[kind]
  return class extends BaseCommand {
    static override summary = `List the ${plural} that are installed: the plugin and version each comes from, and its contract version.`
    static override description =
      `Shows every registered ${kind} (from installed plugins, core included, and plugins named in the config file) and, under the table, the plugins that failed to load with the reason. With --json the value is the list of {name, plugin, version, specificationVersion, aliases?, description?}; load failures go to stderr.`
    static override examples = [`<%= config.bin %> ${plural} list`, `<%= config.bin %> ${plural} list --json`]
    static override enableJsonFlag = true
    static override flags = { ...configFlag }

    async run(): Promise<unknown> {
      const { flags } = await this.parse()
      return listRegistered(this, kind, (flags as { config?: string }).config)
    }
  }
}

/**
 * `cooperbench agents|backends|buses list`: a table of what is registered and, under it, the
 * plugins that failed to load (to stderr with --json, whose value stays the plain list).
 */
async function listRegistered(
  command: { config: Config; log(message?: string): void; jsonEnabled(): boolean },
  kind: PluginKind,
  configPath: string | undefined,
): Promise<RegisteredRow[]> {
  // Failures are shown here (under the table, or on stderr with --json), not as the host's warnings.
  const settings = await resolveSettings({}, configPath)
  const { registry } = await openHost(settings.config, {
    logger: createLogger(false),
    reportFailures: false,
    baseDir: settings.file ? dirname(settings.file) : process.cwd(),
    oclifConfig: command.config,
  })
  const rows = registeredRows(registry, kind)
  const failures = registry.failures.map(describeFailure)
  if (command.jsonEnabled()) {
    for (const { label, reason } of failures) process.stderr.write(`warning: plugin ${label} failed to load and was skipped: ${reason}\n`)
    return rows
  }
  if (rows.length === 0) command.log(`no ${PLURAL[kind]} registered`)
  else {
    const cells = rows.map((r) => [
      r.aliases?.length ? `${r.name} (aka ${r.aliases.join(', ')})` : r.name,
      r.plugin,
      r.version,
      r.specificationVersion,
      r.description ?? '',
    ])
    const header = ['name', 'plugin', 'version', 'contract', 'description']
    command.log(fitToTerminal(table(header, cells)))
  }
  if (failures.length > 0) {
    command.log('')
    command.log(`${failures.length} plugin${failures.length === 1 ? '' : 's'} failed to load and ${failures.length === 1 ? 'was' : 'were'} skipped:`)
    for (const { label, reason } of failures) command.log(`  ${label}: ${reason}`)
  }
  return rows
}

/** On a terminal, cuts lines (the description column) at its width; piped output stays whole. */
function fitToTerminal(text: string): string {
  const width = process.stdout.isTTY ? process.stdout.columns : undefined
  if (!width) return text
  return text
    .split('\n')
    .map((line) => (line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line))
    .join('\n')
}
