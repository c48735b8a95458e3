import { Flags } from '@oclif/core'
import { CooperbenchError, ExitCode } from '@cooperbench/core'
import type { RunSummaryRecord } from '@cooperbench/results'
import type { RunResult } from '../api/outcome.js'
import { run } from '../api/run.js'
import { summaryPairFolders } from '../api/summary-pairs.js'
import { BaseCommand } from '../base-command.js'
import { createLogger, filterFlagsToOptions, openCommandHost } from '../context.js'
import { configFlag, filterFlags } from '../flags.js'
import { declaredFlagSet, FLAGGED_KEY_IDS } from '../declared-flags.js'
import { withInterruption } from '../interrupt.js'
import { seatFlag, seatsFromFlags } from '../seat-flag.js'
import { settingFlagSet } from '../setting-flags.js'
import { createRunProgress, type RunProgress } from '../ui/run-progress.js'
import { formatRunSummary, tokenTotals } from '../ui/summary-text.js'

const declaredRunFlags = declaredFlagSet(FLAGGED_KEY_IDS)

export default class Run extends BaseCommand {
  static override summary = 'Run agents on task pairs, then evaluate them.'
  static override description =
    "Selects pairs from the dataset (filters combine with AND), runs them under the collaboration setting (coop: one agent per feature; solo: one agent for every feature; team, sequential, or a plugin's) in fresh sandboxes, stores patches and trajectories under <log-dir>/<run name>/, and evaluates each pair as it finishes. Finished pairs are skipped on a rerun; Ctrl+C stops cleanly and a rerun resumes. The settings' own flags (--team-no-task-list, ...) are listed by `cooperbench settings`."
  static override examples = [
    '<%= config.bin %> run -s demo -a oracle --setting solo',
    '<%= config.bin %> run -s demo -a oracle',
    '<%= config.bin %> run -s demo -a oracle --setting team --team-no-scratchpad',
    '<%= config.bin %> run -s demo -a oracle --setting sequential',
    '<%= config.bin %> run -r pallets_jinja_task -t 1621 -f 1,2 -m openai/gpt-4o --backend docker',
  ]
  static override enableJsonFlag = true

  static override flags = {
    name: Flags.string({ char: 'n', description: 'Run name (folder under the log dir); generated from the settings when absent.' }),
    ...filterFlags,
    ...declaredRunFlags.flags,
    ...seatFlag,
    force: Flags.boolean({ description: 'Rerun and re-evaluate every selected pair, even finished ones.', default: false }),
    quiet: Flags.boolean({
      char: 'q',
      description: 'Progress without agent status and message lines: one line per finished pair and per verdict.',
      default: false,
    }),
    ...configFlag,
  }

  async run(): Promise<unknown> {
    const progress = { current: null as RunProgress | null }
    const json = this.jsonEnabled()
    const outcome = await withInterruption(
      async (signal) => {
        // Plugins load first, so installed settings' own flags can be parsed; a signal meanwhile ends the command (INTERRUPTED, 130).
        // One logger for the plugins and the run, writing above the live progress line.
        const logger = createLogger(this.verbose, (line) => (progress.current ? progress.current.note(line) : process.stderr.write(`${line}\n`)))
        const host = await openCommandHost(this.config, {}, configFlagOf(this.argv), this.verbose, { signal, logger })
        const settingFlags = settingFlagSet(host.services.registry, new Set([...Object.keys(Run.flags), 'verbose', 'json']))
        const { flags } = await this.parse({ ...Run, baseFlags: Run.baseFlags, flags: { ...Run.flags, ...settingFlags.flags } } as unknown as typeof Run)
        const settings = settingFlags.configFromFlags(flags as Record<string, unknown>)
        const seats = seatsFromFlags(flags.seat)
        return run(
          {
            ...filterFlagsToOptions(flags),
            ...declaredRunFlags.configFromFlags(flags),
            ...(settings === undefined ? {} : { settings }),
            ...(seats === undefined ? {} : { seats }),
            runName: flags.name,
            config: flags.config,
            force: flags.force,
            logger,
            signal,
            onEvent: (event) => progress.current?.onEvent(event),
          },
          {
            oclifConfig: this.config,
            host: host.services,
            commandLine: true,
            onStart: (info) => {
              if (!json) this.log(`run ${info.runName}: ${info.pairs} pair(s), ${info.setting}, agent ${info.agent}, backend ${info.backend}`)
              progress.current = createRunProgress({ autoEval: flags['auto-eval'] ?? true, quiet: flags.quiet })
            },
            onUnwritten: async (result) => {
              progress.current?.stop()
              if (!json && result.summary) await this.printSummary({ ...result, summary: result.summary })
            },
          },
        )
      },
      () => progress.current?.interrupted(),
    ).finally(() => progress.current?.stop())
    if (!outcome.summary) {
      throw new CooperbenchError('FILTER_NO_MATCH', 'no tasks found: the selection has no pair to run', {
        hint: "Check -s/-r/-t/-f (and --agents N against the tasks' feature counts); `cooperbench dataset list` shows what there is.",
      })
    }
    if (!json) await this.printSummary({ ...outcome, summary: outcome.summary })
    if (outcome.interrupted) this.exitWith(ExitCode.interrupted, outcome.summary)
    const unjudged = nothingJudged(outcome.summary)
    if (unjudged !== null) {
      if (json) this.logJson(outcome.summary)
      throw unjudged
    }
    return outcome.summary
  }

  /** The closing lines, from what `run()` returned: the same pairs, cost and unknown cost a script sees. */
  private async printSummary(result: RunResult & { summary: RunSummaryRecord }) {
    const pairs = await summaryPairFolders(result.folder, result.summary)
    this.log(formatRunSummary(result.summary, result.folder, { unknownCostPairs: result.costUnknownPairs, ...tokenTotals(pairs, result.summary.setting) }))
  }
}

/** With auto-eval, a run where no pair got a pass or fail verdict measured nothing: a failure, not a 0 % pass rate. */
function nothingJudged(summary: RunSummaryRecord): CooperbenchError | null {
  if (summary.eval === undefined || summary.total_tasks === 0 || summary.eval.passed + summary.eval.failed > 0) return null
  const infra = summary.results.filter((r) => r.status !== 'failed' && r.status !== 'error' && r.eval === null).length
  const parts = [
    summary.eval.errors > 0 ? `${summary.eval.errors} evaluation error(s)` : null,
    summary.failed > 0 ? `${summary.failed} pair(s) that did not finish` : null,
    infra > 0 ? `${infra} pair(s) left unjudged because an agent failed for infrastructure or a dataset defect` : null,
  ].filter((part) => part !== null)
  const why = parts.join(', ') || 'nothing was evaluated'
  return new CooperbenchError('NOTHING_JUDGED', `no pair was judged (of ${summary.total_tasks}): ${why}`, {
    hint: "See the errors above (or each pair's result.json / eval.json); fix the cause and run the same command again: finished pairs are kept.",
  })
}

/** `--config FILE` / `--config=FILE` as given, read before the flags are parsed (the config file names plugins). */
function configFlagOf(argv: readonly string[]) {
  for (const [i, word] of argv.entries()) {
    if (word === '--') return undefined
    if (word === '--config') return argv[i + 1]
    if (word.startsWith('--config=')) return word.slice('--config='.length)
  }
  return undefined
}
