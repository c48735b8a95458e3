import { datasetStats } from '../../dataset-check/index.js'
import { BaseCommand } from '../../base-command.js'
import { selectForDatasetCommand } from '../../context.js'
import { datasetDirFlag, filterFlags } from '../../flags.js'
import { table } from '@cooperbench/report'

export default class DatasetStats extends BaseCommand {
  static override summary = 'Count repos, tasks, features and pairs (of the whole dataset or a selection).'
  static override examples = ['<%= config.bin %> dataset stats', '<%= config.bin %> dataset stats -s demo --json']
  static override enableJsonFlag = true
  static override flags = { ...datasetDirFlag, ...filterFlags }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(DatasetStats)
    const { dataset, pairs } = await selectForDatasetCommand(flags, (m) => this.warn(m))
    const stats = datasetStats(dataset, pairs)
    const result = { dataset: dataset.dir, ...stats }
    if (!this.jsonEnabled()) {
      this.log(`${stats.repos} repos, ${stats.tasks} tasks, ${stats.features} features, ${stats.pairs} pairs (${dataset.dir})`)
      this.log(
        table(
          ['repo', 'tasks', 'features', 'pairs'],
          stats.perRepo.map((r) => [r.repo, r.tasks, r.features, r.pairs]),
          ['left', 'right', 'right', 'right'],
        ),
      )
    }
    return result
  }
}
