import { Flags } from '@oclif/core'
import { CooperbenchError } from '@cooperbench/core'
import { writeFileAtomic } from '@cooperbench/core/results'
import { report } from '../api/report.js'
import { BaseCommand } from '../base-command.js'
import { logDirFlag } from '../flags.js'
import { REPORT_FORMATS, renderReport } from '../report-formats/index.js'

export default class Report extends BaseCommand {
  static override summary = 'Summarise one or more runs: pass rates with 95% intervals, merge outcomes, per-repo breakdown, coordination deficit.'
  static override description =
    'Reads the run folders only (no sandbox). With a solo and a coop run (or one run holding both settings) it prints the coordination deficit: solo rate minus coop rate, with Newcombe\'s 95% interval. Several runs are shown side by side, never pooled. --format md, csv or latex renders the same numbers as Markdown tables, one tidy CSV table or booktabs tabulars for a paper. Also rewrites each run\'s eval_summary.json from its pair folders.'
  static override examples = [
    '<%= config.bin %> report -n coop-or-gemini-3-flash-demo',
    '<%= config.bin %> report -n solo-or-gemini-3-flash-demo -n coop-or-gemini-3-flash-demo --json',
    '<%= config.bin %> report -n solo-or-gemini-3-flash-demo -n coop-or-gemini-3-flash-demo --format latex -o results.tex',
  ]
  static override enableJsonFlag = true
  static override flags = {
    name: Flags.string({ char: 'n', description: 'Run name (repeat for several runs).', multiple: true, required: true }),
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
    const result = await report({ runNames: flags.name, logDir: flags['log-dir'] })
    const format = flags.json ? 'json' : flags.format
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
