import type { PluginKind } from '@cooperbench/core'
import { BaseCommand } from './base-command.js'
import { configFlag } from './flags.js'
import { listRegistered } from './plugins.js'

/**
 * The base of `cooperbench agents|backends|buses|evaluators list`: the registered objects of one
 * kind (from installed plugins, core included, and plugins named in the config file) and, under
 * the table, the plugins that failed to load with the reason.
 */
export abstract class RegisteredListCommand extends BaseCommand {
  static override enableJsonFlag = true
  static override flags = { ...configFlag }
  protected abstract readonly kind: PluginKind

  async run(): Promise<unknown> {
    const { flags } = await this.parse()
    return listRegistered(this, this.kind, (flags as { config?: string }).config)
  }
}

/** The help texts of one list command. */
export function listHelp(kind: PluginKind, plural: string, what: string): { summary: string; description: string; examples: string[] } {
  return {
    summary: `List the ${what} that are installed: the plugin and version each comes from, and its contract version.`,
    description: `Shows every registered ${kind} (from installed plugins, core included, and plugins named in the config file) and, under the table, the plugins that failed to load with the reason. With --json the value is the list of {name, plugin, version, specificationVersion, aliases?, description?}; load failures go to stderr.`,
    examples: [`<%= config.bin %> ${plural} list`, `<%= config.bin %> ${plural} list --json`],
  }
}
