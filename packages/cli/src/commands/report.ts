import { Flags } from '@oclif/core'
import { CooperbenchError, ExitCode } from '@cooperbench/core'
import { writeFileAtomic } from '@cooperbench/results'
import { REPORT_FORMATS, renderReport } from '@cooperbench/report'
import { report } from '../api/report.js'
import { BaseCommand } from '../base-command.js'
import { logDirFlag } from '../flags.js'

export default class Report extends BaseCommand {
  static override summary =
    'Summarise one or more runs: pass rates (reference-compatible and strict) with 95% intervals, merge outcomes, per-repo breakdown, coordination deficit.'
  static override description =
    'Reads the run folders only (no sandbox). With a solo and a coop run of the same agent, model, limits and prompt profile (or one run holding both settings) ' +
    'it prints the coordination deficit on the pairs both judged: (solo rate − coop rate) / solo rate with a Jeffreys 95% interval ' +
    '(not estimable when solo passed no pair), ' +
    "the difference in points with Newcombe's paired interval, the 2×2 agreement table and McNemar's exact test. " +
    'Runs whose fingerprints differ are listed as not comparable; --solo RUN --coop RUN names the two to compare and refuses them when they differ. ' +
    'Several runs are shown side by side, never pooled; a leaderboard gives one row per agent × model from comparable runs. --format md, csv or latex renders the same numbers as Markdown tables, one tidy CSV table or ' +
    "a LaTeX table for a paper. --write-eval-summary also rewrites each run's eval_summary.json from its pair folders. " +
    "A result.json or eval.json that cannot be read (not JSON, or not of its record's shape) is named with why, its pair is left out of every count, and the report exits 1."
  static override examples = [
    '<%= config.bin %> report -n coop-or-demo',
    '<%= config.bin %> report -n solo-or-demo -n coop-or-demo --json',
    '<%= config.bin %> report --solo solo-or-demo --coop coop-or-demo',
    '<%= config.bin %> report -n solo-or-demo -n coop-or-demo --format latex -o results.tex',
  ]
  static override enableJsonFlag = true
  static override flags = {
    name: Flags.string({ char: 'n', description: 'Run name (repeat for several runs).', multiple: true }),
    solo: Flags.string({ description: 'The solo run of the deficit (with --coop); read even without -n.', helpValue: 'RUN', dependsOn: ['coop'] }),
    coop: Flags.string({ description: 'The coop run of the deficit (with --solo); read even without -n.', helpValue: 'RUN', dependsOn: ['solo'] }),
    'write-eval-summary': Flags.boolean({ description: "Also rewrite each run's eval_summary.json from its pair folders.", default: false }),
    format: Flags.option({
      options: REPORT_FORMATS,
      default: 'text',
      description: 'text: tables for the terminal; md: GitHub Markdown tables; csv: one tidy table (RFC 4180); json: as --json; latex: booktabs tabulars.',
    })(),
    output: Flags.string({ char: 'o', description: 'Write the report to FILE (atomically) instead of stdout.', helpValue: 'FILE' }),
    ...logDirFlag,
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(Report)
    if (flags.json && flags.format !== 'text' && flags.format !== 'json') {
      throw new CooperbenchError('USAGE', `--json and --format ${flags.format} ask for two formats`, { hint: 'Use one of them; --format json is --json.' })
    }
    if (!flags.name?.length && !flags.solo) {
      throw new CooperbenchError('USAGE', 'name the runs to report', { hint: 'e.g. report -n my-run, or report --solo solo-run --coop coop-run' })
    }
    const result = await report(
      {
        runNames: flags.name ?? [],
        logDir: flags['log-dir'],
        solo: flags.solo,
        coop: flags.coop,
        writeEvalSummary: flags['write-eval-summary'],
      },
      { oclifConfig: this.config },
    )
    const format = flags.json ? 'json' : flags.format
    if (result.unreadable.length > 0) {
      // The numbers leave those pairs out: a script must not take them for the whole run.
      process.exitCode = ExitCode.failure
      for (const { problem } of result.unreadable) process.stderr.write(`warning: unreadable, left out of the report: ${problem}\n`)
    }
    if (flags.output) {
      await writeFileAtomic(flags.output, renderReport(result, format))
      this.logToStderr(`wrote ${flags.output}`)
      return undefined
    }
    // --json is printed by oclif from the returned value.
    if (!this.jsonEnabled()) process.stdout.write(renderReport(result, format))
    return result
  }
}
