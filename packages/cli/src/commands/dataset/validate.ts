import { resolve } from 'node:path'
import { Errors } from '@oclif/core'
import { ExitCode } from '@cooperbench/core'
import { loadDataset, validateDataset } from '@cooperbench/core/dataset'
import { BaseCommand } from '../../base-command.js'
import { datasetDirFlag } from '../../flags.js'

export default class DatasetValidate extends BaseCommand {
  static override summary =
    'Check every task of a dataset, its feature and test patches applied to their base, and report each problem (keeps going past the first).'
  static override examples = ['<%= config.bin %> dataset validate', '<%= config.bin %> dataset validate --dataset-dir ../cooperbench-dataset --json']
  static override enableJsonFlag = true
  static override flags = { ...datasetDirFlag }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(DatasetValidate)
    const dataset = await loadDataset(resolve(flags['dataset-dir'] ?? 'dataset'), { tolerant: true })
    const problems = await validateDataset(dataset, { applyPatches: true })
    const errors = problems.filter((p) => p.severity === 'error')
    const result = { dataset: dataset.dir, tasks: dataset.tasks.length, errors: errors.length, warnings: problems.length - errors.length, problems }
    if (this.jsonEnabled()) {
      if (errors.length > 0) {
        this.logJson(result)
        throw new Errors.ExitError(ExitCode.dataset)
      }
      return result
    }
    for (const p of problems) this.log(`${p.severity}: ${p.path}: ${p.problem}`)
    this.log(`${dataset.tasks.length} tasks checked: ${errors.length} error(s), ${problems.length - errors.length} warning(s)`)
    if (errors.length > 0) this.exit(ExitCode.dataset)
    return result
  }
}
