import { Flags } from '@oclif/core'
import { ExitCode } from '@cooperbench/core'
import { type AnalysisRecord, CATEGORIES, shareText } from '@cooperbench/report'
import { analyze } from '../api/analyze.js'
import { BaseCommand } from '../base-command.js'
import { counted } from '../ui/counted.js'
import { logDirFlag } from '../flags.js'

const percent = (value: number) => `${(value * 100).toFixed(1)}%`

export default class Analyze extends BaseCommand {
  static override summary = "Why coop pairs failed: coordination signals for every pair and, with -m, the paper's failure category per failed pair."
  static override description =
    'Reads a coop run folder. For every pair it computes, without any model: messages, the share of steps and tokens spent on messaging, ' +
    'questions that got no reply, files both agents edited, and promises ("I will … file.py") whose file the promiser never touched. ' +
    "With -m, an LLM judge (any model cooperbench runs agents with) reads each failed pair's conversation, patches, steps, merge and failing tests " +
    "and names one category of the CooperBench paper's taxonomy (expectation, communication, commitment, or no coordination failure) with a " +
    'one-line reason and verbatim quotes, each checked against what the judge was shown. Written to <run>/analysis.json after every pair; ' +
    "a rerun reuses judgements whose model, prompt and inputs are unchanged (--force judges again). The categories are a model's judgement, not ground truth. " +
    "A pair whose result.json or eval.json cannot be read (not JSON, not of its record's shape, or naming another pair) is named with why, " +
    'counted as unreadable (never as passed or failed), left out of the judgements and signals, and the analysis exits 1, as `report` does.'
  static override examples = ['<%= config.bin %> analyze -n coop-or-demo', '<%= config.bin %> analyze -n my-coop-run -m openai/gpt-4o']
  static override enableJsonFlag = true
  static override flags = {
    name: Flags.string({ char: 'n', description: 'Coop run to analyse.', required: true }),
    model: Flags.string({ char: 'm', description: 'Judge model (provider/model); without it only the signals are computed.' }),
    'model-base-url': Flags.string({ description: 'OpenAI-compatible server for the judge model.', helpValue: 'URL' }),
    force: Flags.boolean({ description: 'Judge every failed pair again, ignoring cached judgements.', default: false }),
    ...logDirFlag,
  }

  async run(): Promise<AnalysisRecord> {
    const { flags } = await this.parse(Analyze)
    const result = await analyze({
      runName: flags.name,
      logDir: flags['log-dir'],
      model: flags.model,
      modelBaseUrl: flags['model-base-url'],
      force: flags.force,
      onPair: (pair, index, total) => {
        if (this.jsonEnabled()) return
        const unreadable = pair.unreadable ? `: ${pair.unreadable.join('; ')}` : ''
        const verdict = pair.judgement
          ? ` ${pair.judgement.category}: ${pair.judgement.reason}`
          : pair.judge_error
            ? ` judge error: ${pair.judge_error}`
            : unreadable
        this.logToStderr(`[${index + 1}/${total}] ${pair.repo}/${pair.task_id}/${pair.features.join(',')} ${pair.outcome}${verdict}`)
      },
    })
    if (!this.jsonEnabled()) this.printSummary(result)
    const unreadable = result.pairs.filter((pair) => pair.outcome === 'unreadable')
    if (unreadable.length > 0) {
      // As `report`: the shares leave those pairs out, so a script must not take them for the whole run.
      process.exitCode = ExitCode.failure
      // The progress lines named them already; with --json nothing else reaches the terminal.
      if (this.jsonEnabled())
        for (const problem of unreadable.flatMap((p) => p.unreadable ?? [])) process.stderr.write(`warning: unreadable, left out of the analysis: ${problem}\n`)
    }
    return result
  }

  private printSummary(result: AnalysisRecord) {
    const { summary } = result
    const s = summary.signals
    const unreadable = summary.unreadable ? `, ${summary.unreadable} unreadable (left out)` : ''
    this.log(`analysis of ${result.run_name}: ${counted(summary.pairs, 'coop pair')}, ${summary.failed} failed${unreadable}`)
    this.log(`  messages per pair       ${s.messages_per_pair.toFixed(2)}`)
    const messaging =
      s.messaging_step_share === null ? 'n/a (no model steps)' : `${shareText(s.messaging_step_share)} (tokens ${shareText(s.messaging_token_share)})`
    this.log(`  steps on messaging      ${messaging}`)
    this.log(`  unanswered questions    ${s.unanswered_questions_per_pair.toFixed(2)} per pair`)
    this.log(`  pairs editing one file  ${s.pairs_with_shared_files}`)
    this.log(`  broken promises         ${s.broken_promises}`)
    if (result.judge === null) {
      this.log('  categories              not judged (pass -m MODEL to classify the failed pairs)')
      return
    }
    this.log(
      `  judged ${summary.judged} of ${summary.failed} failed pairs with ${result.judge.model} (${result.judge.prompt_version}); a model's judgement, not ground truth:`,
    )
    for (const category of CATEGORIES) {
      const c = summary.categories[category]
      this.log(`    ${category.padEnd(24)} ${String(c.count).padStart(3)}  ${percent(c.share).padStart(6)}  [${percent(c.ci.low)}, ${percent(c.ci.high)}]`)
    }
  }
}
