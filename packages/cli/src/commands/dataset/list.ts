import { pairFolderName } from '@cooperbench/spec-utils'
import { listedPairs, listSubsets, loadSubset } from '@cooperbench/dataset'
import { Flags } from '@oclif/core'
import { resolve } from 'node:path'
import { BaseCommand } from '../../base-command.js'
import { selectForDatasetCommand } from '../../context.js'
import { datasetDirFlag, filterFlags } from '../../flags.js'
import { counted } from '../../ui/counted.js'

export default class DatasetList extends BaseCommand {
  static override summary = 'List the pairs a filter selects, in execution order, without running anything.'
  static override description =
    'With --subsets, list the subset files of the dataset instead: what each lists (pairs, groups of N, or every pair) and how many.'
  static override examples = [
    '<%= config.bin %> dataset list -s demo',
    '<%= config.bin %> dataset list -s team3_clean',
    '<%= config.bin %> dataset list -r pallets_jinja_task -f 1,2 --json',
    '<%= config.bin %> dataset list --subsets',
  ]
  static override enableJsonFlag = true
  static override flags = {
    ...datasetDirFlag,
    ...filterFlags,
    subsets: Flags.boolean({ description: "List the dataset's subset files: the pairs or groups each lists.", default: false }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(DatasetList)
    if (flags.subsets) return this.listSubsetFiles(resolve(flags['dataset-dir'] ?? 'dataset'))
    const { pairs } = await selectForDatasetCommand(flags, (m) => this.warn(m))
    const rows = pairs.map((p) => ({
      repo: p.task.repo,
      task_id: p.task.taskId,
      features: p.features,
      pair: pairFolderName(p.features),
      base_commit: p.task.source.baseCommit,
    }))
    if (!this.jsonEnabled()) {
      if (rows.length === 0) this.log('no tasks found')
      for (const r of rows) this.log(`${r.repo}/${r.task_id}/${r.features.join(',')}`)
    }
    return rows
  }

  /** One row per subset file: its tasks, and the pairs it lists by size (`every pair` for entries that list none). */
  private async listSubsetFiles(datasetDir: string): Promise<unknown> {
    const rows = []
    for (const name of await listSubsets(datasetDir)) {
      const subset = await loadSubset(datasetDir, name)
      const bySize = new Map<number, number>()
      let unlisted = 0
      for (const entry of subset.tasks) {
        const pairs = listedPairs(entry)
        if (pairs === null) unlisted++
        for (const pair of pairs ?? []) bySize.set(pair.length, (bySize.get(pair.length) ?? 0) + 1)
      }
      const lists = [...bySize.entries()].sort(([a], [b]) => a - b).map(([size, count]) => ({ kind: size === 2 ? 'pairs' : `groups of ${size}`, count }))
      rows.push({ name, tasks: subset.tasks.length, lists, every_pair_tasks: unlisted, description: subset.description })
    }
    if (!this.jsonEnabled()) {
      if (rows.length === 0) this.log(`no subset files in ${datasetDir}/subsets`)
      for (const row of rows) {
        const parts = row.lists.map((l) => `${l.count} ${l.kind}`)
        if (row.every_pair_tasks > 0) parts.push(`every pair of ${counted(row.every_pair_tasks, 'task')}`)
        this.log(`${row.name}: ${row.tasks} task${row.tasks === 1 ? '' : 's'}; ${parts.join(', ')}`)
      }
    }
    return rows
  }
}
