import { resolve } from 'node:path'
import { Flags } from '@oclif/core'
import { ExitCode } from '@cooperbench/core'
import { BaseCommand } from '../../base-command.js'
import { downloadDataset, type DownloadSummary } from '../../dataset-download/download-dataset.js'
import { describeLocation, hubLocationFromEnv } from '../../dataset-download/hub-location.js'
import { withInterruption } from '../../interrupt.js'
import formatBytes from 'pretty-bytes'
import { createDownloadProgress } from '../../dataset-download/progress.js'
import { loadDataset } from '@cooperbench/dataset'
import { validateDataset } from '../../dataset-check/index.js'
import { validationLines, validationReport } from '../../dataset-check/report.js'

export default class DatasetDownload extends BaseCommand {
  static override summary = 'Download the CooperBench dataset from Hugging Face (resumable, checksum-verified), then validate it.'
  static override description =
    "Fetches the dataset repo cooperbench/cooperbench file by file with the Hugging Face hub API. Files already present with the right checksum are kept; each other file is written to <file>.partial, continued from where an earlier attempt stopped, checked against the hub's checksum (git blob id, or sha256 for LFS files) and only then renamed into place. HF_ENDPOINT selects the hub (a mirror), HF_TOKEN gives an access token. Ends with the checks of `dataset validate`."
  static override examples = [
    '<%= config.bin %> dataset download',
    '<%= config.bin %> dataset download --subset lite',
    '<%= config.bin %> dataset download --dir ../cooperbench-dataset --revision v1.0 --json',
  ]
  static override enableJsonFlag = true
  static override flags = {
    dir: Flags.string({ description: 'Folder to download into: the dataset root.', default: 'dataset', aliases: ['dataset-dir'], helpValue: 'DIR' }),
    revision: Flags.string({ description: 'Branch, tag or commit of the dataset repo.', default: 'main', helpValue: 'REV' }),
    subset: Flags.string({
      char: 's',
      description:
        'Only the tasks of this subset (any subsets/<name>.json the dataset holds: lite, flash, flash_10, spark, core, team3_clean, …) and its file.',
      helpValue: 'NAME',
    }),
    concurrency: Flags.integer({ char: 'c', description: 'Files downloaded at once.', default: 8, min: 1 }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(DatasetDownload)
    const location = hubLocationFromEnv(flags.revision)
    const progress = createDownloadProgress(this.jsonEnabled() ? 'silent' : 'auto')
    // A file only gets its real name once verified, so even a second Ctrl+C leaves nothing corrupt.
    const summary = await withInterruption(
      (signal) => downloadDataset({ dir: flags.dir, location, subset: flags.subset ?? null, concurrency: flags.concurrency, signal, progress }),
      () => progress.stop(),
      'stopping the download; finished files are kept and partial ones resume next time',
    )
    const downloaded = await loadDataset(resolve(flags.dir), { tolerant: true })
    const validation = validationReport(downloaded, await validateDataset(downloaded))
    const result = { source: describeLocation(location), subset: flags.subset ?? null, ...summary, validation }
    if (!this.jsonEnabled()) {
      this.log(summaryLine(summary, location.revision, validation.dataset))
      for (const line of validationLines(validation)) this.log(line)
    }
    if (validation.errors > 0) this.exitWith(ExitCode.dataset, result)
    return result
  }
}

function summaryLine(summary: DownloadSummary, revision: string, dir: string) {
  const fetched = summary.downloaded + summary.resumed
  const resumed = summary.resumed > 0 ? ` (${summary.resumed} resumed)` : ''
  const commit = summary.commit !== revision ? ` (commit ${summary.commit.slice(0, 12)})` : ''
  return `${summary.files} files of revision ${revision}${commit} in ${dir}: ${fetched} fetched${resumed}, ${formatBytes(summary.bytes)}; ${summary.present} already present`
}
