import { Flags } from '@oclif/core'
import { bundleRuns } from '../api/bundle.js'
import { BaseCommand } from '../base-command.js'
import { configFlag, datasetDirFlag, logDirFlag } from '../flags.js'

export default class Bundle extends BaseCommand {
  static override summary = 'Pack finished runs into one archive a maintainer can verify: patches, verdicts, report, configuration, dataset digests.'
  static override description =
    "Writes a .tar.gz holding each run's config.json (its fingerprint) with the versions of the plugins that served it, every pair's " +
    "result.json, eval.json and patches, the report computed from them (report.json, report.md), each task's dataset digest and, with " +
    "--trajectories, the agents' trajectories. Secrets and this machine's paths are left out. `cooperbench verify` checks it. " +
    'A run still running or unfinished is refused, as is an -o that is a folder.'
  static override examples = ['<%= config.bin %> bundle -n solo-run -n coop-run -o results.tar.gz', '<%= config.bin %> bundle -n team-run --trajectories']
  static override enableJsonFlag = true
  static override flags = {
    name: Flags.string({ char: 'n', description: 'Run name (repeat for several runs).', multiple: true, required: true }),
    output: Flags.string({ char: 'o', description: 'The archive to write (default <first run>.bundle.tar.gz).', helpValue: 'FILE' }),
    trajectories: Flags.boolean({ description: "Add the agents' trajectories.", default: false }),
    ...logDirFlag,
    ...datasetDirFlag,
    ...configFlag,
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Bundle)
    const result = await bundleRuns({
      runNames: flags.name,
      out: flags.output,
      trajectories: flags.trajectories,
      logDir: flags['log-dir'],
      datasetDir: flags['dataset-dir'],
      config: flags.config,
    })
    if (!this.jsonEnabled()) this.log(`wrote ${result.file}: ${flags.name.length} run(s), ${result.pairs} pairs, ${result.tasks} tasks`)
    return result
  }
}
