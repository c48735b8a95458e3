import { Flags } from '@oclif/core'
import { CooperbenchError, ExitCode } from '@cooperbench/core'
import { evaluate } from '../api/evaluate.js'
import { BaseCommand } from '../base-command.js'
import { createLogger, filterFlagsToOptions } from '../context.js'
import type { EvaluationPolicy } from '@cooperbench/spec'
import { configFlag, evalPolicyFlag, filterFlags } from '../flags.js'
import { declaredFlagSet } from '../declared-flags.js'
import { withInterruption } from '../interrupt.js'
import { formatEvalSummary } from '../ui/summary-text.js'
import { withDefault } from '../config-default.js'

/** The settings `eval` takes from their declaration; its -c and --policy mean something of their own (below). */
const evalSettings = declaredFlagSet(['backend', 'evaluator', 'datasetDir', 'logDir', 'testTimeoutSeconds'])

export default class Eval extends BaseCommand {
  static override summary = 'Evaluate the finished pairs of a run.'
  static override description =
    "Merges each pair's patches (coop: as the evaluation policy says), runs both features' hidden tests through the task's runner.sh, writes eval.json per pair and eval_summary.json for the whole run. Pairs that already have a verdict are kept unless --force; error verdicts are retried."
  static override examples = ['<%= config.bin %> eval -n solo-or-demo', '<%= config.bin %> eval -n solo-or-demo -r textkit_task --force']
  static override enableJsonFlag = true

  static override flags = {
    name: Flags.string({ char: 'n', description: 'Run name to evaluate (required).' }),
    ...filterFlags,
    concurrency: Flags.integer({
      char: 'c',
      description: withDefault('Parallel evaluations (the configured evalConcurrency).', 'evalConcurrency'),
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
    }),
    force: Flags.boolean({ description: 'Re-evaluate pairs that already have eval.json.', default: false }),
    ...evalPolicyFlag,
    ...evalSettings.flags,
    ...configFlag,
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Eval)
    if (!flags.name) {
      // The reference's exact wording and exit code.
      process.stderr.write('error: -n/--name is required for eval command\n')
      this.exit(1)
    }
    const json = this.jsonEnabled()
    let lastProgress = ''
    const outcome = await withInterruption((signal) =>
      evaluate(
        {
          ...filterFlagsToOptions(flags),
          ...evalSettings.configFromFlags(flags),
          runName: flags.name!,
          concurrency: flags.concurrency,
          force: flags.force,
          policy: flags.policy as EvaluationPolicy | undefined,
          config: flags.config,
          logger: createLogger(this.verbose),
          signal,
          onEvent: json
            ? undefined
            : (event) => {
                if (event.type === 'planned') this.logToStderr(`evaluating ${event.toEvaluate} pair(s) (${event.reused} already evaluated)`)
                if (event.type === 'batchProgress') {
                  const line = Object.entries(event.counts)
                    .map(([state, n]) => `${n} ${state}`)
                    .join(', ')
                  if (line !== lastProgress) this.logToStderr(`batch ${line}`)
                  lastProgress = line
                }
                if (event.type === 'evalFinished') {
                  this.logToStderr(`eval  ${event.pair.setting} ${event.pair.label} ${event.verdict}${event.record?.error ? `: ${event.record.error}` : ''}`)
                }
              },
        },
        { oclifConfig: this.config, commandLine: true },
      ),
    )
    if (!json) this.log(formatEvalSummary(outcome.summary))
    if (!json && outcome.unfinished > 0) {
      const resume = `\`${this.config.bin} run\` with the run's options resumes them, then evaluates them`
      this.log(`  ${outcome.unfinished} pair(s) of the run are unfinished (no result.json): ${resume}`)
    }
    if (outcome.interrupted) this.exit(ExitCode.interrupted)
    const { passed, failed, errors } = outcome.summary
    if (passed + failed === 0) {
      if (json) this.logJson({ ...outcome.summary, unfinished: outcome.unfinished })
      const parts = [errors > 0 ? `${errors} evaluation error(s)` : null, outcome.unfinished > 0 ? `${outcome.unfinished} unfinished pair(s)` : null]
      const why = parts.filter((p) => p !== null).join(', ')
      throw new CooperbenchError('NOTHING_JUDGED', `no pair of ${flags.name} was judged${why === '' ? '' : `: ${why}`}`, {
        hint:
          outcome.unfinished > 0
            ? `Resume the run with \`${this.config.bin} run\` and the run's options (finished pairs are kept), then evaluate.`
            : "See the errors above, or each pair's eval.json.",
      })
    }
    return { ...outcome.summary, unfinished: outcome.unfinished }
  }
}
