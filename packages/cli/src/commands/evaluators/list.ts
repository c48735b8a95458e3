import { BaseCommand } from '../../base-command.js'
import { configFlag } from '../../flags.js'
import { listRegistered } from '../../plugins.js'

export default class EvaluatorsList extends BaseCommand {
  static override summary = 'List the evaluators that are installed: the plugin and version each comes from, and its contract version.'
  static override description =
    'Shows every registered evaluator (from installed plugins, core included, and plugins named in the config file) and, under the table, the plugins that failed to load with the reason. With --json the value is the list of {name, plugin, version, specificationVersion, aliases?, description?}; load failures go to stderr.'
  static override examples = ['<%= config.bin %> evaluators list', '<%= config.bin %> evaluators list --json']
  static override enableJsonFlag = true
  static override flags = { ...configFlag }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(EvaluatorsList)
    return listRegistered(this, 'evaluator', flags.config)
  }
}
