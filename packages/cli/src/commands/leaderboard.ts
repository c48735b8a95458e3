import { Args, Flags } from '@oclif/core'
import { buildLeaderboardSite } from '../api/leaderboard.js'
import { BaseCommand } from '../base-command.js'
import { backendFlag, configFlag, datasetDirFlag } from '../flags.js'
import { withInterruption } from '../interrupt.js'

export default class Leaderboard extends BaseCommand {
  static override summary = 'Verify every bundle of a folder and write a static leaderboard site of them, each row linking to its runs.'
  static override description =
    'Runs `cooperbench verify` on every *.tar.gz (or *.tgz) of FOLDER, then writes a static site to -o: index.html with a row per run and setting ' +
    'of each bundle (setting, agent, model per seat, pass rate with its 95% interval, the coordination deficit against a solo run of the ' +
    "folder on the same pairs, verification, the signer's key fingerprint or unsigned, with --rerun K the share of K reruns that agree) and each verified bundle's runs " +
    'as `cooperbench view --export` writes them, linked from its rows. A bundle that does not verify is listed with why and no figures. ' +
    'The site opens from the file system or any static host; -o is made, or replaced whole when an earlier leaderboard wrote it.'
  static override examples = [
    '<%= config.bin %> leaderboard submissions -o site',
    '<%= config.bin %> leaderboard submissions -o site --dataset-dir ./dataset --backend docker',
    '<%= config.bin %> leaderboard submissions -o site --rerun 5 --model-base-url http://localhost:8000/v1',
  ]
  static override enableJsonFlag = true
  static override args = { folder: Args.string({ description: 'The folder of bundles (.tar.gz, .tgz) to verify and list.', required: true }) }
  static override flags = {
    output: Flags.string({ char: 'o', description: "The site's folder (made; an earlier leaderboard's is replaced).", required: true, helpValue: 'DIR' }),
    concurrency: Flags.integer({ char: 'c', description: 'Parallel evaluations (the configured evalConcurrency).', min: 1 }),
    rerun: Flags.integer({
      description: 'Rerun K pairs of each verified bundle (as verify --rerun): its rows show how many verdicts agree.',
      min: 1,
      helpValue: 'K',
    }),
    seed: Flags.integer({ description: "Seed of every bundle's --rerun draw (default: a fresh one each).", min: 0, dependsOn: ['rerun'] }),
    'model-base-url': Flags.string({ description: 'Your server for the claimed models of the reruns.', helpValue: 'URL', dependsOn: ['rerun'] }),
    ...backendFlag,
    ...datasetDirFlag,
    ...configFlag,
  }

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Leaderboard)
    const result = await withInterruption((signal) =>
      buildLeaderboardSite({
        folder: args.folder,
        out: flags.output,
        datasetDir: flags['dataset-dir'],
        backend: flags.backend,
        concurrency: flags.concurrency,
        rerun: flags.rerun,
        seed: flags.seed,
        modelBaseUrl: flags['model-base-url'],
        config: flags.config,
        signal,
      }),
    )
    if (!this.jsonEnabled()) {
      for (const s of result.site.submissions) {
        const v = s.verification
        this.log(v.verified ? `verified ${s.bundle}: ${s.rows.length} row(s), ${v.signer ?? 'unsigned'}` : `not verified ${s.bundle}: ${v.reason}`)
      }
      this.log(`wrote ${result.index}`)
    }
    return result
  }
}
