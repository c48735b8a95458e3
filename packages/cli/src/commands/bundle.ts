import { Flags } from '@oclif/core'
import { bundleRuns } from '../api/bundle.js'
import { BaseCommand } from '../base-command.js'
import { counted } from '../ui/counted.js'
import { configFlag, datasetDirFlag, logDirFlag } from '../flags.js'

export default class Bundle extends BaseCommand {
  static override summary = 'Pack finished runs into one archive a maintainer can verify: patches, verdicts, report, configuration, dataset digests.'
  static override description =
    "Writes a .tar.gz holding each run's config.json, every pair's result.json, eval.json and patches, the report computed from them " +
    "(report.json, report.md) and, with --trajectories, the agents' trajectories; bundle.json states the claim (each run's agents and " +
    "models, setting and options, dataset and subset, harness and plugin versions, from its fingerprint), each task's dataset digest " +
    "and the sha256 of every other file; --sign adds an Ed25519 signature over it (bundle.sig). Secrets and this machine's paths are " +
    'left out. `cooperbench verify` checks it. A run still running or unfinished is refused, as is an -o that is a folder.'
  static override examples = [
    '<%= config.bin %> bundle -n solo-run -n coop-run -o results.tar.gz',
    '<%= config.bin %> bundle -n team-run --trajectories --sign key.pem',
  ]
  static override enableJsonFlag = true
  static override flags = {
    name: Flags.string({ char: 'n', description: 'Run name (repeat for several runs).', multiple: true, required: true }),
    output: Flags.string({ char: 'o', description: 'The archive to write (default <first run>.bundle.tar.gz).', helpValue: 'FILE' }),
    trajectories: Flags.boolean({ description: "Add the agents' trajectories.", default: false }),
    sign: Flags.string({ description: 'Sign bundle.json with this Ed25519 private key (PEM), in bundle.sig.', helpValue: 'KEY' }),
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
      sign: flags.sign,
    })
    if (!this.jsonEnabled()) this.log(`wrote ${result.file}: ${flags.name.length} run(s), ${counted(result.pairs, 'pair')}, ${counted(result.tasks, 'task')}`)
    return result
  }
}
