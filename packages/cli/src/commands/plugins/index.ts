import { Flags } from '@oclif/core'
import type { PluginFailure } from '@cooperbench/core'
import { BaseCommand } from '../../base-command.js'
import { describeFailure, loadRegistry } from '../../plugins.js'

/** One installed plugin as `cooperbench plugins --json` gives it; `refused` when cooperbench will not load it. */
export interface InstalledPluginRow {
  name: string
  version: string
  type: string
  root: string
  refused?: { code: string; message: string; hint?: string }
}

/** Replaces @oclif/plugin-plugins' list (the CLI's command wins) so a refused plugin (other core or contract, throws) is not listed as working. */
export default class Plugins extends BaseCommand {
  static override summary = 'List installed plugins, marking those cooperbench refuses with the reason and the fix.'
  static override description =
    'Installed (`plugins install`) and linked (`plugins link`) plugins with their versions; a plugin that cooperbench will not load is marked `refused:` with why and what to do. With --json the value is a list of {name, version, type, root, refused?: {code, message, hint?}}.'
  static override examples = ['<%= config.bin %> plugins', '<%= config.bin %> plugins --core', '<%= config.bin %> plugins --json']
  static override enableJsonFlag = true
  static override flags = {
    core: Flags.boolean({ description: 'Show core plugins (the ones the CLI ships with) too.', default: false }),
  }

  async run(): Promise<InstalledPluginRow[]> {
    const { flags } = await this.parse(Plugins)
    const registry = await loadRegistry(this.config)
    const failures = new Map<string, PluginFailure>()
    for (const failure of registry.failures) if (!failures.has(failure.plugin)) failures.set(failure.plugin, failure)
    const shown = this.config
      .getPluginsList()
      .filter((p) => !p.parent && p.root !== this.config.root && (flags.core || (p.type !== 'core' && p.type !== 'dev')))
      .sort((a, b) => a.name.localeCompare(b.name))
    const rows = shown.map((plugin): InstalledPluginRow => {
      const failure = failures.get(plugin.name)
      const refused = failure ? { code: failure.code, message: failure.message, ...(failure.hint ? { hint: failure.hint } : {}) } : undefined
      return { name: plugin.name, version: plugin.version, type: plugin.type, root: plugin.root, ...(refused ? { refused } : {}) }
    })
    if (!this.jsonEnabled()) {
      if (rows.length === 0) this.log('No plugins installed.')
      for (const r of rows) {
        const failure = failures.get(r.name)
        const where = r.type === 'link' ? ` (link) ${r.root}` : r.type === 'user' ? '' : ` (${r.type})`
        this.log(`${r.name} ${r.version}${where}${failure ? ` — refused: ${describeFailure(failure).reason}` : ''}`)
      }
      const refused = rows.filter((r) => r.refused).length
      if (refused > 0) this.log(`\n${refused} refused: cooperbench skips ${refused === 1 ? 'it' : 'them'}; what each provides is unavailable until fixed.`)
    }
    return rows
  }
}
