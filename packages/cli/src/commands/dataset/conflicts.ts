import { join, resolve } from 'node:path'
import { Flags } from '@oclif/core'
import { ExitCode } from '@cooperbench/core'
import { checkGoldConflicts, goldConflictOutcome, type GoldConflictResult, goldTeam } from '@cooperbench/evaluator-default'
import type { ResolvedConfig } from '@cooperbench/config'
import { writeJsonAtomic } from '@cooperbench/results'
import { createOwnedSandbox } from '@cooperbench/core/runner'
import { BaseCommand } from '../../base-command.js'
import { openDatasetScope } from '../../dataset-scope.js'
import { selectFromConfig } from '@cooperbench/dataset'
import { filterFlagsToOptions, openCommandHost } from '../../context.js'
import { backendFlag, configFlag, datasetDirFlag, filterFlags } from '../../flags.js'
import { withInterruption } from '../../interrupt.js'
import { table } from '@cooperbench/report'

export default class DatasetConflicts extends BaseCommand {
  static override summary = 'Check which gold patch pairs conflict under a plain git merge (the gold conflict report).'
  static override description =
    "For every selected pair, applies both features' gold patches on separate branches from the base commit and merges them naively (no union, no tests), in sandboxes of the chosen backend. Writes <dataset>/gold_conflict_report.json in the reference shape for the whole dataset; a filtered selection (-s/-r/-t/-f) goes to ./gold_conflict_report-<selection>.json instead, so the dataset's report is never replaced by a partial one (or --output). With --agents N > 2, checks every pair of N features (the last branch receives the others in order) and writes <dataset>/gold_conflict_report_<N>tuples.json (upstream's name for its N-tuple report), with f3…, patch3_apply_failed… keys."
  static override examples = [
    '<%= config.bin %> dataset conflicts -s demo',
    '<%= config.bin %> dataset conflicts --backend docker -c 8 --json',
    '<%= config.bin %> dataset conflicts -s demo --agents 3',
  ]
  static override enableJsonFlag = true
  static override flags = {
    ...datasetDirFlag,
    ...filterFlags,
    ...backendFlag,
    ...configFlag,
    concurrency: Flags.integer({ char: 'c', description: 'Pairs checked at once. [default: 4]', min: 1, default: 4 }),
    output: Flags.string({
      char: 'o',
      description:
        'Where to write the report. [default: <dataset>/gold_conflict_report.json for the whole dataset, ./gold_conflict_report-<selection>.json for a filtered one; _<N>tuples added with --agents N > 2]',
      helpValue: 'FILE',
    }),
    'no-write': Flags.boolean({ description: 'Print the report without writing a file.', default: false }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(DatasetConflicts)
    const { config, services } = await openCommandHost(this.config, { ...filterFlagsToOptions(flags), backend: flags.backend }, flags.config, this.verbose)
    const { pairs } = await selectFromConfig(config, (message) => services.logger.warn(message))
    const scope = await openDatasetScope(
      services,
      config,
      pairs.map((p) => p.task),
      { runName: 'dataset-conflicts', testTimeoutMs: 0 },
    )
    const { report, interrupted } = await withInterruption(async (signal) => {
      const report = await checkGoldConflicts({
        pairs,
        concurrency: flags.concurrency,
        signal,
        createSandbox: (task) => createOwnedSandbox(scope, task, 'conflicts', {}, signal),
        onResult: this.jsonEnabled() ? undefined : (r) => this.logToStderr(`${r.repo}/${r.task_id}/${goldTeam(r).join(',')} ${describeOutcome(r)}`),
      })
      return { report, interrupted: signal.aborted }
    }).finally(() => scope.dispose())
    if (interrupted) this.exit(ExitCode.interrupted)
    if (!flags['no-write']) {
      const output = flags.output ?? defaultReportPath(config)
      await writeJsonAtomic(output, report)
      this.logToStderr(`wrote ${output}`)
    }
    if (!this.jsonEnabled()) {
      const s = report.summary
      this.log(
        table(
          ['task', 'pairs', 'conflicts', 'clean', 'apply failed', 'errors'],
          Object.entries(report.per_task).map(([task, t]) => [task, t.total, t.conflicts, t.clean, t.apply_failed, t.errors]),
          ['left', 'right', 'right', 'right', 'right', 'right'],
        ),
      )
      this.log(
        `${s.total_pairs} pairs: ${s.conflicts} conflicting (${s.conflict_rate}), ${s.clean_merges} clean, ${s.apply_failed} apply failures, ${s.errors} errors`,
      )
    }
    return report
  }
}

/**
 * The report's path without -o: the dataset's `gold_conflict_report.json` for the whole dataset,
 * `_<N>tuples` beside it for pairs of more than 2 features (upstream's name, PR #75); a filtered
 * selection's goes to the working directory, named after it, never replacing it.
 */
function defaultReportPath(config: Pick<ResolvedConfig, 'datasetDir' | 'pairSize' | 'subset' | 'repo' | 'taskId' | 'features'>) {
  const size = config.pairSize === 2 ? '' : `_${config.pairSize}tuples`
  const selection = [
    config.subset,
    config.repo,
    config.taskId === null ? null : `task${config.taskId}`,
    config.features ? `f${config.features.join('-')}` : null,
  ].filter((part) => part !== null)
  if (selection.length === 0) return join(config.datasetDir, `gold_conflict_report${size}.json`)
  return resolve(`gold_conflict_report${size}-${selection.join('-').replace(/[^\w.-]+/g, '_')}.json`)
}

function describeOutcome(r: GoldConflictResult) {
  const outcome = goldConflictOutcome(r)
  if (outcome === 'errors') return `error: ${r.error}`
  return outcome === 'conflicts' ? 'conflict' : outcome === 'apply_failed' ? 'apply failed' : 'clean'
}
