import { join } from 'node:path'
import { Flags } from '@oclif/core'
import { ExitCode, Tokens } from '@cooperbench/core'
import { checkGoldConflicts, goldConflictOutcome, type GoldConflictReport, type GoldConflictResult, goldTeam } from '@cooperbench/core/evaluator'
import { createChildScope } from '@cooperbench/core/plugins'
import { writeJsonAtomic } from '@cooperbench/core/results'
import { createBackend, createOwnedSandbox, ensureTasksSupported } from '@cooperbench/core/runner'
import { BaseCommand } from '../../base-command.js'
import { backendOptionsFor, createServices, filterFlagsToConfig, resolveCommandConfig, selectFromConfig } from '../../context.js'
import { backendFlag, configFlag, datasetDirFlag, filterFlags } from '../../flags.js'
import { withInterruption } from '../../interrupt.js'
import { table } from '../../ui/table.js'

export default class DatasetConflicts extends BaseCommand {
  static override summary = 'Check which gold patch pairs conflict under a plain git merge (the gold conflict report).'
  static override description =
    'For every selected pair, applies both features\' gold patches on separate branches from the base commit and merges them naively (no union, no tests), in sandboxes of the chosen backend. Writes <dataset>/gold_conflict_report.json in the reference shape (or --output). With --agents N > 2, checks every team of N features (the last branch receives the others in order) and writes <dataset>/gold_conflict_report_n<N>.json, with f3…, patch3_apply_failed… keys.'
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
    output: Flags.string({ char: 'o', description: 'Where to write the report. [default: <dataset>/gold_conflict_report.json; gold_conflict_report_n<N>.json with --agents N > 2]', helpValue: 'FILE' }),
    'no-write': Flags.boolean({ description: 'Print the report without writing a file.', default: false }),
  }

  async run(): Promise<unknown> {
    const { flags } = await this.parse(DatasetConflicts)
    const { config } = await resolveCommandConfig(
      { ...filterFlagsToConfig(flags), backend: flags.backend, datasetDir: flags['dataset-dir'] },
      flags.config,
    )
    const services = await createServices(this.config, config, this.verbose)
    const { pairs } = await selectFromConfig(config, (message) => services.logger.warn(message))
    const scope = createChildScope(services.scope)
    let report: GoldConflictReport
    let interrupted = false
    try {
      const backend = await createBackend(services.registry, scope, config.backend, backendOptionsFor(services.registry, config), services.logger)
      await ensureTasksSupported(backend, [...new Map(pairs.map((p) => [p.task.dir, p.task])).values()])
      scope.register(Tokens.Backend, { useValue: backend })
      scope.register(Tokens.EvalPlan, {
        useValue: { runName: 'dataset-conflicts', logDir: '', imageTemplate: config.image.template, imageNamespace: config.image.namespace, testTimeoutMs: 0 },
      })
      report = await withInterruption(async (signal) => {
        const r = await checkGoldConflicts({
          pairs,
          concurrency: flags.concurrency,
          signal,
          createSandbox: (task) => createOwnedSandbox(scope, task, 'conflicts', {}, signal),
          onResult: this.jsonEnabled()
            ? undefined
            : (r) => this.logToStderr(`${r.repo}/${r.task_id}/${goldTeam(r).join(',')} ${describeOutcome(r)}`),
        })
        interrupted = signal.aborted
        return r
      })
    } finally {
      await scope.dispose()
    }
    if (interrupted) this.exit(ExitCode.interrupted)
    if (!flags['no-write']) await writeJsonAtomic(flags.output ?? join(config.datasetDir, goldReportName(config.teamSize)), report)
    if (!this.jsonEnabled()) {
      const s = report.summary
      this.log(
        table(
          ['task', 'pairs', 'conflicts', 'clean', 'apply failed', 'errors'],
          Object.entries(report.per_task).map(([task, t]) => [task, t.total, t.conflicts, t.clean, t.apply_failed, t.errors]),
          ['left', 'right', 'right', 'right', 'right', 'right'],
        ),
      )
      this.log(`${s.total_pairs} pairs: ${s.conflicts} conflicting (${s.conflict_rate}), ${s.clean_merges} clean, ${s.apply_failed} apply failures, ${s.errors} errors`)
    }
    return report
  }
}

/** The reference's file for pairs; larger teams get their own, so the pair report is never overwritten. */
function goldReportName(teamSize: number): string {
  return teamSize === 2 ? 'gold_conflict_report.json' : `gold_conflict_report_n${teamSize}.json`
}

function describeOutcome(r: GoldConflictResult): string {
  const outcome = goldConflictOutcome(r)
  if (outcome === 'errors') return `error: ${r.error}`
  return outcome === 'conflicts' ? 'conflict' : outcome === 'apply_failed' ? 'apply failed' : 'clean'
}
