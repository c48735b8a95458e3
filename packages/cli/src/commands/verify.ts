import { Args, Flags } from '@oclif/core'
import { verifyBundle } from '../api/verify.js'
import { BaseCommand } from '../base-command.js'
import { counted } from '../ui/counted.js'
import { backendFlag, configFlag, datasetDirFlag } from '../flags.js'
import { withInterruption } from '../interrupt.js'
import { rerunEvidenceLines } from '../ui/rerun-text.js'

export default class Verify extends BaseCommand {
  static override summary = 'Check a bundle without trusting it: evaluate every patch again and recompute every rate; --rerun K runs K pairs again.'
  static override description =
    'Unpacks the bundle and checks every file against the digests bundle.json lists (and its signature, by --signer when given), ' +
    "every record against the bundle's claim (agents, models, setting, dataset, versions), each task's digest against the dataset " +
    "here, each patch's lines against its result.json; evaluates every pair again from its patches (as `cooperbench eval`), compares " +
    "each verdict with the bundle's, recomputes the report and compares every rate and interval. Exits 1 naming the first file, task, " +
    'pair, verdict or figure that differs, 2 when the file is not a bundle (a broken archive); 0 when all match. ' +
    'With --rerun K, a verified bundle has K pairs drawn at random (--seed) run again with the claimed agents, models and options on ' +
    "the configured backend and evaluated: how many reruns agree with the bundle's verdicts, and whether the bundle's pass rate lies in " +
    "the reruns' 95% Wilson interval, are printed as evidence; they do not change the exit code (models vary from run to run)."
  static override examples = [
    '<%= config.bin %> verify results.tar.gz',
    '<%= config.bin %> verify results.tar.gz --signer author.pub.pem',
    '<%= config.bin %> verify results.tar.gz --dataset-dir ./dataset --backend docker',
    '<%= config.bin %> verify results.tar.gz --rerun 5 --seed 42 --model-base-url http://localhost:8000/v1',
  ]
  static override enableJsonFlag = true
  static override args = { bundle: Args.string({ description: 'The bundle (.tar.gz) to check.', required: true }) }
  static override flags = {
    concurrency: Flags.integer({ char: 'c', description: 'Parallel evaluations (the configured evalConcurrency); reruns at once (4).', min: 1 }),
    signer: Flags.string({ description: "The author's Ed25519 public key (PEM): the bundle must carry its signature.", helpValue: 'FILE' }),
    rerun: Flags.integer({
      description: 'Once it verifies, rerun K pairs drawn from the bundle with the claimed agent, model and options, and compare the verdicts.',
      min: 1,
      helpValue: 'K',
    }),
    seed: Flags.integer({ description: 'Seed of the --rerun draw (default: a fresh one, printed).', min: 0, dependsOn: ['rerun'] }),
    'model-base-url': Flags.string({
      description: "OpenAI-compatible server the reruns call the claimed model at (yours: the bundle's is never called unless named).",
      helpValue: 'URL',
      dependsOn: ['rerun'],
    }),
    'agent-config': Flags.string({
      description: 'Your copy of the agent config file a run claims by its digest, for --rerun.',
      helpValue: 'FILE',
      dependsOn: ['rerun'],
    }),
    ...backendFlag,
    ...datasetDirFlag,
    ...configFlag,
  }

  async run(): Promise<unknown> {
    const { args, flags } = await this.parse(Verify)
    const result = await withInterruption((signal) =>
      verifyBundle({
        file: args.bundle,
        datasetDir: flags['dataset-dir'],
        backend: flags.backend,
        concurrency: flags.concurrency,
        config: flags.config,
        signer: flags.signer,
        rerun: flags.rerun,
        seed: flags.seed,
        modelBaseUrl: flags['model-base-url'],
        agentConfig: flags['agent-config'],
        signal,
      }),
    )
    if (!this.jsonEnabled()) {
      this.log(`verified ${result.file}: ${result.runs.length} run(s), ${counted(result.pairs, 'pair')} evaluated again with the same verdicts,`)
      this.log(`  ${counted(result.tasks, 'task')} with the bundle's dataset digests, ${counted(result.figures, 'figure')} of the report recomputed alike`)
      this.log(result.signer === null ? '  unsigned: anyone could have made it' : `  signed by the Ed25519 key ${result.signer}`)
      if (result.rerun !== null) for (const line of rerunEvidenceLines(result.rerun)) this.log(line)
    }
    return result
  }
}
