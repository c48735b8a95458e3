import type { PluginKind, PluginRegistry } from '@cooperbench/core'
import { silentLogger } from '@cooperbench/spec-utils'
import { BaseCommand } from './base-command.js'
import { openCommandHost } from './context.js'
import { configFlag } from './flags.js'
import { describeFailure, type RegisteredRow, registeredRows } from './plugins.js'
import { table } from '@cooperbench/report/run-summary'
import { settingOptions } from './setting-flags.js'

const PLURAL: Record<PluginKind, string> = { agent: 'agents', backend: 'backends', bus: 'buses', evaluator: 'evaluators', setting: 'settings' }

/** `cooperbench agents|backends|buses|evaluators list` and `settings`, as their description says; each command file exports the class this makes. */
export function registeredListCommand(kind: PluginKind, own: { aliases?: string[] } = {}): typeof BaseCommand {
  const plural = PLURAL[kind]
  return class extends BaseCommand {
    static override aliases = own.aliases ?? []
    static override summary = `List the ${plural} that are installed: the plugin and version each comes from, and its contract version.`
    static override description =
      `Shows every registered ${kind} (from installed plugins, core included, and plugins named in the config file) and, under the table, the plugins that failed to load with the reason. With --json the value is the list of {name, plugin, version, specificationVersion, aliases?, description?}; load failures go to stderr.`
    static override examples = [`<%= config.bin %> ${plural} list`, `<%= config.bin %> ${plural} list --json`]
    static override enableJsonFlag = true
    static override flags = { ...configFlag }

    async run(): Promise<RegisteredRow[]> {
      const { flags } = await this.parse()
      // Failures are shown here (under the table, or on stderr with --json), not as the host's warnings.
      const { registry } = (await openCommandHost(this.config, {}, (flags as { config?: string }).config, false, { reportFailures: false })).services
      const rows = registeredRows(registry, kind)
      const options = kind === 'setting' ? settingOptions(registry) : []
      // A setting's options (its flags of `run`, variables and defaults) and seat roles (`seats.<role>`), declared in the setting alone.
      if (kind === 'setting') {
        for (const row of rows) Object.assign(row, { options: options.filter((o) => o.setting === row.name), roles: await settingRoles(registry, row.name) })
      }
      const failures = registry.failures.map(describeFailure)
      if (this.jsonEnabled()) {
        for (const { label, reason } of failures) process.stderr.write(`warning: plugin ${label} failed to load and was skipped: ${reason}\n`)
        return rows
      }
      if (rows.length === 0) this.log(`no ${plural} registered`)
      else {
        const roles = (r: RegisteredRow) => ((r as { roles?: string[] }).roles ?? []).join(', ')
        const cells = rows.map((r) => [
          r.aliases?.length ? `${r.name} (aka ${r.aliases.join(', ')})` : r.name,
          r.plugin,
          r.version,
          r.specificationVersion,
          ...(kind === 'setting' ? [roles(r)] : []),
          r.description ?? '',
        ])
        const headers = ['name', 'plugin', 'version', 'contract', ...(kind === 'setting' ? ['seat roles'] : []), 'description']
        this.log(fitToTerminal(table(headers, cells)))
      }
      if (options.length > 0) {
        this.log('')
        this.log('options (settings.<setting>.<key> in a config file; the flags are flags of `cooperbench run`):')
        const cells = options.map((o) => [o.setting, o.key, o.flag ? `--${o.flag}` : '', o.env ?? '', JSON.stringify(o.default) ?? '', o.description])
        this.log(fitToTerminal(table(['setting', 'key', 'flag', 'variable', 'default', 'description'], cells)))
      }
      if (failures.length > 0) {
        this.log('')
        this.log(`${failures.length} plugin${failures.length === 1 ? '' : 's'} failed to load and ${failures.length === 1 ? 'was' : 'were'} skipped:`)
        for (const { label, reason } of failures) this.log(`  ${label}: ${reason}`)
      }
      return rows
    }
  }
}

/** A setting's seat roles, as its shape with default options declares them ([] when it declares none or cannot be made). */
async function settingRoles(registry: PluginRegistry, name: string) {
  try {
    const setting = await registry.create('setting', name, { options: registry.validateOptions('setting', name, {}), logger: silentLogger })
    return [...(setting.shape({ messaging: true, git: false, features: 2 }).roles ?? [])]
  } catch {
    return []
  }
}

/** On a terminal, cuts lines (the description column) at its width; piped output stays whole. */
function fitToTerminal(text: string) {
  const width = process.stdout.isTTY ? process.stdout.columns : undefined
  if (!width) return text
  return text
    .split('\n')
    .map((line) => (line.length > width ? `${line.slice(0, Math.max(0, width - 1))}…` : line))
    .join('\n')
}
